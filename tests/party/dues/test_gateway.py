"""The payment seam with a test gateway (here only): a confirmed payment is recorded once per
transaction id, with the amount checked, as recorded by the gateway."""

from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from party.dues import services
from party.dues.exceptions import ConflictError, DuesError
from party.dues.gateway import GatewayConfirmation, gateway_payment_confirm
from party.dues.models import Payment, PaymentSource
from party.dues.rules import Category

pytestmark = pytest.mark.django_db
MAY, JUN = date(2026, 5, 1), date(2026, 6, 1)


class FakeGateway:
    """Stands in for WeChat Pay: hands out transaction ids and posts confirmations."""

    name = "fakepay"

    def __init__(self):
        self.ids = count(1)

    def confirm(self, member, months, amount, transaction_id=None):
        return GatewayConfirmation(
            gateway=self.name,
            transaction_id=transaction_id or f"T{next(self.ids):06d}",
            member_id=member.pk,
            months=tuple(months),
            amount=Decimal(amount),
            paid_on=date(2026, 6, 15),
        )


@pytest.fixture
def member(dues):
    m = dues["members"]["law_b1"]
    services.base_set(
        by_user=dues["users"]["treasurer"],
        member=m,
        starts_on=date(2026, 1, 1),
        category=Category.SALARIED,
        declared_base="4000",
    )
    return m


def test_confirmed_once_by_transaction_id(member):
    gateway = FakeGateway()
    confirmation = gateway.confirm(member, [MAY, JUN], "80.00")
    payment, created = gateway_payment_confirm(confirmation)
    again, created_again = gateway_payment_confirm(confirmation)
    assert created and not created_again and again.pk == payment.pk
    assert payment.source == PaymentSource.GATEWAY and payment.recorded_by is None
    assert payment.reference == f"fakepay:{confirmation.transaction_id}"
    assert Payment.objects.count() == 1
    changed = gateway.confirm(member, [MAY, JUN], "40.00", confirmation.transaction_id)
    with pytest.raises(ConflictError):
        gateway_payment_confirm(changed)


def test_amount_and_months_checked(member):
    gateway = FakeGateway()
    for months, amount, code in (
        ([MAY], "39.99", "amount_mismatch"),
        ([MAY], "-40", "amount_not_positive"),
        ([date(2026, 7, 1)], "40", "month_future"),
    ):
        with pytest.raises(DuesError) as exc:
            gateway_payment_confirm(gateway.confirm(member, months, amount))
        assert exc.value.code == code
    assert not Payment.objects.exists()
