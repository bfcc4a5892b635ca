"""The rules of one offline entry (集中授课, 分组讨论, 实践教学), whichever way it is recorded — a whole
session for its attendees (offline_sessions.py) or one trainee in the 学时 ledger (services.py):
学时 or days (a day counts DAY_CLASS_HOURS), at most OFFLINE_SESSION_MAX_HOURS, dated inside the
class. One implementation (issue 14)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.classes.models import TrainingClass, hours_text
from learning.progress.exceptions import InvalidRecord

TWO_PLACES = Decimal("0.01")
# One session is at most three whole training days: the whole 发展对象 concentrated training
# (《中国共产党发展党员工作细则》art. 17, 3 days or 24 学时). More is almost surely a typo;
# DANGKE["OFFLINE_SESSION_MAX_HOURS"] overrides it.
DEFAULT_MAX_SESSION_HOURS = Decimal("24")


def max_session_hours() -> Decimal:
    return Decimal(settings.DANGKE.get("OFFLINE_SESSION_MAX_HOURS", DEFAULT_MAX_SESSION_HOURS))


def day_class_hours() -> Decimal:
    """学时 of one whole training day (DANGKE["DAY_CLASS_HOURS"], common practice 8)."""
    return Decimal(settings.DANGKE["DAY_CLASS_HOURS"])


def offline_hours(*, amount=None, days=None) -> Decimal:
    """The 学时 of one offline entry per person, from 学时 or from days (one of the two); more
    than 0 and at most max_session_hours(). InvalidRecord({"amount": …}) otherwise."""
    if amount in (None, "") and days in (None, ""):
        raise InvalidRecord({"amount": _("请填写学时或天数。")})
    if amount not in (None, "") and days not in (None, ""):
        # Which one was meant is a guess; a trainer who typed both should choose.
        raise InvalidRecord({"amount": _("学时与天数只需填一项。")})
    try:
        value = Decimal(days) * day_class_hours() if amount in (None, "") else Decimal(amount)
        if not value.is_finite():
            raise InvalidOperation
        value = value.quantize(TWO_PLACES)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise InvalidRecord({"amount": _("学时必须是数字。")}) from exc
    limit = max_session_hours()
    if value <= 0:
        raise InvalidRecord({"amount": _("学时必须大于 0。")})
    if value > limit:
        raise InvalidRecord(
            {
                "amount": _("一次线下培训每人最多记 %(limit)s 学时，请检查学时或天数。")
                % {"limit": hours_text(limit)}
            }
        )
    return value


def offline_date_check(*, training_class: TrainingClass, occurred_on: date | None) -> None:
    """An offline entry is dated, not in the future, and inside the class (开班日期 to 结业日期
    when the class has them): hours of another time do not count for this class."""
    if occurred_on is None:
        raise InvalidRecord({"occurred_on": _("请填写培训日期。")})
    if occurred_on > timezone.localdate():
        raise InvalidRecord({"occurred_on": _("日期不能晚于今天。")})
    start, end = training_class.start_date, training_class.end_date
    if (start and occurred_on < start) or (end and occurred_on > end):
        raise InvalidRecord(
            {
                "occurred_on": _(
                    "日期须在本班开班日期至结业日期之间（%(start)s 至 %(end)s）：其他时间的学时不计入本班。"
                )
                % {"start": start or "—", "end": end or "—"}
            }
        )
