"""The amounts of 中组发〔2008〕3号: brackets with inclusive upper bounds, fixed amounts, the 分."""

from decimal import Decimal

import pytest

from party.dues.exceptions import DuesError
from party.dues.rules import DUES_SOURCE, Category, monthly_amount, yuan
from party.dues.values import parse_amount, parse_month


@pytest.mark.parametrize(
    "category,base,expected",
    [
        (Category.SALARIED, "3000", "15.00"),  # ≤3000 (含) 0.5%
        (Category.SALARIED, "3000.01", "30.00"),  # 1%: 30.0001 → 30.00
        (Category.SALARIED, "5000", "50.00"),
        (Category.SALARIED, "5000.01", "75.00"),  # 1.5%: 75.00015
        (Category.SALARIED, "10000", "150.00"),
        (Category.SALARIED, "12345.67", "246.91"),  # 2%: 246.9134
        (Category.SALARIED, "2345.67", "11.73"),  # 0.5%: 11.72835 → half up
        (Category.RETIRED, "5000", "25.00"),
        (Category.RETIRED, "6000", "60.00"),
    ],
)
def test_brackets(category, base, expected):
    assert monthly_amount(category=category, base=Decimal(base)) == Decimal(expected)


def test_fixed_and_farmers():
    assert monthly_amount(category=Category.STUDENT) == Decimal("0.20")
    assert monthly_amount(category=Category.NO_INCOME) == Decimal("0.20")
    assert monthly_amount(category=Category.FARMER, farmer_amount=Decimal("0.5")) == Decimal("0.50")
    assert "中组发〔2008〕3号" in DUES_SOURCE


def test_floats_are_refused():
    with pytest.raises(TypeError):
        yuan(0.1)
    with pytest.raises(TypeError):
        parse_amount(0.2)


@pytest.mark.parametrize(
    "text,expected", [("12.5", "12.50"), ("１２．５０元", "12.50"), ("¥1,200", "1200.00")]
)
def test_amounts_as_typed(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text,code",
    [
        ("abc", "amount_invalid"),
        ("-3", "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("1.234", "amount_fen"),
        ("NaN", "amount_invalid"),
    ],
)
def test_bad_amounts(text, code):
    with pytest.raises(DuesError) as exc:
        parse_amount(text)
    assert exc.value.code == code


@pytest.mark.parametrize("text", ["2026-03", "2026年3月", "2026/3", "202603", "2026-03-01"])
def test_months_as_typed(text):
    assert parse_month(text).isoformat() == "2026-03-01"


def test_bad_month():
    with pytest.raises(DuesError):
        parse_month("三月")
