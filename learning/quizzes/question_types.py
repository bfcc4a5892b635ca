"""The kinds of question and how options are lettered: shared by the models and pure grading."""

from django.db import models
from django.utils.translation import gettext_lazy as _

OPTION_KEYS = "ABCDEFGH"


class QuestionType(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")
    FILL = "fill", _("填空题")
    SHORT = "short", _("简答题")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
