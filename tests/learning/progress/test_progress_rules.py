"""The crediting rules of docs/domain.md "Watching and reading honestly", at the service level."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.progress.lessons import lesson_info
from learning.progress.models import HoursLedgerEntry, LessonProgress
from learning.progress.services import intervals_merge, lesson_progress_record

pytestmark = pytest.mark.django_db

T0 = timezone.now()


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def report(user, lesson, event, position=None, t=0.0, session="tab-a", active=None):
    return lesson_progress_record(
        user=user,
        lesson=lesson_info(lesson.specific),
        event=event,
        position=position,
        playback_session=session,
        active=active,
        now=at(t),
    )


def watch(user, lesson, start: float, end: float, t0: float = 0.0, step: float = 10.0, **kw):
    """Watch honestly from start to end at normal speed, heartbeating every `step` seconds."""
    report(user, lesson, "play", start, t=t0, **kw)
    pos, t = start, t0
    result = None
    while pos < end:
        pos = min(end, pos + step)
        t += step
        result = report(user, lesson, "heartbeat", pos, t=t, **kw)
    return result, t


def test_intervals_union_adds_only_new_seconds():
    merged, added = intervals_merge([[0, 10], [20, 30]], 5, 25)
    assert merged == [[0, 30]]
    assert added == 10


def test_contiguous_segments_at_unrounded_positions_stay_one_interval():
    merged, _added = intervals_merge([], 0.0, 10.0234)
    for n in range(1, 50):
        merged, _added = intervals_merge(merged, n * 10 + 0.0234, (n + 1) * 10 + 0.0234)
    assert merged == [[0.0, 500.023]]


def test_honest_watching_is_credited(trainee, video_lesson):
    result, _t = watch(trainee, video_lesson, 0, 100)
    assert result.credited_seconds == pytest.approx(100)
    assert result.watched_ratio == pytest.approx(100 / 600, abs=1e-3)
    assert not result.completed


def test_play_event_alone_credits_nothing(trainee, video_lesson):
    result = report(trainee, video_lesson, "play", 0)
    assert result.credited_seconds == 0


def test_credit_capped_by_wall_clock_times_rate(trainee, video_lesson, settings):
    settings.DANGKE = {**settings.DANGKE, "MAX_PLAYBACK_RATE": 1.25}
    report(trainee, video_lesson, "play", 0, t=0)
    result = report(trainee, video_lesson, "heartbeat", 30, t=10)
    assert result.credited_now == pytest.approx(12.5)


def test_never_beyond_duration(trainee, video_lesson):
    watch(trainee, video_lesson, 0, 600)
    progress = LessonProgress.objects.get(user=trainee, lesson=video_lesson)
    assert progress.credited_seconds == pytest.approx(600)
    result = report(trainee, video_lesson, "heartbeat", 5000, t=10_000)
    assert result.credited_seconds == pytest.approx(600)


def test_rewatching_adds_nothing(trainee, video_lesson):
    _r, t = watch(trainee, video_lesson, 0, 60)
    result, _t = watch(trainee, video_lesson, 0, 60, t0=t + 5)
    assert result.credited_seconds == pytest.approx(60)
    assert result.credited_now == 0


def test_first_viewing_seek_ahead_earns_nothing(trainee, video_lesson):
    _r, t = watch(trainee, video_lesson, 0, 30)
    result, _t = watch(trainee, video_lesson, 300, 340, t0=t + 1)
    assert result.credited_seconds == pytest.approx(30)


def test_after_completion_seeking_is_free(trainee, video_lesson):
    _r, t = watch(trainee, video_lesson, 0, 550)
    progress = LessonProgress.objects.get(user=trainee, lesson=video_lesson)
    assert progress.completed_at is not None
    result, _t = watch(trainee, video_lesson, 580, 600, t0=t + 1)
    assert result.credited_seconds == pytest.approx(570)


def test_completion_at_configured_ratio_credits_hours_once(trainee, video_lesson, settings):
    settings.DANGKE = {**settings.DANGKE, "VIDEO_COMPLETE_RATIO": 0.9}
    result, t = watch(trainee, video_lesson, 0, 530)
    assert not result.completed
    result, t = watch(trainee, video_lesson, 530, 540, t0=t)
    assert result.completed
    assert result.class_hours == Decimal("0.50")
    watch(trainee, video_lesson, 540, 600, t0=t)
    entries = HoursLedgerEntry.objects.filter(user=trainee, lesson=video_lesson)
    assert [e.amount for e in entries] == [Decimal("0.50")]
    assert entries[0].source == "online_lesson" and entries[0].granted_by is None


def test_second_session_supersedes_the_first(trainee, video_lesson):
    report(trainee, video_lesson, "play", 0, t=0, session="tab-a")
    report(trainee, video_lesson, "play", 0, t=1, session="tab-b")
    stale = report(trainee, video_lesson, "heartbeat", 10, t=10, session="tab-a")
    assert stale.credited_now == 0


def test_one_lesson_accrues_at_a_time(trainee, video_lesson, article_lesson):
    report(trainee, video_lesson, "play", 0, t=0)
    report(trainee, article_lesson, "heartbeat", t=1, session="read", active=True)
    result = report(trainee, video_lesson, "heartbeat", 10, t=10)
    assert result.credited_now == 0


def test_silence_longer_than_the_gap_earns_nothing(trainee, video_lesson, settings):
    settings.DANGKE = {**settings.DANGKE, "PROGRESS_MAX_GAP_SECONDS": 35}
    report(trainee, video_lesson, "play", 0, t=0)
    result = report(trainee, video_lesson, "heartbeat", 50, t=40)
    assert result.credited_now == 0


def test_pause_stops_accruing(trainee, video_lesson):
    report(trainee, video_lesson, "play", 0, t=0)
    report(trainee, video_lesson, "pause", 10, t=10)
    result = report(trainee, video_lesson, "heartbeat", 20, t=20)
    assert result.credited_now == 0
    assert result.credited_seconds == pytest.approx(10)


def test_resume_position_never_beyond_reached(trainee, video_lesson):
    watch(trainee, video_lesson, 0, 40)
    result = report(trainee, video_lesson, "play", 500, t=60)
    assert result.last_position == pytest.approx(40)


def test_article_active_reading_until_minimum(trainee, article_lesson):
    report(trainee, article_lesson, "heartbeat", t=0, active=True)
    for t in range(10, 60, 10):
        result = report(trainee, article_lesson, "heartbeat", t=t, active=True)
    assert not result.completed
    assert result.credited_seconds == pytest.approx(50)
    result = report(trainee, article_lesson, "heartbeat", t=60, active=True)
    assert result.completed
    assert HoursLedgerEntry.objects.get(user=trainee, lesson=article_lesson).amount == Decimal(
        "0.25"
    )


def test_article_inactive_time_earns_nothing(trainee, article_lesson):
    report(trainee, article_lesson, "heartbeat", t=0, active=True)
    result = report(trainee, article_lesson, "heartbeat", t=10, active=False)
    assert result.credited_now == 0
    # The first active report after an idle spell only restarts the clock.
    result = report(trainee, article_lesson, "heartbeat", t=20, active=True)
    assert result.credited_now == 0
    result = report(trainee, article_lesson, "heartbeat", t=30, active=True)
    assert result.credited_now == pytest.approx(10)
