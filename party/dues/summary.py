"""The 党费 summary (MonthSummary: owed, paid, 应交人数 and 已交清人数 per branch and month) kept in
step with the records, so the reports and the statistics dashboard read a few rows.

One rule: every figure is selectors.cells_compute over the records (the ledger, each member in the
branch of the month's counted day). The summary only stores what it returned:
- `refresh` recomputes the cells a write may have changed — the branches the members ever
  belonged to, in the months it touches — inside the write's transaction. The services of
  party.dues call it (payments, bulk payments and statement imports, the gateway, 冲正, bases);
  the records of party.members that change what is owed (stage changes, 组织关系转接) call it
  through post_save signals (apps.py), so that app does not depend on this one.
- `update` (the periodic job dues_summary, every 5 minutes) adds the months not yet held, up to the
  next one; `rebuild` (manage.py dues_summary --rebuild) recomputes everything. Nothing else moves
  the figures with time: the services refuse stage changes and transfers dated after today, and a
  base from a later month is counted when that month is added.
A month is either held in full (SummaryMonth) or not at all: the readers compute a month not held
from the records. The job holds the next month too, before it begins, so the month that has just
begun is read from the summary from its first minute (its figures cannot move until then: the
services refuse records dated after today, and every record refreshes the held months it touches).

Locks (PostgreSQL; SQLite takes its one write lock at BEGIN IMMEDIATE, cms/settings, so whole
transactions run one at a time there):
- writers lock the months they refresh (SummaryMonth rows, SELECT … FOR UPDATE, in month order), so
  two payments in one branch and month do not each store a count that misses the other;
- every writer first takes the summary's lock in shared mode (a transaction-level advisory lock,
  held to its commit), and the job and the rebuild take it exclusively before they look at which
  months are held. So a write whose transaction began before a month was added either commits
  before the job computes that month (the job waits for it and reads it), or finds the month held
  and refreshes it (it waits for the job's commit) — a payment cannot fall between the two."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from party.dues.models import DuesBase, MonthSummary, PaymentMonth, SummaryMonth
from party.dues.selectors import cells_compute, this_month
from party.dues.values import add_months, month_span
from party.members.models import Member
from party.members.selectors import unit_histories

# The summary's advisory lock (PostgreSQL): b"dues" as a number; nothing else in the project takes
# advisory locks.
LOCK_KEY = 0x64756573


def _lock(*, exclusive: bool) -> None:
    """Take the summary's lock for the rest of the transaction: shared (a writer) or exclusive (the
    job, the rebuild). Nothing to take on SQLite: BEGIN IMMEDIATE already serialises."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])


def _store(*, unit_ids: set[int] | None, months: list[date]) -> int:
    """Replace the cells of `unit_ids` (None: all) in `months` by freshly computed ones."""
    cells = cells_compute(unit_ids=unit_ids, months=months)
    stale = MonthSummary.objects.filter(month__in=months)
    if unit_ids is not None:
        stale = stale.filter(unit_id__in=unit_ids)
    stale.delete()
    MonthSummary.objects.bulk_create(
        [
            MonthSummary(
                unit_id=unit_id,
                month=month,
                owed_fen=owed,
                paid_fen=paid,
                members=members,
                paid_members=paid_members,
            )
            for (unit_id, month), (owed, paid, members, paid_members) in cells.items()
        ],
        batch_size=5000,
    )
    return len(cells)


def refresh(*, member_ids, months: list[date] | None = None, since: date | None = None) -> None:
    """After a write about `member_ids`: recompute the summary's cells of every branch they ever
    belonged to, in `months` (a payment's) or every month from `since` on (a base, a stage, a
    transfer), of those the summary holds. Call inside the write's transaction; outside one (a
    signal from a write in autocommit, as load_demo makes) it opens its own, so that the row lock
    is legal on PostgreSQL."""
    with transaction.atomic():
        _refresh(member_ids=member_ids, months=months, since=since)


def _refresh(*, member_ids, months, since) -> None:
    _lock(exclusive=False)
    held = SummaryMonth.objects.select_for_update().order_by("month")
    if months is not None:
        held = held.filter(month__in=sorted({m.replace(day=1) for m in months}))
    else:
        held = held.filter(month__gte=since.replace(day=1))
    held = list(held.values_list("month", flat=True))
    if not held:
        return
    members = list(Member.objects.filter(pk__in=list(member_ids)).only("pk", "unit_id"))
    unit_ids: set[int] = set()
    for history in unit_histories(members=members).values():
        unit_ids |= history.unit_ids
    _store(unit_ids=unit_ids, months=held)


def _first_month() -> date | None:
    """The earliest month anything is owed or paid for (a base's start, a paid month)."""
    found = [
        d
        for d in (
            DuesBase.objects.aggregate(m=Min("starts_on"))["m"],
            PaymentMonth.objects.aggregate(m=Min("month"))["m"],
        )
        if d is not None
    ]
    return min(found).replace(day=1) if found else None


def _last_month() -> date:
    """The last month the job holds: the next one, so a month is held before it begins."""
    return add_months(this_month(), 1)


def _hold(months: list[date], *, rebuild: bool = False) -> list[date]:
    """Under the exclusive lock, compute `months` for every branch and mark them held, in one
    transaction: those not held yet (all of them, after clearing everything, to `rebuild`)."""
    with transaction.atomic():
        _lock(exclusive=True)
        if rebuild:
            MonthSummary.objects.all().delete()
            SummaryMonth.objects.all().delete()
        else:
            held = set(
                SummaryMonth.objects.filter(month__in=months).values_list("month", flat=True)
            )
            months = [m for m in months if m not in held]
        if not months:
            return []
        now = timezone.now()
        SummaryMonth.objects.bulk_create([SummaryMonth(month=m, built_at=now) for m in months])
        _store(unit_ids=None, months=months)
    return months


def update() -> list[date]:
    """Hold every month from the first record to the next month not held yet (three queries when
    none is missing). Returns the months computed."""
    first, last = _first_month(), _last_month()
    if first is None or first > last:
        return []
    held = set(SummaryMonth.objects.values_list("month", flat=True))
    months = [m for m in month_span(first, last) if m not in held]
    if not months:
        return []
    return _hold(months)


def rebuild() -> list[date]:
    """Recompute the whole summary from the records (every month from the first record to the
    next month), in one transaction: the readers see the old figures until it commits."""
    first, last = _first_month(), _last_month()
    months = month_span(first, last) if first is not None and first <= last else []
    _hold(months, rebuild=True)
    return months
