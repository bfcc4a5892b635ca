"""Reports racing each other: whichever path they take (locking, or PostgreSQL's guarded write),
exactly one of two simultaneous reports earns the seconds."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from learning.progress.lessons import lesson_info
from learning.progress.models import HoursLedgerEntry, LessonProgress
from learning.progress.services import lesson_progress_record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_simultaneous_completing_reports_credit_once(trainee, video_lesson):
    lesson = lesson_info(video_lesson.specific)
    t0 = timezone.now() - timedelta(minutes=20)
    lesson_progress_record(
        user=trainee, lesson=lesson, event="play", position=0, playback_session="a", now=t0
    )
    for step in range(1, 54):  # honest watching up to 530 s of 600
        lesson_progress_record(
            user=trainee,
            lesson=lesson,
            event="heartbeat",
            position=step * 10,
            playback_session="a",
            now=t0 + timedelta(seconds=step * 10),
        )
    assert not LessonProgress.objects.get(user=trainee).completed_at

    barrier = threading.Barrier(2)
    results, errors = [], []

    def report():
        try:
            barrier.wait(timeout=10)
            results.append(
                lesson_progress_record(
                    user=trainee,
                    lesson=lesson,
                    event="heartbeat",
                    position=545,
                    playback_session="a",
                    now=t0 + timedelta(seconds=545),
                )
            )
        except Exception as exc:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=report) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(r.credited_now for r in results) == [0, 15]
    assert HoursLedgerEntry.objects.filter(user=trainee, lesson=video_lesson).count() == 1


def _race(trainee, lesson, reports):
    """Run each report (kwargs of lesson_progress_record) in its own thread, all at once."""
    barrier = threading.Barrier(len(reports))
    results, errors = [], []

    def run(kwargs):
        try:
            barrier.wait(timeout=10)
            results.append(lesson_progress_record(user=trainee, lesson=lesson, **kwargs))
        except Exception as exc:  # noqa: BLE001 — surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(r,)) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


def test_a_replayed_heartbeat_racing_the_original_earns_nothing(trainee, video_lesson):
    """The same steady heartbeat sent twice at once (a retried request): one credit, not two."""
    lesson = lesson_info(video_lesson.specific)
    t0 = timezone.now() - timedelta(minutes=5)
    common = {"playback_session": "a"}
    lesson_progress_record(event="play", position=0, now=t0, user=trainee, lesson=lesson, **common)
    lesson_progress_record(
        event="heartbeat",
        position=10,
        now=t0 + timedelta(seconds=10),
        user=trainee,
        lesson=lesson,
        **common,
    )
    beat = {"event": "heartbeat", "position": 20, "now": t0 + timedelta(seconds=20), **common}
    for _round in range(5):  # several rounds, so the race really happens on both paths
        results = _race(trainee, lesson, [beat, beat])
        assert sorted(r.credited_now for r in results)[0] == 0
        beat = {
            **beat,
            "position": beat["position"] + 10,
            "now": beat["now"] + timedelta(seconds=10),
        }
    progress = LessonProgress.objects.get(user=trainee)
    assert progress.credited_seconds == pytest.approx(60)
    assert progress.intervals == [[0.0, 60.0]]


def test_two_tabs_heartbeating_at_once_never_add_up(trainee, video_lesson):
    """Two tabs (two sessions) of one trainee: their simultaneous heartbeats earn one tab's time."""
    lesson = lesson_info(video_lesson.specific)
    t0 = timezone.now() - timedelta(minutes=5)
    for key in ("a", "b"):
        lesson_progress_record(
            user=trainee, lesson=lesson, event="play", position=0, playback_session=key, now=t0
        )
    total = 0.0
    for step in range(1, 6):
        now = t0 + timedelta(seconds=10 * step)
        reports = [
            {"event": "heartbeat", "position": 10 * step, "playback_session": key, "now": now}
            for key in ("a", "b")
        ]
        total += sum(r.credited_now for r in _race(trainee, lesson, reports))
    progress = LessonProgress.objects.get(user=trainee)
    # Only one session accrues at a time, and the union of watched intervals never double counts.
    assert progress.credited_seconds <= 50 + 1e-6
    assert total == pytest.approx(progress.credited_seconds)
