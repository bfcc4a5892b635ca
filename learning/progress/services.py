"""Writes of learning progress: crediting watched and read time honestly, and the 学时 ledger."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.classes.models import Enrolment
from learning.progress import playback_rows
from learning.progress.exceptions import InvalidRecord
from learning.progress.lessons import LessonInfo
from learning.progress.models import (
    OFFLINE_SOURCES,
    HoursLedgerEntry,
    LedgerSource,
    LessonProgress,
)
from learning.progress.offline_hours import offline_date_check, offline_hours

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
class _Step:
    """What the rules decided for one report, before anything is written."""

    credited_now: float
    # "keep": ActivePlayback stays; "take": this session becomes the accruing one; "clear": none.
    activation: str
    completes: bool


def _progress_step(
    *,
    state: playback_rows.PlaybackState,
    lesson: LessonInfo,
    event: str,
    position: float | None,
    active: bool | None,
    now: datetime,
) -> _Step:
    """Apply docs/domain.md's crediting rules to the rows in `state` (in memory only)."""
    rules = _rules()
    max_gap = float(rules["PROGRESS_MAX_GAP_SECONDS"])
    tolerance = float(rules["PROGRESS_SEEK_TOLERANCE_SECONDS"])
    session, progress = state.session, state.progress
    was_completed = progress.completed_at is not None
    credited_now = 0.0

    if lesson.kind == "video":
        duration = lesson.duration_seconds
        pos = min(max(float(position or 0), 0.0), duration) if duration > 0 else 0.0
    else:
        duration = 0.0
        pos = 0.0

    is_active = state.active_session_id == session.id
    accruing = is_active and session.anchor_at is not None
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
    activation = "keep"
    if stop:
        session.anchor_at = None
        if is_active:
            activation = "clear"
    else:
        session.anchor_at = now
        session.anchor_position = pos
        if not is_active:
            # This tab (or lesson) takes over; the previous one stops accruing.
            activation = "take"
    session.credited_seconds = round(session.credited_seconds + credited_now, 3)

    if lesson.kind == "video":
        # Resume where I stopped, but never beyond what a first viewing has reached.
        progress.last_position = pos if was_completed else min(pos, progress.furthest_position)
    completes = not was_completed and _is_done(progress=progress, lesson=lesson)
    if completes:
        progress.completed_at = now
    return _Step(credited_now=round(credited_now, 3), activation=activation, completes=completes)


def _step_result(*, step: _Step, progress, lesson: LessonInfo) -> ProgressResult:
    completed = progress.completed_at is not None
    return ProgressResult(
        credited_now=step.credited_now,
        credited_seconds=progress.credited_seconds,
        watched_ratio=_ratio(progress=progress, lesson=lesson),
        completed=completed,
        class_hours=lesson.class_hours if completed else Decimal("0.00"),
        last_position=progress.last_position,
    )


