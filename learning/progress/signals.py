"""Signal handlers of learning.progress: forget cached lesson facts when a page is (un)published."""

from learning.progress.lessons import lesson_info_forget


def forget_lesson_info(sender, instance, **kwargs) -> None:
    lesson_info_forget(instance.pk)
