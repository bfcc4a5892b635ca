"""Parsing what people type or a spreadsheet holds into 元 and months: full-width digits, 元/¥,
thousands separators and the usual ways of writing a month. Errors say what was wrong."""

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from party.dues.exceptions import DuesError


def parse_amount(value, *, allow_negative: bool = False) -> Decimal:
    """An amount in 元 with at most two decimals. Floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal or text, never float")
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    text = re.sub(r"[元¥￥,\s]", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DuesError(_("金额“%(v)s”不是数字。") % {"v": value}, code="amount_invalid") from None
    if not amount.is_finite():
        raise DuesError(_("金额“%(v)s”不是数字。") % {"v": value}, code="amount_invalid")
    if amount.as_tuple().exponent < -2:
        raise DuesError(
            _("金额“%(v)s”精确到分即可（最多两位小数）。") % {"v": value}, code="amount_fen"
        )
    if amount <= 0 and not allow_negative:
        raise DuesError(_("金额必须大于 0（冲正请用“冲正”）。"), code="amount_not_positive")
    if abs(amount) >= Decimal("1e9"):
        raise DuesError(_("金额“%(v)s”过大。") % {"v": value}, code="amount_too_large")
    return amount.quantize(Decimal("0.01"))


MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def parse_month(value) -> date:
    """A month ("2026-03", "2026年3月", "2026/3", "202603", a date) as its first day."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = re.sub(r"(\d{4}-\d{1,2})-\d{1,2}(\s.*)?$", r"\1", text)  # a date typed in the cell
    for pattern in MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and 1900 < year < 2200:
                return date(year, month, 1)
    raise DuesError(
        _("月份“%(v)s”无法识别（请写成 2026-03 或 2026年3月）。") % {"v": value},
        code="month_invalid",
    )


def check_not_future(month: date) -> None:
    if month > timezone.localdate().replace(day=1):
        raise DuesError(
            _("%(m)s 还没到，不能登记。") % {"m": month.strftime("%Y-%m")}, code="month_future"
        )


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_span(first: date, last: date) -> list[date]:
    """The months from `first` to `last`, both included (first days)."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months
