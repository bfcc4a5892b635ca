"""Reading the day and year a statistics request asks for: bad input → a clear 400."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from party.stats.exceptions import StatsInputError

FIRST_YEAR = 1921  # no Party record is older


def parse_day(value: str | None) -> date:
    """`YYYY-MM-DD`, not after today (default today)."""
    today = timezone.localdate()
    if not value:
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise StatsInputError(
            _("日期应为 YYYY-MM-DD 格式，例如 2025-12-31。"), code="invalid_date"
        ) from None
    if day > today:
        raise StatsInputError(_("统计日期不能晚于今天。"), code="future_date")
    if day.year < FIRST_YEAR:
        raise StatsInputError(_("统计日期不能早于1921年。"), code="invalid_date")
    return day


def parse_year(value: str | None) -> tuple[date, date]:
    """The year-end tables' (first day, day counted): 31 December, or today for this year."""
    today = timezone.localdate()
    if not value:
        year = today.year
    elif value.isdigit() and FIRST_YEAR <= int(value) <= today.year:
        year = int(value)
    else:
        raise StatsInputError(
            _("年份应在 %(first)d–%(last)d 之间。") % {"first": FIRST_YEAR, "last": today.year},
            code="invalid_year",
        )
    return date(year, 1, 1), min(date(year, 12, 31), today)
