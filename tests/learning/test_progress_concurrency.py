"""Two tabs reporting at the same instant: the trainee's row lock lets exactly one credit happen."""

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
