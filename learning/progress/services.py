"""Writes of learning progress: crediting watched and read time honestly, and the 学时 ledger."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from learning.progress.lessons import LessonInfo
from learning.progress.models import (
    OFFLINE_SOURCES,
    ActivePlayback,
    HoursLedgerEntry,
    LedgerSource,
    LessonProgress,
    PlaybackSession,
)

TWO_PLACES = Decimal("0.01")


class ProgressEvent:
    PLAY = "play"
    HEARTBEAT = "heartbeat"
    PAUSE = "pause"
    ENDED = "ended"
    ALL = (PLAY, HEARTBEAT, PAUSE, ENDED)


@dataclass(frozen=True)
class ProgressResult:
    """What a progress report earned, and where the lesson stands now."""

    credited_now: float
    credited_seconds: float
    watched_ratio: float
    completed: bool
    class_hours: Decimal
    last_position: float


def _rules() -> dict:
    return settings.DANGKE


def intervals_merge(intervals: list, start: float, end: float) -> tuple[list, float]:
    """Add [start, end] to a sorted union of intervals; return the new union and the seconds added.

    Bounds are kept to the millisecond, and rounded before merging, so that a segment starting
    where the previous one ended (at an unrounded player position) joins it instead of leaving a
    sub-millisecond gap: an honest viewing stays one interval however many heartbeats it takes.
    """
    start, end = round(start, 3), round(end, 3)
    if end <= start:
        return intervals, 0.0
    before = sum(b - a for a, b in intervals)
    merged: list[list[float]] = []
    for a, b in sorted([*intervals, [start, end]]):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    after = sum(b - a for a, b in merged)
    return [[round(a, 3), round(b, 3)] for a, b in merged], max(0.0, after - before)


def _ratio(*, progress: LessonProgress, lesson: LessonInfo) -> float:
    target = lesson.duration_seconds if lesson.kind == "video" else lesson.min_reading_seconds
    if target <= 0:
        return 0.0
    return round(min(1.0, progress.credited_seconds / target), 4)


def _is_done(*, progress: LessonProgress, lesson: LessonInfo) -> bool:
    if lesson.kind == "video":
        if lesson.duration_seconds <= 0:
            return False
        # Compare seconds, not a rounded ratio, so 89.99% never counts as 90%.
        needed = lesson.duration_seconds * float(_rules()["VIDEO_COMPLETE_RATIO"])
        return progress.credited_seconds + 1e-6 >= needed
    return progress.credited_seconds >= lesson.min_reading_seconds


def progress_result(*, progress: LessonProgress | None, lesson: LessonInfo) -> ProgressResult:
    """Where a lesson stands for a trainee (no progress yet counts as nothing watched)."""
    if progress is None:
        return ProgressResult(0.0, 0.0, 0.0, False, Decimal("0.00"), 0.0)
    completed = progress.completed_at is not None
    return ProgressResult(
        credited_now=0.0,
        credited_seconds=progress.credited_seconds,
        watched_ratio=_ratio(progress=progress, lesson=lesson),
        completed=completed,
        class_hours=lesson.class_hours if completed else Decimal("0.00"),
        last_position=progress.last_position,
    )


def _restore_commit_durability() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO ON")


def _credit_lesson(*, user, lesson: LessonInfo, now: datetime) -> None:
    """Completing a lesson credits its 学时 once per trainee (the DB constraint is the backstop)."""
    if lesson.class_hours <= 0:
        return
    already = HoursLedgerEntry.objects.filter(
        user=user, lesson_id=lesson.id, source=LedgerSource.ONLINE_LESSON
    ).exists()
    if already:
        return
    HoursLedgerEntry.objects.create(
        user=user,
        source=LedgerSource.ONLINE_LESSON,
        amount=lesson.class_hours,
        created_at=now,
        occurred_on=timezone.localdate(now),
        granted_by=None,
        lesson_id=lesson.id,
        lesson_title=lesson.title[:255],
        note=_("在线学习完成"),
    )


@dataclass
class _SessionRow:
    """The reporting playback session, as the locked read returned it."""

    id: int
    anchor_position: float
    anchor_at: datetime | None
    events: int
    credited_seconds: float


@dataclass
class _ProgressRow:
    """The trainee's progress on the lesson, as the locked read returned it."""

    id: int
    intervals: list
    furthest_position: float
    last_position: float
    credited_seconds: float
    completed_at: datetime | None


