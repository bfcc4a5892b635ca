"""The rows a progress report reads and writes, in as few statements as the database allows.

Progress heartbeats are the hottest write path (every trainee, every ~10 s), so the three rows a
report needs — the trainee's ActivePlayback (which session accrues), the reporting PlaybackSession
and the LessonProgress — are read in one joined statement and written back in one (PostgreSQL) or
two (SQLite). services.lesson_progress_record holds the rules; this module only moves rows.

Every write bumps LessonProgress.revision, and every report bumps PlaybackSession.events: these two
numbers are what a guarded write (PostgreSQL's steady heartbeat, see playback_save_guarded) checks.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from hot_sql import db_datetime as _db_datetime
from hot_sql import db_json as _db_json
from hot_sql import hot_cursor as _hot_cursor
from hot_sql import postgresql as _postgresql
from learning.progress.models import ActivePlayback, LessonProgress, PlaybackSession


@dataclass
class SessionRow:
    """The reporting playback session."""

    id: int
    anchor_position: float
    anchor_at: datetime | None
    events: int
    credited_seconds: float


@dataclass
class ProgressRow:
    """The trainee's progress on the lesson (duck-types LessonProgress for the crediting rules)."""

    id: int
    intervals: list
    furthest_position: float
    last_position: float
    credited_seconds: float
    completed_at: datetime | None
    revision: int


@dataclass
class PlaybackState:
    """What one report needs: which session accrues, the reporting session, the progress."""

    active_session_id: int | None
    session: SessionRow
    progress: ProgressRow


def _tables() -> tuple[str, str, str]:
    q = connection.ops.quote_name
    return (
        q(ActivePlayback._meta.db_table),
        q(PlaybackSession._meta.db_table),
        q(LessonProgress._meta.db_table),
    )


