"""Organisation life that is study credits the attendees' yearly 学时 (rules.STUDY_CREDIT_RULES).

party imports nothing from learning: the ledger lives in learning.progress, which registers a
listener here at start-up (learning/progress/apps.py). When a member's attendance at a study
meeting becomes 实到, or stops being 实到 (a correction), party announces it; the listener writes
the ledger entry (or a correction entry) in the same transaction as the attendance change."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from party.meetings.models import MeetingKind
from party.meetings.rules import STUDY_CREDIT_RULES


def study_hours(*, kind: str, starts_at, ends_at) -> Decimal:
    """学时 a meeting of `kind` credits each member present: its planned length in class hours
    (DANGKE["CLASS_HOUR_MINUTES"]) rounded down to a half, at most the kind's cap; 0 when the kind
    is not study."""
    rule = STUDY_CREDIT_RULES.get(kind)
    if rule is None:
        return Decimal("0")
    minutes = Decimal((ends_at - starts_at).total_seconds()) / 60
    class_hours = minutes / Decimal(settings.DANGKE["CLASS_HOUR_MINUTES"])
    halves = (class_hours * 2).to_integral_value(rounding=ROUND_FLOOR) / 2
    return min(Decimal(rule["max_hours"]), max(halves, Decimal("0"))).quantize(Decimal("0.01"))


@lru_cache(maxsize=64)
def _kind_label(kind: str, language: str | None) -> str:
    """The kind's label in `language` (the active one), looked up once per process and language:
    the check-in's path credits one entry per scan. (get_kind_display() would translate all eight
    labels each time; Django hashes the field's choices.)"""
    return str(MeetingKind(kind).label)


def meeting_study_hours(meeting) -> Decimal:
    return study_hours(kind=meeting.kind, starts_at=meeting.starts_at, ends_at=meeting.ends_at)


@dataclass(frozen=True)
class StudyAttendance:
    """A member's attendance at a study meeting became 实到 (`present`) or stopped being so."""

    meeting_id: int
    user_id: int
    hours: Decimal
    occurred_on: date
    title: str
    present: bool
    by_user: object  # the user who recorded it (the member at a QR check-in)
    at: datetime  # when it was recorded (the attendance change's time)
    # The member had no attendance at this meeting before this change, so nothing of it was ever
    # credited (only these announcements write org-life credits): a listener may skip looking.
    first: bool = False


StudyListener = Callable[[StudyAttendance], None]
_listeners: list[StudyListener] = []


def register_study_attendance_listener(listener: StudyListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def study_attendance_changed(
    *,
    meeting,
    user_id: int | None,
    was_present: bool,
    present: bool,
    by_user,
    at: datetime,
    first: bool = False,
) -> None:
    """Called by services._record inside its transaction; a member without an account has no
    ledger (it is keyed by user) and is skipped."""
    if was_present == present or not user_id:
        return
    hours = meeting_study_hours(meeting)
    if hours <= 0:
        return
    event = StudyAttendance(
        meeting_id=meeting.pk,
        user_id=user_id,
        hours=hours,
        occurred_on=timezone.localdate(meeting.starts_at),
        title=f"{_kind_label(meeting.kind, get_language())}：{meeting.topic}",
        present=present,
        by_user=by_user,
        at=at,
        first=first,
    )
    for listener in _listeners:
        listener(event)
