"""playback_rows: the one-statement read and PostgreSQL's all-or-nothing guarded write."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from learning.progress import playback_rows
from learning.progress.lessons import lesson_info
from learning.progress.models import ActivePlayback, LessonProgress, PlaybackSession
from learning.progress.services import lesson_progress_record

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the guarded write is PostgreSQL's path"
)


@pytest.fixture
def playing(trainee, video_lesson):
    """A trainee 10 s into a video; returns a function that reads the rows afresh."""
    lesson = lesson_info(video_lesson.specific)
    t0 = timezone.now() - timedelta(minutes=1)
    lesson_progress_record(
        user=trainee, lesson=lesson, event="play", position=0, playback_session="a", now=t0
    )
    lesson_progress_record(
        user=trainee,
        lesson=lesson,
        event="heartbeat",
        position=10,
        playback_session="a",
        now=t0 + timedelta(seconds=10),
    )

    def read():
        return playback_rows.playback_read(
            user_id=trainee.pk, lesson_id=lesson.id, key="a", lock=False
        )

    return read


def test_read_returns_all_three_rows(playing, trainee):
    state = playing()
    assert state.active_session_id == state.session.id
    assert state.session.events == 2
    assert state.progress.intervals == [[0.0, 10.0]]
    assert state.progress.revision == 2
    assert state.session.anchor_at.tzinfo is not None


def test_read_is_none_until_the_rows_exist(trainee, video_lesson):
    assert (
        playback_rows.playback_read(
            user_id=trainee.pk, lesson_id=video_lesson.pk, key="a", lock=False
        )
        is None
    )


def _guarded(state, *, read_events=None, read_revision=None):
    state.session.anchor_position = 20
    state.progress.credited_seconds = 20
    state.progress.intervals = [[0.0, 20.0]]
    return playback_rows.playback_save_guarded(
        session=state.session,
        progress=state.progress,
        read_events=state.session.events if read_events is None else read_events,
        read_revision=state.progress.revision if read_revision is None else read_revision,
        now=timezone.now(),
    )


@postgresql_only
def test_guarded_write_writes_both_rows(playing, trainee):
    assert _guarded(playing()) is True
    progress = LessonProgress.objects.get(user=trainee)
    assert progress.credited_seconds == 20 and progress.revision == 3
    assert PlaybackSession.objects.get(user=trainee).events == 3


@postgresql_only
@pytest.mark.parametrize("stale", ["events", "revision"])
def test_guarded_write_after_another_write_changes_nothing(playing, trainee, stale):
    state = playing()
    before = (
        LessonProgress.objects.values().get(user=trainee),
        PlaybackSession.objects.values().get(user=trainee),
    )
    kwargs = (
        {"read_events": state.session.events - 1}
        if stale == "events"
        else {"read_revision": state.progress.revision - 1}
    )
    assert _guarded(state, **kwargs) is False
    after = (
        LessonProgress.objects.values().get(user=trainee),
        PlaybackSession.objects.values().get(user=trainee),
    )
    assert after == before  # all or nothing: neither row was touched


@postgresql_only
def test_guarded_write_of_a_session_that_no_longer_accrues_changes_nothing(playing, trainee):
    state = playing()
    ActivePlayback.objects.filter(user=trainee).update(session=None)
    assert _guarded(state) is False
    assert LessonProgress.objects.get(user=trainee).credited_seconds == 10
