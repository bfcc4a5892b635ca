"""Template helpers of the quiz pages: a lesson's practice quiz, answers shown to people."""

from django import template
from django.utils.translation import gettext as _

from learning.quizzes import selectors
from learning.quizzes.models import QuestionType

register = template.Library()


@register.simple_tag
def lesson_quiz(lesson):
    """The practice quiz attached to this lesson page, or None."""
    if lesson is None or not getattr(lesson, "pk", None):
        return None
    return selectors.lesson_quiz(lesson_id=lesson.pk)


@register.filter
def answer_text(value, question_type: str = "") -> str:
    """A trainee's saved answer as text: "A、C", "正确", "甲；乙"."""
    if value is None or value == "" or value == []:
        return _("（未作答）")
    if isinstance(value, bool):
        return _("正确") if value else _("错误")
    if isinstance(value, list):
        return ("、" if question_type == "multiple" else "；").join(str(v) for v in value)
    return str(value)


@register.filter
def is_chosen(given, key) -> bool:
    if isinstance(given, list):
        return key in given
    return given == key


@register.filter
def blank_value(given, index) -> str:
    if isinstance(given, list) and int(index) < len(given):
        return given[int(index)]
    return ""


@register.filter
def question_type_label(value: str) -> str:
    try:
        return QuestionType(value).label
    except ValueError:
        return value


@register.filter
def blank_range(count) -> range:
    return range(int(count or 1))
