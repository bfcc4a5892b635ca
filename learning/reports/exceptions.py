"""Typed refusals of learning.reports (结业证书, 取消结业资格); the API maps them once to its error
format (learning/exceptions.py), the admin pages show their message."""

from django.utils.translation import gettext_lazy as _

from learning.exceptions import Conflict, Refused


class ReportsError(Refused):
    """Base of the reports refusals; the message is for the trainer."""


class NotInClass(ReportsError):
    """The trainee is not (or no longer) enrolled in the class: 404 with the message."""

    status = 404
    default_message = _("该学员不在本培训班。")


class ReasonRequired(ReportsError):
    """Revoking, disqualifying and reinstating need a reason (400, `errors.reason`)."""

    field = "reason"
    default_message = _("请填写撤销原因。")


class CertificateRefused(ReportsError, Conflict):
    """The certificate cannot be issued now: the rules are not met, there is one already, the
    trainee is disqualified (409; the message says which)."""

    default_message = _("该学员已有结业证书。")


class AlreadyRevoked(ReportsError, Conflict):
    default_message = _("该证书已被撤销。")


class AlreadyDisqualified(ReportsError, Conflict):
    default_message = _("该学员已被取消结业资格。")


class NotDisqualified(ReportsError, Conflict):
    """Reinstating a trainee without a disqualification in force (409)."""

    default_message = _("该学员没有被取消结业资格。")
