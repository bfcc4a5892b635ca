"""App config for learning.quizzes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "learning.quizzes"
    label = "quizzes"
    verbose_name = _("题库与考试")
