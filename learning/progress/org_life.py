"""Organisation life in the 学时 ledger, and the yearly total party asks for.

party imports nothing from learning, so learning registers two functions at start-up
(learning/progress/apps.py):
- a listener of party.meetings.study: a member marked 实到 at a study meeting (党课, 主题党日,
  集中学习) gets an ORG_LIFE entry; when the attendance is withdrawn (a correction) the entry is
  corrected by a new entry through ledger_correction_add, never edited. Marked 实到 again, a new
  ORG_LIFE entry. Its reference is "meeting:<id>", so the net credit of a meeting is the sum of its
  entries and their corrections;
- party.members.checks' yearly total: every ledger entry of the calendar year (micro-lessons,
  training classes, exams, organisation life, corrections), by the day it happened."""

from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hot_sql import insert_row
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.services import ledger_correction_add


def _reference(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def _credit(event) -> None:
    # One INSERT (insert_row: a new entry's save() only refuses edits, the ledger has no
    # post_save receiver and is out of Wagtail's reference index) — every QR check-in writes one.
    insert_row(
        HoursLedgerEntry,
        user_id=event.user_id,
        source=LedgerSource.ORG_LIFE,
        amount=event.hours,
        occurred_on=event.occurred_on,
        # A member's own QR check-in is the system's crediting (granted_by None), as for lessons.
        granted_by_id=None if event.by_user.pk == event.user_id else event.by_user.pk,
        reference=_reference(event.meeting_id),
        lesson_title=event.title[:255],
        note=_credit_note(get_language()) % {"title": event.title},
        created_at=event.at,
    )


@lru_cache(maxsize=16)
def _credit_note(language: str | None) -> str:
    """The credit's note in `language` (the active one), translated once per process and
    language: every QR check-in writes one."""
    return _("组织生活出勤：%(title)s")


def meeting_attendance_to_ledger(event) -> None:
    """Listener of party.meetings.study (a StudyAttendance): credit or correct the member's 学时
    for the meeting. Runs inside the attendance change's transaction (the attendance row is locked,
    so two changes of one member's attendance do not race). A first attendance (`event.first`: the
    QR check-in burst) cannot have been credited before, so it is credited without looking."""
    if event.present and event.first:
        _credit(event)
        return
    corrections = (
        HoursLedgerEntry.objects.filter(corrects=OuterRef("pk"))
        .values("corrects")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=6, decimal_places=2))
    credited = (
        HoursLedgerEntry.objects.filter(
            user_id=event.user_id,
            source=LedgerSource.ORG_LIFE,
            reference=_reference(event.meeting_id),
        )
        .annotate(net=Coalesce("amount", zero) + Coalesce(Subquery(corrections), zero))
        .filter(net__gt=0)
        .order_by("-id")
        .first()
    )
    if event.present and credited is None:
        _credit(event)
    elif not event.present and credited is not None:
        ledger_correction_add(
            entry=credited,
            amount=-credited.net,
            granted_by=event.by_user,
            note=_("出勤更正（不再计为实到）：%(title)s") % {"title": event.title},
        )


def yearly_hours(*, user_ids, year: int) -> dict[int, Decimal]:
    """学时 of each user in calendar `year` (by the day it happened; entries without a day by the
    day they were recorded), every source together; users without entries are absent. One query."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = (
        HoursLedgerEntry.objects.filter(user_id__in=list(user_ids))
        .annotate(day=Coalesce("occurred_on", TruncDate("created_at")))
        .filter(Q(day__gte=start) & Q(day__lte=end))
        .order_by()
        .values("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    return {user_id: total or Decimal("0") for user_id, total in rows}
