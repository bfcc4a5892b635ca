"""How the product writes 学时 and dates for people (issue 14): one implementation, used by the
PDFs, the pages (template filters `hours` and `cn_date` in classes/templatetags/dk_format.py) and
the certificate."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from learning.classes.models import hours_text


def date_text(value: date | datetime | None) -> str:
    """2026年3月5日 (no leading zeros), as a 党委 writes a date; "" for none. A datetime is read
    in the site's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def period_text(start: date | None, end: date | None) -> str:
    """2026年3月2日至3月20日 (the year once when both dates share it)."""
    if not start or not end:
        return date_text(start or end)
    if start.year == end.year:
        return f"{date_text(start)}至{end.month}月{end.day}日"
    return f"{date_text(start)}至{date_text(end)}"


def hours_display(value) -> str:
    """学时 without trailing zeros: 24, 24.5, 0.25 ("" for none)."""
    if value is None or value == "":
        return ""
    return hours_text(Decimal(str(value)))
