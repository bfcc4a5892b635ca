"""A training class's own rules (issue 14): credits_since is not after the start; the absence
allowance defaults to 0 and lies between 0 and a quarter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_credits_since_may_not_be_after_the_start(report_factory):
    today = timezone.localdate()
    tc = report_factory.klass(start_date=today)
    tc.credits_since = today + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        tc.full_clean()
    assert "credits_since" in exc.value.message_dict


def test_new_class_defaults_to_no_allowance(report_factory):
    tc = report_factory.klass()
    tc.refresh_from_db()
    assert tc.leave_allowance_percent == Decimal("0")


@pytest.mark.parametrize(
    ("percent", "ok"), [("0", True), ("25", True), ("25.01", False), ("-1", False)]
)
def test_allowance_is_between_zero_and_a_quarter(report_factory, percent, ok):
    tc = report_factory.klass()
    tc.leave_allowance_percent = Decimal(percent)
    if ok:
        tc.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            tc.full_clean()
        assert "leave_allowance_percent" in exc.value.message_dict
