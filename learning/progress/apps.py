"""App config for learning.progress."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "learning.progress"
    label = "progress"
    verbose_name = _("学习进度与学时")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from learning.progress.signals import forget_lesson_info

        page_published.connect(forget_lesson_info, dispatch_uid="progress_forget_published")
        page_unpublished.connect(forget_lesson_info, dispatch_uid="progress_forget_unpublished")
