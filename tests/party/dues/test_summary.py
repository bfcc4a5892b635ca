"""The 党费 summary (party.dues.summary) never drifts from the records: after every write path —
a payment, a batch (what a statement import confirms), the gateway, a 冲正, a base, a stage change,
a 组织关系转接 — the stored rows equal the figures recounted from the records, member by member,
each in the branch of the month; the readers take them in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from party.dues import selectors, services, summary
from party.dues.gateway import GatewayConfirmation, gateway_payment_confirm
from party.dues.models import MonthSummary, SummaryMonth
from party.dues.rules import Category
from party.dues.values import month_span
from party.members.models import Member, Stage, StageChange
from party.members.selectors import unit_histories
from party.members.services import member_transfer

pytestmark = pytest.mark.django_db
JAN, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in (1, 3, 4, 5, 6))
MONTHS = month_span(JAN, JUN)


def recount() -> dict[tuple, list]:
    """The summary's rows recounted from the ledger, without party.dues.summary or cells_compute:
    every member's line of each month, in the branch they belonged to on its counted day."""
    people = list(Member.objects.all())
    books = selectors.ledgers(members=people, first=JAN, last=JUN)
    histories = unit_histories(members=people)
    cells: dict[tuple, list] = {}
    for member in people:
        for line in books[member.pk].lines:
            if not (line.owed or line.paid):
                continue
            day = selectors._counted_day(line.month, date(2026, 6, 15))
            cell = cells.setdefault((histories[member.pk].on(day), line.month), [0, 0, 0, 0])
            cell[0] += int(line.owed * 100)
            cell[1] += int(line.paid * 100)
            cell[2] += line.owed > 0
            cell[3] += line.owed > 0 and line.paid >= line.owed
    return cells


def stored() -> dict[tuple, list]:
    return {
        (row.unit_id, row.month): [row.owed_fen, row.paid_fen, row.members, row.paid_members]
        for row in MonthSummary.objects.all()
    }


def assert_in_step():
    assert set(SummaryMonth.objects.values_list("month", flat=True)) == set(MONTHS)
    assert stored() == recount()


@pytest.fixture
def held(dues):
    """The branch's members with bases from January, and the summary built (January–June)."""
    treasurer, members = dues["users"]["treasurer"], dues["members"]
    for key in ("law_b1", "treasurer", "probationary"):
        services.base_set(
            by_user=treasurer, member=members[key], starts_on=JAN, category=Category.STUDENT
        )
    assert summary.update() == MONTHS
    assert_in_step()
    return dues


def test_every_write_path_keeps_it_in_step(held):
    units, users, members = held["units"], held["users"], held["members"]
    t = users["treasurer"]
    # One payment (a quarter), then its 冲正.
    payment = services.payment_record(
        by_user=t, member=members["law_b1"], months=[JAN, date(2026, 2, 1), MAR], amount="0.60"
    )
    assert_in_step()
    assert stored()[(units["law_b1"].pk, JAN)][3] == 1  # 已交清: one
    services.payment_reverse(by_user=t, payment=payment, note="登记错误")
    assert_in_step()
    # A batch (a month's payments; a confirmed statement import goes through the same service).
    services.payments_record_bulk(
        by_user=t,
        entries=[
            services.BulkEntry(member=members["law_b1"], amount="0.20"),
            services.BulkEntry(member=members["treasurer"], amount="0.10"),  # underpaid
        ],
        month=MAY,
    )
    assert_in_step()
    # The gateway.
    gateway_payment_confirm(
        GatewayConfirmation(
            gateway="fakepay",
            transaction_id="T1",
            member_id=members["probationary"].pk,
            months=(APR,),
            amount=Decimal("0.20"),
            paid_on=date(2026, 6, 15),
        )
    )
    assert_in_step()
    # A new base from March (a 组织委员's correction).
    services.base_set(
        by_user=t,
        member=members["law_b1"],
        starts_on=MAR,
        category=Category.SALARIED,
        declared_base="4000",
    )
    assert_in_step()
    # A stage change: the 组织委员's probation cancelled on 5 April (owes nothing from April).
    StageChange.objects.create(
        member=members["treasurer"],
        stage=Stage.PROBATION_CANCELLED,
        decided_on=date(2026, 4, 5),
        decided_by="records",
    )
    assert_in_step()
    # 组织关系转接 on 10 April: 张三's months from April on belong to the other branch.
    member_transfer(
        member=members["law_b1"],
        to_unit=units["law_b2"],
        on=date(2026, 4, 10),
        by_user=users["office"],
    )
    assert_in_step()
    cells = stored()
    assert cells[(units["law_b1"].pk, MAR)][2] == 3  # 张三, 赵委员, 孙预备 in March
    assert cells[(units["law_b2"].pk, MAY)] == [4000, 20, 1, 0]  # 张三 alone: 40.00 owed, 0.20 paid
    assert (units["law_b2"].pk, MAR) not in cells


