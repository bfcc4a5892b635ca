"""Typed errors of the quiz engine; the API maps each to its status code, the pages to a message."""

from django.utils.translation import gettext_lazy as _


class QuizError(Exception):
    default_message = _("操作失败。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class QuizNotAvailable(QuizError):
    """The quiz cannot be started now (not open yet, closed, no attempts left, bank too small)."""

    default_message = _("本测验当前不可作答。")


class NotAllowed(QuizError):
    """The user may not take this quiz (not enrolled, lesson not visible)."""

    default_message = _("您没有参加本测验的权限。")


class AttemptClosed(QuizError):
    """The attempt no longer accepts answers (submitted, or past its deadline)."""

    default_message = _("本次作答已结束，不能再修改答案。")


class InvalidAnswer(QuizError):
    default_message = _("答案格式不正确。")


class UnknownQuestion(QuizError):
    default_message = _("本次作答中没有这道题。")
