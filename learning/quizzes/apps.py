"""App config for learning.quizzes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "learning.quizzes"
    label = "quizzes"
    verbose_name = _("题库与考试")

    def ready(self):
        from learning.quizzes.signals import attempt_started
        from learning.quizzes.tasks import attempt_close_schedule

        attempt_started.connect(attempt_close_schedule, dispatch_uid="quizzes_close_at_deadline")

        from django.db.models.signals import post_delete, post_save

        from learning.quizzes.drawing import question_deleted, question_saved
        from learning.quizzes.models import Question

        # A bank's cached draw pools end with any change to its questions (drawing.py).
        post_save.connect(question_saved, sender=Question, dispatch_uid="quizzes_bank_changed")
        post_delete.connect(question_deleted, sender=Question, dispatch_uid="quizzes_bank_gone")

        from learning.classes.signals import class_pass_mark_changed
        from learning.quizzes.regrade import class_pass_mark_follow

        class_pass_mark_changed.connect(
            class_pass_mark_follow, dispatch_uid="quizzes_class_pass_mark_follow"
        )
