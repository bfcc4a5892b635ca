"""Typed errors of the quiz engine; the API maps each once to its status code (learning/exceptions.py),
the pages show its message."""

from django.utils.translation import gettext_lazy as _

from learning.exceptions import Conflict, Refused


class QuizError(Refused):
    default_message = _("操作失败。")


class QuizNotAvailable(QuizError, Conflict):
    """The quiz cannot be started now (not open yet, closed, no attempts left, bank too small): 409."""

    default_message = _("本测验当前不可作答。")


class NotAllowed(QuizError):
    """The user may not take this quiz (not enrolled, lesson not visible): a plain 404."""

    status = 404
    conceals = True
    default_message = _("您没有参加本测验的权限。")


class AttemptClosed(QuizError, Conflict):
    """The attempt no longer accepts answers (submitted, or past its deadline): 409."""

    default_message = _("本次作答已结束，不能再修改答案。")


class InvalidAnswer(QuizError):
    """400 about the answer (`errors.answer`)."""

    field = "answer"
    default_message = _("答案格式不正确。")


class UnknownQuestion(QuizError):
    """404 naming what is missing."""

    status = 404
    default_message = _("本次作答中没有这道题。")
