"""The rules of 党费, as data with their source (docs/domain.md "党费"): the monthly amount by
category and bracket, and when a member counts as behind.

Source: 《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）, part 一「党费的交纳」:
在职 members pay a share of the monthly after-tax salary by bracket (the upper bound of each bracket
is included: "3000元以下（含3000元）"); 离退休 members a share of the after-tax pension; students,
the unemployed and members living on relief or 低保 0.2 元; farmers 0.2–1 元. Paid monthly; with the
organisation's consent quarterly or made up later (补交). Amounts are Decimal 元 with 分, rounded
half up to the 分.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

DUES_SOURCE = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）一、党费的交纳"
ARREARS_SOURCE = "《中国共产党章程》第九条"

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(value) -> Decimal:
    """An amount in 元 with 分: Decimal, rounded half up to the 分 (never a float on the way)."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal or text, never float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


class Category(models.TextChoices):
    SALARIED = "salaried", _("在职（按税后月工资）")
    RETIRED = "retired", _("离退休（按税后月离退休费）")
    STUDENT = "student", _("学生")
    NO_INCOME = "no_income", _("下岗失业、依靠抚恤或救济生活、领取低保")
    FARMER = "farmer", _("农民")


# (upper bound of the monthly base, inclusive, or None for "above"; share of the base).
SALARIED_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
RETIRED_BRACKETS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)
BRACKETS = {Category.SALARIED: SALARIED_BRACKETS, Category.RETIRED: RETIRED_BRACKETS}
# Categories with a fixed monthly amount, and the farmers' range (the branch sets it in it).
FIXED_AMOUNTS = {Category.STUDENT: Decimal("0.20"), Category.NO_INCOME: Decimal("0.20")}
FARMER_RANGE = (Decimal("0.20"), Decimal("1.00"))

# Behind: a month is late once it is over; two or more late months put a member on the branch's
# list; six consecutive months with nothing paid and no recorded reason raise the 党章第九条 flag
# (a flag for the branch, which decides — not a decision).
BEHIND_MONTHS = 2
SIX_MONTHS = 6


def share_for(category: str, base: Decimal) -> Decimal:
    """The share of `base` (元) that the category's bracket sets."""
    for upper, share in BRACKETS[category]:
        if upper is None or base <= upper:
            return share
    raise AssertionError("the last bracket has no upper bound")


def monthly_amount(*, category: str, base: Decimal | None = None, farmer_amount=None) -> Decimal:
    """The monthly dues of a member of `category` (base: after-tax monthly salary or pension)."""
    if category in BRACKETS:
        if base is None:
            raise ValueError("a salaried or retired member's amount needs the declared base")
        return yuan(base * share_for(category, base))
    if category == Category.FARMER:
        return yuan(farmer_amount if farmer_amount is not None else FARMER_RANGE[0])
    return FIXED_AMOUNTS[category]