def playback_read(*, user_id: int, lesson_id: int, key: str, lock: bool) -> PlaybackState | None:
    """Read the three rows in one statement; None while one of them does not exist yet.

    lock=True (inside a transaction): on PostgreSQL all three rows are locked (FOR UPDATE OF ap,
    s, p), so a report that waited for another tab's report re-reads every row at its newest
    version and builds on what the other wrote. The same statement turns synchronous_commit off
    for the transaction: a heartbeat's commit need not wait for the WAL flush; a crash may lose
    the last fraction of a second of heartbeats (a transaction is lost whole, never half-applied).
    The transaction that credits 学时 restores full durability before it commits. On SQLite the
    transaction's BEGIN IMMEDIATE is the lock.
    """
    ap, ps, lp = _tables()
    pg = _postgresql()
    sql = (
        "SELECT ap.session_id, s.id, s.anchor_position, s.anchor_at, s.events, "
        "s.credited_seconds, p.id, p.intervals, p.furthest_position, p.last_position, "
        "p.credited_seconds, p.completed_at, p.revision"
        + (", set_config('synchronous_commit', 'off', true)" if pg and lock else "")
        + f" FROM {ap} ap"
        f" JOIN {ps} s ON s.user_id = ap.user_id AND s.lesson_id = %s"
        f" AND s.{connection.ops.quote_name('key')} = %s"
        f" JOIN {lp} p ON p.user_id = ap.user_id AND p.lesson_id = %s"
        " WHERE ap.user_id = %s" + (" FOR UPDATE OF ap, s, p" if pg and lock else "")
    )
    with _hot_cursor() as cursor:
        cursor.execute(sql, [lesson_id, key, lesson_id, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return PlaybackState(
        active_session_id=row[0],
        session=SessionRow(row[1], row[2], _db_datetime(row[3]), row[4], row[5]),
        progress=ProgressRow(
            row[6], _db_json(row[7]) or [], row[8], row[9], row[10], _db_datetime(row[11]), row[12]
        ),
    )


def playback_create(*, user, lesson_id: int, key: str, now: datetime) -> None:
    """The first report of a trainee, a tab or a lesson: create the rows playback_read reads."""
    ActivePlayback.objects.get_or_create(user=user)
    PlaybackSession.objects.get_or_create(
        user=user, lesson_id=lesson_id, key=key, defaults={"started_at": now}
    )
    LessonProgress.objects.get_or_create(
        user=user, lesson_id=lesson_id, defaults={"created_at": now, "updated_at": now}
    )


def playback_activate(*, user_id: int, session_id: int | None) -> None:
    """Make this session the trainee's accruing one (None: nothing accrues)."""
    ActivePlayback.objects.filter(user_id=user_id).update(session_id=session_id)


def _updates(*, session: SessionRow, progress: ProgressRow, now: datetime):
    """The two UPDATE statements and their parameters (named, so the guarded write can reuse them)."""
    _ap, ps, lp = _tables()
    ops = connection.ops
    at = ops.adapt_datetimefield_value
    session_sql = (
        f"UPDATE {ps} SET anchor_position = %(anchor_position)s, anchor_at = %(anchor_at)s, "
        "last_event_at = %(now)s, events = events + 1, "
        "credited_seconds = %(session_credited)s WHERE id = %(session_id)s"
    )
    progress_sql = (
        f"UPDATE {lp} SET intervals = %(intervals)s, furthest_position = %(furthest)s, "
        "last_position = %(last_position)s, credited_seconds = %(credited)s, "
        "completed_at = %(completed_at)s, updated_at = %(now)s, revision = revision + 1 "
        "WHERE id = %(progress_id)s"
    )
    params = {
        "anchor_position": session.anchor_position,
        "anchor_at": at(session.anchor_at),
        "now": at(now),
        "session_credited": session.credited_seconds,
        "session_id": session.id,
        "intervals": ops.adapt_json_value(progress.intervals, None),
        "furthest": progress.furthest_position,
        "last_position": progress.last_position,
        "credited": progress.credited_seconds,
        "completed_at": at(progress.completed_at),
        "progress_id": progress.id,
    }
    return session_sql, progress_sql, params


def playback_save(*, session: SessionRow, progress: ProgressRow, now: datetime) -> None:
    """Write both rows back (inside the locking transaction): one statement on PostgreSQL."""
    session_sql, progress_sql, params = _updates(session=session, progress=progress, now=now)
    with _hot_cursor() as cursor:
        if _postgresql():
            # A data-modifying WITH runs to completion whether or not its result is read.
            cursor.execute(f"WITH s AS ({session_sql}) {progress_sql}", params)
        else:
            cursor.execute(session_sql, params)
            cursor.execute(progress_sql, params)


def playback_save_guarded(
    *,
    session: SessionRow,
    progress: ProgressRow,
    read_events: int,
    read_revision: int,
    now: datetime,
) -> bool:
    """PostgreSQL only: write both rows in one statement if nothing changed since `state` was read.

    The guard locks the session and the progress rows and checks that the session still accrues
    and that neither row was written since (PlaybackSession.events, LessonProgress.revision); only
    then do both updates run, so the write is all or nothing. A statement outside a transaction is
    its own transaction: no BEGIN, no COMMIT, no lock held across the Python in between. Returns
    False when another report got there first; the caller then takes the locking path.
    """
    ap, ps, lp = _tables()
    session_sql, progress_sql, params = _updates(session=session, progress=progress, now=now)
    guard = (
        "SELECT set_config('synchronous_commit', 'off', true) AS relaxed"
        f" FROM {ap} ap JOIN {ps} gs ON gs.id = %(session_id)s"
        f" JOIN {lp} gp ON gp.id = %(progress_id)s"
        " WHERE ap.user_id = gs.user_id AND ap.session_id = %(session_id)s"
        " AND gs.events = %(read_events)s AND gp.revision = %(read_revision)s"
        " FOR UPDATE OF gs, gp"
    )
    guarded = " AND EXISTS (SELECT 1 FROM guard)"
    sql = f"WITH guard AS ({guard}), s AS ({session_sql}{guarded}) {progress_sql}{guarded}"
    params |= {"read_events": read_events, "read_revision": read_revision}
    with _hot_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1
