"""Typed errors of learning.progress (the 学时 ledger, progress reports, offline sessions); the API
maps them once to its error format (learning/exceptions.py)."""

from django.utils.translation import gettext_lazy as _

from learning.exceptions import Conflict, InvalidInput, LearningError


class ProgressError(LearningError):
    """Base of the progress errors."""


class InvalidRecord(ProgressError, InvalidInput):
    """A progress report, ledger entry, offline session or 请假 breaks a rule (400, by field)."""


class LeaveAlreadyWithdrawn(ProgressError, Conflict):
    """撤销请假 of a leave that is no longer in force (409)."""

    default_message = _("这条请假已经撤销过了。")
