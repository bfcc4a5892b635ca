"""The ledger: bases with history, payments (one, several months, bulk), reversals, the behind
list and the 党章第九条 flag, and refusals that leave nothing written."""

from datetime import date
from decimal import Decimal

import pytest

from party.dues import selectors, services
from party.dues.exceptions import ConflictError, DuesError, OutOfScopeError
from party.dues.models import DuesBase, Payment, PaymentMonth, PaymentSource
from party.dues.rules import Category

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in range(1, 7))


def base(dues, key, category=Category.STUDENT, declared=None, by="treasurer", starts_on=JAN):
    return services.base_set(
        by_user=dues["users"][by],
        member=dues["members"][key],
        starts_on=starts_on,
        category=category,
        declared_base=declared,
    )


def pay(dues, key, months, amount, by="treasurer", **kw):
    return services.payment_record(
        by_user=dues["users"][by], member=dues["members"][key], months=months, amount=amount, **kw
    )


def test_base_history_latest_wins(dues):
    base(dues, "law_b1", Category.SALARIED, "4000")  # 40.00
    base(dues, "law_b1", Category.SALARIED, "6000", starts_on=APR)  # 90.00 from April
    base(dues, "law_b1", Category.SALARIED, "5000", starts_on=APR)  # correction: 50.00
    member = dues["members"]["law_b1"]
    book = selectors.ledgers(members=[member], first=JAN, last=JUN)[member.pk]
    assert [line.owed for line in book.lines] == [Decimal("40.00")] * 3 + [Decimal("50.00")] * 3
    assert len(selectors.base_history(member=member)) == 3


def test_only_finance_roles_set_bases_and_record(dues):
    for role in ("publicity", "organiser", "office", "member", "secretary2"):
        with pytest.raises(OutOfScopeError):
            base(dues, "law_b1", by=role)
        with pytest.raises(OutOfScopeError):
            pay(dues, "law_b1", [JAN], "0.20", by=role)
    base(dues, "law_b1", by="secretary")  # the 书记 is a finance role too
    assert DuesBase.objects.count() == 1


def test_salaried_base_required(dues):
    with pytest.raises(DuesError) as exc:
        base(dues, "law_b1", Category.SALARIED, None)
    assert exc.value.code == "base_required"


def test_owed_only_while_a_party_member(dues):
    base(dues, "probationary")  # 预备党员 since 2026-03-10
    member = dues["members"]["probationary"]
    book = selectors.ledgers(members=[member], first=JAN, last=JUN)[member.pk]
    assert [line.owed for line in book.lines] == [Decimal("0")] * 2 + [Decimal("0.20")] * 4
    with pytest.raises(DuesError) as exc:
        pay(dues, "probationary", [FEB, MAR], "0.40")
    assert exc.value.code == "not_a_member"
    assert Payment.objects.count() == 0


def test_activist_cannot_pay(dues):
    with pytest.raises(DuesError) as exc:
        pay(dues, "activist", [MAY], "0.20")
    assert exc.value.code == "not_a_member"


def test_future_month_and_bad_amounts_write_nothing(dues):
    for months, amount, code in (
        ([date(2026, 7, 1)], "0.20", "month_future"),
        ([MAY], "-1", "amount_not_positive"),
        ([MAY], "abc", "amount_invalid"),
        ([], "0.20", "months_required"),
    ):
        with pytest.raises(DuesError) as exc:
            pay(dues, "law_b1", months, amount)
        assert exc.value.code == code
    assert Payment.objects.count() == PaymentMonth.objects.count() == 0


def test_quarter_payment_split_over_months(dues):
    base(dues, "law_b1", Category.SALARIED, "4000")  # 40.00 a month
    payment = pay(dues, "law_b1", [MAR, JAN, FEB], "125.50", paid_on=date(2026, 3, 20))
    parts = {p.month: p.amount for p in payment.months.all()}
    assert parts == {JAN: Decimal("40.00"), FEB: Decimal("40.00"), MAR: Decimal("45.50")}
    assert sum(parts.values()) == payment.amount
    assert payment.recorded_by == dues["users"]["treasurer"]


def test_reversal_is_a_new_entry(dues):
    base(dues, "law_b1")
    payment = pay(dues, "law_b1", [JAN, FEB], "0.40")
    reversal = services.payment_reverse(
        by_user=dues["users"]["treasurer"], payment=payment, note="重复登记"
    )
    assert reversal.amount == Decimal("-0.40") and reversal.source == PaymentSource.CORRECTION
    assert Payment.objects.count() == 2
    member = dues["members"]["law_b1"]
    book = selectors.ledgers(members=[member], first=JAN, last=FEB)[member.pk]
    assert book.paid == Decimal("0.00")
    with pytest.raises(ConflictError):
        services.payment_reverse(by_user=dues["users"]["treasurer"], payment=payment, note="x")


def test_bulk_all_or_nothing(dues):
    for key in ("law_b1", "treasurer", "probationary"):
        base(dues, key)
    members = dues["members"]
    entries = [
        services.BulkEntry(member=members["law_b1"], amount="0.20"),
        services.BulkEntry(member=members["treasurer"], amount="0.20"),
        services.BulkEntry(member=members["law_b2"], amount="0.20"),  # another branch
    ]
    with pytest.raises(DuesError) as exc:
        services.payments_record_bulk(
            by_user=dues["users"]["treasurer"], entries=entries, month=MAY
        )
    assert [e["member"] for e in exc.value.errors] == [members["law_b2"].pk]
    assert Payment.objects.count() == 0
    payments = services.payments_record_bulk(
        by_user=dues["users"]["treasurer"], entries=entries[:2], month=MAY
    )
    assert len(payments) == 2 and {p.source for p in payments} == {PaymentSource.BULK}


def test_behind_and_six_month_flag(dues):
    # Today 2026-06-15: late months are up to May. law_b1's base runs from 2025-11.
    base(dues, "law_b1", starts_on=date(2025, 11, 1))
    base(dues, "treasurer", starts_on=date(2025, 11, 1))
    base(dues, "secretary", starts_on=date(2025, 11, 1))
    pay(dues, "treasurer", [APR, MAY], "0.40")  # behind Nov–Mar (5 months), last two paid
    pay(dues, "secretary", [MAY], "0.20")  # behind Nov–Apr: 6 months, but May was paid
    rows = {a.member.student_no: a for a in selectors.arrears(members=dues["members"].values())}
    assert set(rows) == {"S001", "T010", "T001"}
    assert len(rows["S001"].late_months) == 7 and rows["S001"].flagged
    assert rows["S001"].outstanding == Decimal("1.40")
    assert not rows["T010"].flagged and not rows["T001"].flagged
    # A recorded reason (病休) for some of the months lifts the flag; the arrears remain.
    services.arrears_reason_record(
        by_user=dues["users"]["treasurer"],
        member=dues["members"]["law_b1"],
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 3, 1),
        reason="长期病休",
    )
    rows = {a.member.student_no: a for a in selectors.arrears(members=dues["members"].values())}
    assert not rows["S001"].flagged and len(rows["S001"].late_months) == 7


def test_one_month_behind_is_not_listed(dues):
    base(dues, "law_b1", starts_on=MAY)
    assert selectors.arrears(members=[dues["members"]["law_b1"]]) == []


def test_ledger_query_count(dues, django_assert_num_queries):
    for key in ("law_b1", "treasurer", "secretary", "publicity"):
        base(dues, key)
        pay(dues, key, [JAN, FEB], "0.40")
    members = list(dues["members"].values())
    with django_assert_num_queries(4):
        selectors.ledgers(members=members, first=JAN, last=JUN)
