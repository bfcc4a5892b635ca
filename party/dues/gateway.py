"""The seam where an online payment gateway (WeChat Pay, a bank) records a confirmed 党费 payment.

Dangke has no gateway. A deployment that adds one writes an adapter that (1) verifies the
gateway's notification in the gateway's own way (signature, certificate, callback IP — not done
here), (2) turns it into a `GatewayConfirmation`, and (3) calls `gateway_payment_confirm`. The
service:

- is idempotent by the gateway's transaction id (`Payment.reference`, unique): the same
  confirmation posted twice records one payment and returns it both times; the same id with a
  different member, amount or months is refused (409 `reference_conflict`);
- checks the amount: positive, to the 分, and equal to what the member still owed for the months
  paid (the amount the member was shown when paying), else 400 `amount_mismatch`;
- checks the months (none in the future, each one a month the person was a Party member);
- records the payment with source `gateway`, `recorded_by` empty and the gateway's name in the
  note: who recorded it is the gateway.

A test implementation lives in tests only (tests/party/dues/test_gateway.py, FakeGateway)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from party.dues import selectors
from party.dues.exceptions import ConflictError, DuesError
from party.dues.models import Payment, PaymentSource
from party.dues.rules import ZERO
from party.dues.services import _write_payment, check_paid_on, check_payment
from party.members.models import Member


@dataclass(frozen=True)
class GatewayConfirmation:
    gateway: str  # e.g. "wechat_pay"
    transaction_id: str  # the gateway's id, unique per payment
    member_id: int
    months: tuple[date, ...]
    amount: Decimal
    paid_on: date


def _same(payment: Payment, confirmation: GatewayConfirmation) -> bool:
    months = sorted(m.replace(day=1) for m in confirmation.months)
    return (
        payment.member_id == confirmation.member_id
        and payment.amount == confirmation.amount
        and sorted(payment.months.values_list("month", flat=True)) == months
    )


def gateway_payment_confirm(confirmation: GatewayConfirmation) -> tuple[Payment, bool]:
    """Record a confirmed payment once: (payment, created)."""
    reference = f"{confirmation.gateway}:{confirmation.transaction_id}"[:64]
    existing = Payment.objects.filter(reference=reference).first()
    if existing is not None:
        if not _same(existing, confirmation):
            raise ConflictError(
                _("流水号 %(r)s 已登记过，且内容不同。") % {"r": reference},
                code="reference_conflict",
            )
        return existing, False
    member = Member.objects.filter(pk=confirmation.member_id).first()
    if member is None:
        raise DuesError(_("找不到该党员。"), code="member_unknown")
    months, amount = check_payment(
        member=member, months=list(confirmation.months), amount=str(confirmation.amount)
    )
    paid_on = check_paid_on(confirmation.paid_on)
    books = selectors.ledgers(members=[member], first=months[0], last=months[-1])[member.pk]
    owed = sum((max(books.line(m).outstanding, ZERO) for m in months), ZERO)
    if amount != owed:
        raise DuesError(
            _("支付金额 %(paid)s 元与应交 %(owed)s 元不符。") % {"paid": amount, "owed": owed},
            code="amount_mismatch",
        )
    try:
        with transaction.atomic():
            payment = _write_payment(
                by_user=None,
                member=member,
                months=months,
                amount=amount,
                paid_on=paid_on,
                source=PaymentSource.GATEWAY,
                reference=reference,
                note=_("在线支付：%(g)s") % {"g": confirmation.gateway},
            )
    except IntegrityError:  # the same confirmation, posted twice at once
        payment = Payment.objects.get(reference=reference)
        if not _same(payment, confirmation):
            raise ConflictError(
                _("流水号 %(r)s 已登记过，且内容不同。") % {"r": reference},
                code="reference_conflict",
            ) from None
        return payment, False
    return payment, True