def _record_guarded(*, user, lesson: LessonInfo, event, playback_session, position, active, now):
    """PostgreSQL's steady heartbeat: read without locks, then one guarded write (two statements).

    Returns None — nothing written — when the report needs more than updating the two rows (a new
    session, a takeover, a stop, a completion that credits 学时) or when another report wrote
    first; the caller then takes the locking path, which decides afresh.
    """
    state = playback_rows.playback_read(
        user_id=user.pk, lesson_id=lesson.id, key=playback_session, lock=False
    )
    if state is None:
        return None
    read_events, read_revision = state.session.events, state.progress.revision
    step = _progress_step(
        state=state, lesson=lesson, event=event, position=position, active=active, now=now
    )
    if step.activation != "keep" or step.completes:
        return None
    written = playback_rows.playback_save_guarded(
        session=state.session,
        progress=state.progress,
        read_events=read_events,
        read_revision=read_revision,
        now=now,
    )
    return _step_result(step=step, progress=state.progress, lesson=lesson) if written else None


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
    """Record one report of the player or reader and credit only what docs/domain.md allows.

    The server keeps, per trainee, one accruing playback session (ActivePlayback). A session
    accrues from its anchor (position and time of its last accepted report): a video segment earns
    at most the played span, at most the wall time since the anchor × MAX_PLAYBACK_RATE, never past
    the duration, only seconds not already in the union of watched intervals, and on a first
    viewing only from a point already reached by watching. Any report from a session that is not
    the accruing one, or after a silence longer than PROGRESS_MAX_GAP_SECONDS, re-anchors and earns
    nothing.

    Reports of one trainee are serialised: the locking path holds the trainee's rows for the whole
    report (two tabs wait for each other). On PostgreSQL a steady heartbeat first tries a guarded
    write instead (_record_guarded): the same rules on rows read without locks, written only if
    nobody wrote them meanwhile — two statements and no transaction. On SQLite the locking path
    is already cheap (no network): a read and two updates under BEGIN IMMEDIATE.
    """
    if event not in ProgressEvent.ALL:
        raise InvalidRecord({"event": _("未知的事件。")})
    now = now or timezone.now()
    report = {
        "lesson": lesson,
        "event": event,
        "position": position,
        "active": active,
        "now": now,
    }
    if event == ProgressEvent.HEARTBEAT and connection.vendor == "postgresql":
        result = _record_guarded(user=user, playback_session=playback_session, **report)
        if result is not None:
            return result

    with transaction.atomic():
        key = {"user_id": user.pk, "lesson_id": lesson.id, "key": playback_session}
        state = playback_rows.playback_read(**key, lock=True)
        if state is None:
            playback_rows.playback_create(
                user=user, lesson_id=lesson.id, key=playback_session, now=now
            )
            state = playback_rows.playback_read(**key, lock=True)
        step = _progress_step(state=state, **report)
        if step.activation == "take":
            playback_rows.playback_activate(user_id=user.pk, session_id=state.session.id)
        elif step.activation == "clear":
            playback_rows.playback_activate(user_id=user.pk, session_id=None)
        if step.completes:
            _restore_commit_durability()  # the 学时 credited below must survive a crash
            _credit_lesson(user=user, lesson=lesson, now=now)
        playback_rows.playback_save(session=state.session, progress=state.progress, now=now)
    return _step_result(step=step, progress=state.progress, lesson=lesson)


def _check_amount(amount: Decimal) -> Decimal:
    try:
        value = Decimal(amount).quantize(TWO_PLACES)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise InvalidRecord({"amount": _("学时必须是数字。")}) from exc
    return value


def _check_enrolled(*, user, training_class) -> None:
    if not Enrolment.objects.filter(training_class=training_class, trainee__user=user).exists():
        raise InvalidRecord({"user": _("该学员未编入此培训班。")})


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
    """A trainer records offline hours (集中授课, 分组讨论, 实践教学); a whole day counts DAY_CLASS_HOURS."""
    if source not in OFFLINE_SOURCES:
        raise InvalidRecord({"source": _("线下学时的来源只能是集中授课、分组讨论或实践教学。")})
    # The same rules as a whole session (offline_hours.py): days → 学时, the per-session maximum,
    # dated inside the class.
    value = offline_hours(amount=amount, days=days)
    # Undated (a caller of the service, not the form, which asks for the date): recorded today.
    occurred_on = occurred_on or timezone.localdate()
    offline_date_check(training_class=training_class, occurred_on=occurred_on)
    if not (note or "").strip():
        raise InvalidRecord({"note": _("请填写说明（如培训内容、地点）。")})
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
        raise InvalidRecord({"amount": _("更正的学时不能为 0。")})
    if not (note or "").strip():
        raise InvalidRecord({"note": _("请填写更正原因。")})
    with transaction.atomic():
        original = HoursLedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if original.source == LedgerSource.CORRECTION:
            raise InvalidRecord({"corrects": _("请更正原始记录，而不是更正记录本身。")})
        corrected = original.corrections.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if original.amount + corrected + value < 0:
            raise InvalidRecord({"amount": _("更正后该记录的学时不能小于 0。")})
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
        raise InvalidRecord({"amount": _("学时不能为负数。")})
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