def _db_datetime(value) -> datetime | None:
    """A datetime column read by raw SQL: aware on PostgreSQL, naive UTC (or text) on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _db_json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _playback_lock(*, user_id: int, lesson_id: int, key: str):
    """Lock the trainee's rows for this report and read, in the same statement, what it needs.

    Returns (accruing session id, reporting session, progress), or None when one of the three rows
    does not exist yet (the first report of a trainee, a tab or a lesson). One round trip: the
    hottest write path reads once.

    On PostgreSQL all three rows are locked (FOR UPDATE OF ap, s, p): a report that waited for
    another tab's report then re-reads every row it locked at its newest version, so it builds on
    what the other report wrote. The same statement also turns synchronous_commit off for this
    transaction only: a heartbeat's commit need not wait for the WAL flush. A crash may lose the
    last fraction of a second of heartbeats (a transaction is lost whole, never half-applied) and
    the trainee re-watches a few seconds; this removes the per-heartbeat fsync wait, the biggest
    cost of the hottest write path. The transaction that credits 学时 restores full durability
    before it commits. On SQLite the transaction's BEGIN IMMEDIATE is the lock.
    """
    q = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    sql = (
        "SELECT ap.session_id, s.id, s.anchor_position, s.anchor_at, s.events, "
        "s.credited_seconds, p.id, p.intervals, p.furthest_position, p.last_position, "
        "p.credited_seconds, p.completed_at"
        + (", set_config('synchronous_commit', 'off', true)" if pg else "")
        + f" FROM {q(ActivePlayback._meta.db_table)} ap"
        f" JOIN {q(PlaybackSession._meta.db_table)} s ON s.user_id = ap.user_id"
        f" AND s.lesson_id = %s AND s.{q('key')} = %s"
        f" JOIN {q(LessonProgress._meta.db_table)} p ON p.user_id = ap.user_id"
        " AND p.lesson_id = %s"
        " WHERE ap.user_id = %s" + (" FOR UPDATE OF ap, s, p" if pg else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [lesson_id, key, lesson_id, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    session = _SessionRow(row[1], row[2], _db_datetime(row[3]), row[4], row[5])
    progress = _ProgressRow(
        row[6], _db_json(row[7]) or [], row[8], row[9], row[10], _db_datetime(row[11])
    )
    return row[0], session, progress


def _playback_create(*, user, lesson_id: int, key: str, now: datetime) -> None:
    """The first report of a trainee, a session or a lesson: create the rows the lock reads."""
    ActivePlayback.objects.get_or_create(user=user)
    PlaybackSession.objects.get_or_create(
        user=user, lesson_id=lesson_id, key=key, defaults={"started_at": now}
    )
    LessonProgress.objects.get_or_create(
        user=user, lesson_id=lesson_id, defaults={"created_at": now, "updated_at": now}
    )


def _playback_save(*, session: _SessionRow, progress: _ProgressRow, now: datetime) -> None:
    """Write the session and the progress back: one statement on PostgreSQL, two on SQLite."""
    q = connection.ops.quote_name
    ops = connection.ops
    at = ops.adapt_datetimefield_value
    session_sql = (
        f"UPDATE {q(PlaybackSession._meta.db_table)} SET anchor_position = %s, anchor_at = %s, "
        "last_event_at = %s, events = %s, credited_seconds = %s WHERE id = %s"
    )
    session_params = [
        session.anchor_position,
        at(session.anchor_at),
        at(now),
        session.events,
        session.credited_seconds,
        session.id,
    ]
    progress_sql = (
        f"UPDATE {q(LessonProgress._meta.db_table)} SET intervals = %s, furthest_position = %s, "
        "last_position = %s, credited_seconds = %s, completed_at = %s, updated_at = %s "
        "WHERE id = %s"
    )
    progress_params = [
        ops.adapt_json_value(progress.intervals, None),
        progress.furthest_position,
        progress.last_position,
        progress.credited_seconds,
        at(progress.completed_at),
        at(now),
        progress.id,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A data-modifying WITH runs to completion whether or not its result is read.
            cursor.execute(
                f"WITH s AS ({session_sql}) {progress_sql}", session_params + progress_params
            )
        else:
            cursor.execute(session_sql, session_params)
            cursor.execute(progress_sql, progress_params)


def lesson_progress_record(
    *,
    user,
    lesson: LessonInfo,
    event: str,
    playback_session: str,
    position: float | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> ProgressResult:
    """Record one report of the player or reader and credit only what DOMAIN.md allows.

    The server keeps, per trainee, one accruing playback session (ActivePlayback, locked for the
    whole report so two tabs are serialised). A session accrues from its anchor (position and time
    of its last accepted report): a video segment earns at most the played span, at most the wall
    time since the anchor × MAX_PLAYBACK_RATE, never past the duration, only seconds not already in
    the union of watched intervals, and on a first viewing only from a point already reached by
    watching. Any report from a session that is not the accruing one, or after a silence longer than
    PROGRESS_MAX_GAP_SECONDS, re-anchors and earns nothing.

    A steady heartbeat costs one locking read and one write (two on SQLite) in one transaction.
    """
    if event not in ProgressEvent.ALL:
        raise ValidationError({"event": _("未知的事件。")})
    now = now or timezone.now()
    rules = _rules()
    max_gap = float(rules["PROGRESS_MAX_GAP_SECONDS"])
    tolerance = float(rules["PROGRESS_SEEK_TOLERANCE_SECONDS"])
    credited_now = 0.0

    with transaction.atomic():
        state = _playback_lock(user_id=user.pk, lesson_id=lesson.id, key=playback_session)
        if state is None:
            _playback_create(user=user, lesson_id=lesson.id, key=playback_session, now=now)
            state = _playback_lock(user_id=user.pk, lesson_id=lesson.id, key=playback_session)
        active_session_id, session, progress = state
        was_completed = progress.completed_at is not None

        if lesson.kind == "video":
            duration = lesson.duration_seconds
            pos = min(max(float(position or 0), 0.0), duration) if duration > 0 else 0.0
        else:
            duration = 0.0
            pos = 0.0

        accruing = active_session_id == session.id and session.anchor_at is not None
        elapsed = (now - session.anchor_at).total_seconds() if accruing else 0.0
        if accruing and 0 < elapsed <= max_gap and event != ProgressEvent.PLAY:
            if lesson.kind == "video":
                start = session.anchor_position
                end = min(pos, start + elapsed * float(rules["MAX_PLAYBACK_RATE"]), duration)
                # First viewing: nothing is earned from a point that was never reached by watching.
                reached = was_completed or start <= progress.furthest_position + tolerance
                if reached and end > start:
                    progress.intervals, credited_now = intervals_merge(
                        list(progress.intervals), start, end
                    )
                    progress.credited_seconds = round(sum(b - a for a, b in progress.intervals), 3)
                    progress.furthest_position = max(progress.furthest_position, end)
            elif active:
                # Reading earns wall time only while the page was visible and in use.
                credited_now = elapsed
                progress.credited_seconds = round(progress.credited_seconds + elapsed, 3)

        # Where the session stands after this report.
        stop = event in (ProgressEvent.PAUSE, ProgressEvent.ENDED) or (
            lesson.kind == "article" and active is False
        )
        if stop:
            session.anchor_at = None
            if active_session_id == session.id:
                ActivePlayback.objects.filter(user_id=user.pk).update(session=None)
        else:
            session.anchor_at = now
            session.anchor_position = pos
            if active_session_id != session.id:
                # This tab (or lesson) takes over; the previous one stops accruing.
                ActivePlayback.objects.filter(user_id=user.pk).update(session_id=session.id)
        session.events += 1
        session.credited_seconds = round(session.credited_seconds + credited_now, 3)

        if lesson.kind == "video":
            # Resume where I stopped, but never beyond what a first viewing has reached.
            progress.last_position = pos if was_completed else min(pos, progress.furthest_position)
        completed = was_completed
        if not was_completed and _is_done(progress=progress, lesson=lesson):
            _restore_commit_durability()  # the 学时 credited below must survive a crash
            progress.completed_at = now
            completed = True
            _credit_lesson(user=user, lesson=lesson, now=now)
        _playback_save(session=session, progress=progress, now=now)

    return ProgressResult(
        credited_now=round(credited_now, 3),
        credited_seconds=progress.credited_seconds,
        watched_ratio=_ratio(progress=progress, lesson=lesson),
        completed=completed,
        class_hours=lesson.class_hours if completed else Decimal("0.00"),
        last_position=progress.last_position,
    )


def _check_amount(amount: Decimal) -> Decimal:
    try:
        value = Decimal(amount).quantize(TWO_PLACES)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ValidationError({"amount": _("学时必须是数字。")}) from exc
    return value


def _check_enrolled(*, user, training_class) -> None:
    from learning.classes.models import Enrolment

    if not Enrolment.objects.filter(training_class=training_class, trainee__user=user).exists():
        raise ValidationError({"user": _("该学员未报名此培训班。")})


def ledger_offline_add(
    *,
    user,
    training_class,
    source: str,
    granted_by,
    note: str,
    amount: Decimal | None = None,
    days: Decimal | None = None,
    occurred_on: date | None = None,
) -> HoursLedgerEntry:
    """A trainer records offline hours (集中培训, 讨论, 实践); a whole day counts DAY_CLASS_HOURS."""
    if source not in OFFLINE_SOURCES:
        raise ValidationError({"source": _("线下学时的来源只能是集中培训、讨论或实践。")})
    if amount is None and days is None:
        raise ValidationError({"amount": _("请填写学时或天数。")})
    if amount is None:
        amount = Decimal(days) * Decimal(_rules()["DAY_CLASS_HOURS"])
    value = _check_amount(amount)
    if value <= 0:
        raise ValidationError({"amount": _("学时必须大于 0。")})
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写说明（如培训内容、地点）。")})
    _check_enrolled(user=user, training_class=training_class)
    return HoursLedgerEntry.objects.create(
        user=user,
        source=source,
        amount=value,
        occurred_on=occurred_on,
        granted_by=granted_by,
        training_class=training_class,
        note=note.strip(),
    )


def ledger_correction_add(
    *, entry: HoursLedgerEntry, amount: Decimal, granted_by, note: str
) -> HoursLedgerEntry:
    """Correct an entry by a new one (amount is the change, ±); the old entry stays visible."""
    value = _check_amount(amount)
    if value == 0:
        raise ValidationError({"amount": _("更正的学时不能为 0。")})
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写更正原因。")})
    with transaction.atomic():
        original = HoursLedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if original.source == LedgerSource.CORRECTION:
            raise ValidationError({"corrects": _("请更正原始记录，而不是更正记录本身。")})
        corrected = original.corrections.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if original.amount + corrected + value < 0:
            raise ValidationError({"amount": _("更正后该记录的学时不能小于 0。")})
        return HoursLedgerEntry.objects.create(
            user_id=original.user_id,
            source=LedgerSource.CORRECTION,
            amount=value,
            granted_by=granted_by,
            training_class_id=original.training_class_id,
            lesson_id=original.lesson_id,
            lesson_title=original.lesson_title,
            occurred_on=original.occurred_on,
            note=note.strip(),
            corrects=original,
        )


def ledger_exam_credit_add(
    *,
    user,
    training_class,
    amount: Decimal,
    reference: str = "",
    note: str = "",
) -> HoursLedgerEntry:
    """Credit a passed exam of a class (called by the quiz engine); once per trainee and class."""
    value = _check_amount(amount)
    if value < 0:
        raise ValidationError({"amount": _("学时不能为负数。")})
    with transaction.atomic():
        entry, _created = HoursLedgerEntry.objects.get_or_create(
            user=user,
            training_class=training_class,
            source=LedgerSource.EXAM,
            defaults={
                "amount": value,
                "granted_by": None,
                "reference": reference[:100],
                "note": note or _("结业考试通过"),
                "occurred_on": timezone.localdate(),
            },
        )
    return entry
