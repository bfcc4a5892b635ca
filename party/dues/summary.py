"""The 党费 summary (MonthSummary: owed, paid, 应交人数 and 已交清人数 per branch and month) kept in
step with the records, so the reports and the statistics dashboard read a few rows.

One rule: every figure is selectors.cells_compute over the records (the ledger, each member in the
branch of the month's counted day). The summary only stores what it returned:
- `refresh` recomputes the cells a write may have changed — the branches the members ever
  belonged to, in the months it touches — inside the write's transaction. The services of
  party.dues call it (payments, bulk payments and statement imports, the gateway, 冲正, bases);
  the records of party.members that change what is owed (stage changes, 组织关系转接) call it
  through post_save signals (apps.py), so that app does not depend on this one.
- `update` (the periodic job dues_summary, every 5 minutes) adds the months not yet held (a month
  begins); `rebuild` (manage.py dues_summary --rebuild) recomputes everything. Nothing else moves
  the figures with time: the services refuse stage changes and transfers dated after today, and a
  base from a later month is counted when that month is added.
A month is either held in full (SummaryMonth) or not at all: the readers compute a month not held
from the records. Writes lock the months they refresh (SummaryMonth rows, SELECT … FOR UPDATE), so
two payments in one branch and month do not each store a count that misses the other."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from party.dues.models import DuesBase, MonthSummary, PaymentMonth, SummaryMonth
from party.dues.selectors import cells_compute, this_month
from party.dues.values import month_span
from party.members.models import Member
from party.members.selectors import unit_histories


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


def _hold(months: list[date]) -> None:
    """Compute `months` for every branch and mark them held, in one transaction."""
    with transaction.atomic():
        now = timezone.now()
        for month in months:
            SummaryMonth.objects.update_or_create(month=month, defaults={"built_at": now})
        list(SummaryMonth.objects.select_for_update().filter(month__in=months))
        _store(unit_ids=None, months=months)


def update() -> list[date]:
    """Hold every month from the first record to this one not held yet (three queries when none
    is missing). Returns the months computed."""
    first, current = _first_month(), this_month()
    if first is None or first > current:
        return []
    held = set(SummaryMonth.objects.values_list("month", flat=True))
    months = [m for m in month_span(first, current) if m not in held]
    if not months:
        return []
    # A new month is listed (and committed) before it is computed: a write from then on refreshes
    # it under the lock, so the computation cannot miss it.
    for month in months:
        SummaryMonth.objects.get_or_create(month=month)
    _hold(months)
    return months


def rebuild() -> list[date]:
    """Recompute the whole summary from the records (every month from the first record on)."""
    with transaction.atomic():
        MonthSummary.objects.all().delete()
        SummaryMonth.objects.all().delete()
    first = _first_month()
    if first is None or first > this_month():
        return []
    months = month_span(first, this_month())
    _hold(months)
    return months
