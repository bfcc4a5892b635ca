"""POST /api/v1/lessons/{id}/progress/: forged reports earn nothing, bad bodies are 400, privacy 404."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient
from wagtail.models import PageViewRestriction

from learning.progress.models import HoursLedgerEntry, LessonProgress
from tests.learning.conftest import rewind_playback

pytestmark = pytest.mark.django_db

# 10 s of pretended wall time × the 1.25 playback rate, plus the real time the test itself takes.
CAP = 10 * 1.25 + 0.5


def url(lesson) -> str:
    return f"/api/v1/lessons/{lesson.pk}/progress/"


def post(client, lesson, event, position=None, session="tab-a", **extra):
    body = {"event": event, "playback_session": session, **extra}
    if position is not None:
        body["position"] = position
    return client.post(url(lesson), body, format="json")


def honest(client, user, lesson, start, end, session="tab-a"):
    post(client, lesson, "play", start, session)
    pos = start
    while pos < end:
        rewind_playback(user, 10)
        pos = min(end, pos + 10)
        response = post(client, lesson, "heartbeat", pos, session)
    return response


def credited(user, lesson) -> float:
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    return progress.credited_seconds if progress else 0.0


def test_honest_heartbeats_are_credited(trainee_api, trainee, video_lesson):
    response = honest(trainee_api, trainee, video_lesson, 0, 30)
    assert response.status_code == 200
    data = response.json()
    assert data["credited_seconds"] == pytest.approx(30)
    assert data["completed"] is False
    assert data["class_hours"] == "0.00"
    assert set(data) >= {"credited_seconds", "watched_ratio", "completed", "class_hours"}


def test_forged_jump_ahead_earns_nothing(trainee_api, trainee, video_lesson):
    honest(trainee_api, trainee, video_lesson, 0, 20)
    post(trainee_api, video_lesson, "play", 400)
    rewind_playback(trainee, 10)
    response = post(trainee_api, video_lesson, "heartbeat", 410)
    assert response.status_code == 200
    assert response.json()["credited_now"] == 0
    assert credited(trainee, video_lesson) == pytest.approx(20)


def test_forged_jump_inside_a_heartbeat_is_capped_by_wall_time(trainee_api, trainee, video_lesson):
    post(trainee_api, video_lesson, "play", 0)
    rewind_playback(trainee, 10)
    response = post(trainee_api, video_lesson, "heartbeat", 590)
    assert response.status_code == 200
    assert response.json()["credited_seconds"] <= CAP


def test_forged_position_beyond_duration(trainee_api, trainee, video_lesson):
    post(trainee_api, video_lesson, "play", 0)
    rewind_playback(trainee, 10)
    response = post(trainee_api, video_lesson, "heartbeat", 99_999)
    assert response.status_code == 200
    assert response.json()["credited_seconds"] <= CAP
    assert response.json()["completed"] is False


def test_too_many_seconds_for_the_wall_time(trainee_api, trainee, video_lesson):
    post(trainee_api, video_lesson, "play", 0)
    # No time passes between the reports: nothing can have been played.
    response = post(trainee_api, video_lesson, "heartbeat", 10)
    assert response.status_code == 200
    assert response.json()["credited_seconds"] < 0.5


def test_replayed_heartbeat_earns_nothing(trainee_api, trainee, video_lesson):
    honest(trainee_api, trainee, video_lesson, 0, 30)
    before = credited(trainee, video_lesson)
    for _ in range(3):
        response = post(trainee_api, video_lesson, "heartbeat", 30)
        assert response.status_code == 200
    assert credited(trainee, video_lesson) == pytest.approx(before, abs=0.5)


def test_out_of_order_heartbeats_earn_nothing_extra(trainee_api, trainee, video_lesson):
    honest(trainee_api, trainee, video_lesson, 0, 30)
    post(trainee_api, video_lesson, "heartbeat", 10)  # an old report arriving late
    rewind_playback(trainee, 10)
    post(trainee_api, video_lesson, "heartbeat", 40)
    # 30 s honest + at most the 10 s of wall time since the late report, never 30 s for "10 → 40".
    assert credited(trainee, video_lesson) <= 30 + 0.5 + 1e-6


def test_two_tabs_at_once_do_not_add_up(trainee_api, trainee, video_lesson, article_lesson):
    post(trainee_api, video_lesson, "play", 0, session="tab-a")
    post(trainee_api, video_lesson, "play", 0, session="tab-b")
    for step in range(1, 4):
        rewind_playback(trainee, 10)
        post(trainee_api, video_lesson, "heartbeat", step * 10, session="tab-a")
        post(trainee_api, video_lesson, "heartbeat", step * 10, session="tab-b")
    # Three 10 s windows of wall time: at most 30 s, however many tabs report.
    assert credited(trainee, video_lesson) <= 30 * 1.25


def test_another_users_session_id_earns_nothing(trainee_api, trainee, other_trainee, video_lesson):
    other = APIClient()
    other.force_authenticate(other_trainee)
    honest(other, other_trainee, video_lesson, 0, 30, session="theirs")
    response = post(trainee_api, video_lesson, "heartbeat", 40, session="theirs")
    assert response.status_code == 200
    assert response.json()["credited_seconds"] == 0
    assert credited(other_trainee, video_lesson) == pytest.approx(30)


def test_another_users_lesson_progress_is_not_touched(
    trainee_api, trainee, other_trainee, article_lesson
):
    post(trainee_api, article_lesson, "heartbeat", active=True)
    assert not LessonProgress.objects.filter(user=other_trainee).exists()
    assert LessonProgress.objects.filter(user=trainee).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"event": "rewind", "position": 1, "playback_session": "a"},
        {"event": "heartbeat", "position": "soon", "playback_session": "a"},
        {"event": "heartbeat", "position": -5, "playback_session": "a"},
        {"event": "heartbeat", "position": 5},
        {"event": "heartbeat", "playback_session": "a"},
        {"event": "heartbeat", "position": 5, "playback_session": "x" * 65},
        {"event": "heartbeat", "position": 5, "playback_session": "<script>"},
        {"event": "heartbeat", "position": 5, "playback_session": 17},
        {"event": "heartbeat", "position": True, "playback_session": "a"},
        {"event": "heartbeat", "position": 10_000_001, "playback_session": "a"},
        {"event": ["heartbeat"], "position": 5, "playback_session": "a"},
    ],
)
def test_malformed_bodies_are_400(trainee_api, video_lesson, body):
    response = trainee_api.post(url(video_lesson), body, format="json")
    assert response.status_code == 400
    assert "detail" in response.json() and "errors" in response.json()


def test_a_body_that_is_not_an_object_is_400(trainee_api, video_lesson):
    response = trainee_api.post(url(video_lesson), [1, 2], format="json")
    assert response.status_code == 400
    assert "JSON" in response.json()["errors"]["non_field_errors"][0]


def test_every_problem_is_reported_at_once(trainee_api, video_lesson):
    body = {"event": "rewind", "position": "soon", "playback_session": "<x>", "active": "maybe"}
    errors = trainee_api.post(url(video_lesson), body, format="json").json()["errors"]
    assert set(errors) == {"event", "position", "playback_session", "active"}


def test_article_active_accepts_form_style_booleans(trainee_api, article_lesson):
    response = trainee_api.post(
        url(article_lesson), {"event": "heartbeat", "active": "false"}, format="json"
    )
    assert response.status_code == 200


def test_non_json_body_is_400(trainee_api, video_lesson):
    response = trainee_api.post(url(video_lesson), "{oops", content_type="application/json")
    assert response.status_code == 400


def test_article_requires_active(trainee_api, article_lesson):
    response = trainee_api.post(url(article_lesson), {"event": "heartbeat"}, format="json")
    assert response.status_code == 400
    assert "active" in response.json()["errors"]


def test_anonymous_is_401(video_lesson):
    response = APIClient().post(url(video_lesson), {"event": "play"}, format="json")
    assert response.status_code == 401


def test_unknown_or_non_lesson_page_is_404(trainee_api, video_lesson, course):
    assert trainee_api.post(f"/api/v1/lessons/{course.pk}/progress/", {}).status_code == 404
    assert trainee_api.post("/api/v1/lessons/999999/progress/", {}).status_code == 404


def test_unpublished_lesson_is_404(trainee_api, video_lesson):
    video_lesson.unpublish()
    response = post(trainee_api, video_lesson, "play", 0)
    assert response.status_code == 404


def test_restricted_lesson_is_404_for_outsiders(trainee_api, video_lesson, course):
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="某支部"))
    response = post(trainee_api, video_lesson, "play", 0)
    assert response.status_code == 404
    assert trainee_api.get(url(video_lesson)).status_code == 404


def test_get_returns_own_progress(trainee_api, trainee, video_lesson):
    honest(trainee_api, trainee, video_lesson, 0, 20)
    data = trainee_api.get(url(video_lesson)).json()
    assert data["credited_seconds"] == pytest.approx(20)
    assert data["last_position"] == pytest.approx(20)


def test_completing_through_the_api_credits_the_ledger(trainee_api, trainee, video_lesson):
    response = honest(trainee_api, trainee, video_lesson, 0, 540)
    assert response.json()["completed"] is True
    assert response.json()["class_hours"] == "0.50"
    assert HoursLedgerEntry.objects.get(user=trainee).amount == Decimal("0.50")


def test_heartbeat_query_count_is_constant(
    trainee_api, trainee, video_lesson, django_assert_num_queries
):
    honest(trainee_api, trainee, video_lesson, 0, 20)
    rewind_playback(trainee, 10)
    # PostgreSQL: the three rows read in one statement without locks, then one guarded write
    # (playback_rows.playback_save_guarded). SQLite: the same read under BEGIN IMMEDIATE and two
    # updates, plus the savepoint pair the test transaction adds around transaction.atomic().
    # Visibility and lesson facts are remembered from the reports above.
    expected = 2 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(expected):
        response = post(trainee_api, video_lesson, "heartbeat", 30)
    assert response.json()["credited_now"] == pytest.approx(10)
    # The write really happened: the next honest heartbeat builds on it.
    rewind_playback(trainee, 10)
    assert post(trainee_api, video_lesson, "heartbeat", 40).json()["credited_seconds"] == (
        pytest.approx(40)
    )


def test_unpublishing_stops_reports_at_once(trainee_api, video_lesson):
    assert post(trainee_api, video_lesson, "play", 0).status_code == 200
    video_lesson.unpublish()
    assert post(trainee_api, video_lesson, "heartbeat", 5).status_code == 404


def test_a_new_restriction_stops_reports_at_once(trainee_api, video_lesson, course):
    assert post(trainee_api, video_lesson, "play", 0).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="某支部"))
    assert post(trainee_api, video_lesson, "heartbeat", 5).status_code == 404


def test_leaving_the_group_stops_reports_at_once(trainee_api, trainee, video_lesson, course):
    group = Group.objects.create(name="某支部")
    trainee.groups.add(group)
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)
    assert post(trainee_api, video_lesson, "play", 0).status_code == 200
    trainee.groups.remove(group)
    assert post(trainee_api, video_lesson, "heartbeat", 5).status_code == 404


def test_changes_made_elsewhere_apply_within_the_memo_time(
    trainee_api, video_lesson, settings, monkeypatch
):
    """Another worker process's unpublish reaches this one within PROGRESS_ACCESS_MEMO_SECONDS."""
    from wagtail.models import Page

    from learning.progress import lessons

    assert post(trainee_api, video_lesson, "play", 0).status_code == 200
    # As another process would: the row changes, this process receives no signal.
    Page.objects.filter(pk=video_lesson.pk).update(live=False)
    assert post(trainee_api, video_lesson, "heartbeat", 5).status_code == 200
    later = lessons._clock() + settings.DANGKE["PROGRESS_ACCESS_MEMO_SECONDS"] + 1
    monkeypatch.setattr(lessons, "_clock", lambda: later)
    assert post(trainee_api, video_lesson, "heartbeat", 6).status_code == 404
