"""The 党费 summary (party.dues.summary) never drifts from the records: after every write path —
a payment, a batch (what a statement import confirms), the gateway, a 冲正, a base, a stage change,
a 组织关系转接 — the stored rows equal the figures recounted from the records, member by member,
each in the branch of the month; the readers take them in a fixed number of queries; the month
that begins is held before it does; and concurrent transactions (a payment against the job adding
its month, two payments of one cell) cannot leave a count that misses one of them."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from freezegun import freeze_time

from party.dues import selectors, services, summary
from party.dues.gateway import GatewayConfirmation, gateway_payment_confirm
from party.dues.models import MonthSummary, SummaryMonth
from party.dues.rules import Category
from party.dues.values import month_span
from party.members.models import Member, Stage, StageChange
from party.members.selectors import unit_histories
from party.members.services import member_transfer

pytestmark = pytest.mark.django_db
JAN, MAR, APR, MAY, JUN, JUL = (date(2026, m, 1) for m in (1, 3, 4, 5, 6, 7))
MONTHS = month_span(JAN, JUL)  # the job holds the next month too


def recount() -> dict[tuple, list]:
    """The summary's rows recounted from the ledger, without party.dues.summary or cells_compute:
    every member's line of each month, in the branch they belonged to on its counted day."""
    people = list(Member.objects.all())
    books = selectors.ledgers(members=people, first=JAN, last=JUL)
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
    assert connection.get_autocommit()
    member = held["members"]["law_b1"]
    summary.refresh(member_ids=[member.pk], since=JAN)
    assert_in_step()


def test_the_month_that_begins_is_read_from_the_summary(held, django_assert_num_queries):
    """The job holds the next month before it begins: on 1 July the report reads July from the
    summary (two queries, no computing from the records), with the figures the records give that
    day, also after a record dated that day (a stage change); the job then adds August."""
    units = held["units"]
    branches = [units["law_b1"], units["law_b2"]]
    assert selectors.summarised_months([JUL]) == {JUL}
    with freeze_time("2026-07-01 08:00"):
        StageChange.objects.create(
            member=held["members"]["treasurer"],
            stage=Stage.PROBATION_CANCELLED,
            decided_on=JUL,
            decided_by="records",
        )
        with django_assert_num_queries(2):
            from_summary = selectors.branch_report(units=branches, first=JUN, last=JUL)
        SummaryMonth.objects.filter(month__in=[JUN, JUL]).delete()
        live = selectors.branch_report(units=branches, first=JUN, last=JUL)
        figures = [
            [(c.unit.pk, c.month, c.owed, c.members) for c in cells]
            for cells in (from_summary, live)
        ]
        assert figures[0] == figures[1]
        assert [c.members for c in live if c.unit == units["law_b1"]] == [3, 2]
        assert summary.update() == [JUN, JUL, date(2026, 8, 1)]


# --- concurrent transactions (PostgreSQL; SQLite runs whole transactions one at a time, BEGIN
# IMMEDIATE). Each test orders two real transactions by events: one stops inside its transaction;
# the other starts, and the test waits until PostgreSQL reports it waiting for a lock
# (pg_stat_activity), or until it has finished — in which case nothing held it back and the
# figures show what that costs. No sleeps.


def concurrent(test):
    marks = (
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql", reason="row and advisory locks: PostgreSQL"
        ),
    )
    for mark in marks:
        test = mark(test)
    return test


WAIT = 60  # a safety net against a hang, not an ordering: every wait below ends on an event


class Step(threading.Thread):
    """`target` in a thread with its own connection; `pid` is its PostgreSQL backend."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.target, self.error, self.pid = target, None, None
        self.connected = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            self.target()
        except Exception as exc:  # noqa: BLE001 - raised again by finish()
            self.error = exc
        finally:
            self.connected.set()
            connection.close()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive()
        if self.error:
            raise self.error


def blocked(step: Step) -> bool:
    """Wait until `step` waits for a lock (True) or has ended (False)."""
    assert step.connected.wait(WAIT)
    while step.is_alive():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [step.pid]
            )
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return True
    return False


def pay(held, key: str, *, inside=lambda: None):
    """A payment of June by members[key], then `inside()` before its transaction commits."""

    def run():
        with transaction.atomic():
            services.payment_record(
                by_user=held["users"]["treasurer"],
                member=held["members"][key],
                months=[JUN],
                amount="0.20",
            )
            inside()

    return run


def drop_june():
    """June as if the job had not added it yet (a month that begins)."""
    MonthSummary.objects.filter(month=JUN).delete()
    SummaryMonth.objects.filter(month=JUN).delete()


@concurrent
def test_a_payment_begun_before_the_month_is_added_is_in_it(held):
    """The drift of session 8: the payment's transaction refreshes while June is not held (nothing
    to refresh), the job adds June and computes it before the payment commits. Now the job waits
    for the payment's commit, so June counts it."""
    drop_june()
    written, commit = threading.Event(), threading.Event()

    def inside():
        written.set()
        assert commit.wait(WAIT)

    writer = Step(pay(held, "law_b1", inside=inside))
    writer.start()
    assert written.wait(WAIT)
    job = Step(summary.update)
    job.start()
    job_waited = blocked(job)
    commit.set()
    writer.finish()
    job.finish()
    assert job_waited
    assert_in_step()
    assert stored()[(held["units"]["law_b1"].pk, JUN)][1] == 20  # the 0.20 paid


@concurrent
def test_a_payment_while_the_job_computes_refreshes_the_month(held, monkeypatch):
    """The other order: the job has computed June and not committed; a payment of June waits for
    it, then finds June held and refreshes it."""
    drop_june()
    computed, finish = threading.Event(), threading.Event()
    store = summary._store

    def slow_store(*, unit_ids, months):
        count = store(unit_ids=unit_ids, months=months)
        if unit_ids is None:  # the job's
            computed.set()
            assert finish.wait(WAIT)
        return count

    monkeypatch.setattr(summary, "_store", slow_store)
    job = Step(summary.update)
    job.start()
    assert computed.wait(WAIT)
    writer = Step(pay(held, "law_b1"))
    writer.start()
    writer_waited = blocked(writer)
    finish.set()
    job.finish()
    writer.finish()
    assert writer_waited
    assert_in_step()
    assert stored()[(held["units"]["law_b1"].pk, JUN)][1] == 20


@concurrent
def test_two_payments_in_one_branch_and_month(held):
    """Two writers of the same held cell: the second waits for the first's month lock, then counts
    both payments (without the lock it would store a cell missing the first)."""
    written, commit = threading.Event(), threading.Event()

    def inside():
        written.set()
        assert commit.wait(WAIT)

    first = Step(pay(held, "law_b1", inside=inside))
    first.start()
    assert written.wait(WAIT)
    second = Step(pay(held, "treasurer"))
    second.start()
    second_waited = blocked(second)
    commit.set()
    first.finish()
    second.finish()
    assert second_waited
    assert_in_step()
    assert stored()[(held["units"]["law_b1"].pk, JUN)][1] == 40