def test_counted_in_the_branch_of_the_month(held):
    """A member moved in April counts in the old branch before it and in the new one after, in
    the report and the dashboard's totals alike, whether or not the month is held."""
    units, users, members = held["units"], held["users"], held["members"]
    member_transfer(
        member=members["law_b1"],
        to_unit=units["law_b2"],
        on=date(2026, 4, 10),
        by_user=users["office"],
    )
    branches = [units["law_b1"], units["law_b2"]]
    from_summary = selectors.branch_report(units=branches, first=JAN, last=JUN)
    SummaryMonth.objects.all().delete()
    live = selectors.branch_report(units=branches, first=JAN, last=JUN)
    figures = [
        [(c.unit.pk, c.month, c.owed, c.members) for c in cells] for cells in (from_summary, live)
    ]
    assert figures[0] == figures[1]
    by_cell = {(c.unit.pk, c.month): c.members for c in live}
    assert by_cell[(units["law_b1"].pk, MAR)] == 3 and by_cell[(units["law_b2"].pk, MAR)] == 0
    assert by_cell[(units["law_b1"].pk, APR)] == 2 and by_cell[(units["law_b2"].pk, APR)] == 1


def test_readers_query_count(held, django_assert_num_queries):
    units = held["units"]
    with django_assert_num_queries(2):  # the months held, their rows
        cells = selectors.branch_report(
            units=[units["law_b1"], units["law_b2"]], first=JAN, last=JUN
        )
    assert sum(c.members for c in cells) == 2 + 2 + 3 * 4  # 孙预备 owes from March
    with django_assert_num_queries(2):  # the months held, the sums per month
        totals = selectors.subtree_month_totals(unit=units["law"], first=JAN, last=JUN)
    assert [t.members for t in totals] == [2, 2, 3, 3, 3, 3]
    assert [t.owed for t in totals] == [Decimal("0.40")] * 2 + [Decimal("0.60")] * 4


def test_command_rebuilds_what_the_writes_kept(held):
    services.payment_record(
        by_user=held["users"]["treasurer"],
        member=held["members"]["law_b1"],
        months=[JUN],
        amount="1",
    )
    kept = stored()
    call_command("dues_summary", "--rebuild")
    assert stored() == kept == recount()
    call_command("dues_summary")  # nothing missing: nothing computed
    assert stored() == kept
    assert summary.update() == []


@pytest.mark.django_db(transaction=True)
def test_refresh_outside_a_transaction(held):
    """A write in autocommit (load_demo creates members and stage changes that way) refreshes the
    summary through the signals: the row lock needs a transaction on PostgreSQL, so refresh opens
    its own instead of failing with TransactionManagementError."""
    from django.db import connection

    assert connection.get_autocommit()
    member = held["members"]["law_b1"]
    summary.refresh(member_ids=[member.pk], since=JAN)
    assert_in_step()
