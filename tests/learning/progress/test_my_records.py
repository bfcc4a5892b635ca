"""学习档案 (/api/v1/me/records/ and /me/records/) and the lesson tracker: own data only."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from learning.progress.models import HoursLedgerEntry
from learning.progress.services import ledger_offline_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def credited(training_class, trainee, other_trainee, trainer, video_lesson):
    HoursLedgerEntry.objects.create(
        user=trainee,
        source="online_lesson",
        amount=Decimal("0.50"),
        lesson=video_lesson,
        lesson_title=video_lesson.title,
    )
    ledger_offline_add(
        user=trainee,
        training_class=training_class,
        source="offline_lecture",
        days=Decimal("1"),
        granted_by=trainer,
        note="开班式与第一讲",
    )
    HoursLedgerEntry.objects.create(
        user=other_trainee, source="online_lesson", amount=Decimal("0.25"), note="别人的记录"
    )


def test_records_api_lists_only_my_entries(trainee_api, credited):
    data = trainee_api.get("/api/v1/me/records/").json()
    assert data["count"] == 2
    assert {e["source"] for e in data["results"]} == {"online_lesson", "offline_lecture"}
    offline = next(e for e in data["results"] if e["source"] == "offline_lecture")
    assert offline["amount"] == "8.00" and offline["granted_by"] == "trainer"
    assert offline["training_class"]["name"].startswith("第一期")
    assert "别人的记录" not in str(data)


def test_records_api_is_paginated(trainee_api, trainee):
    for _ in range(25):
        HoursLedgerEntry.objects.create(user=trainee, source="offline_practice", amount=1)
    data = trainee_api.get("/api/v1/me/records/").json()
    assert data["count"] == 25 and len(data["results"]) == 20 and data["next"]


def test_records_endpoint_needs_login():
    assert APIClient().get("/api/v1/me/records/").status_code == 401


def test_other_trainees_progress_is_404(other_trainee, video_lesson):
    """A trainee cannot read another's progress: there is no id to ask for, only one's own."""
    client = APIClient()
    client.force_authenticate(other_trainee)
    data = client.get(f"/api/v1/lessons/{video_lesson.pk}/progress/").json()
    assert data["credited_seconds"] == 0


def test_my_records_page(client, trainee, credited):
    client.force_login(trainee)
    html = client.get("/me/records/").content.decode()
    assert "开班式与第一讲" in html and "8.5" in html and "8.50" not in html
    assert "别人的记录" not in html


def test_tracker_on_lesson_pages(client, trainee, video_lesson, article_lesson):
    client.force_login(trainee)
    html = client.get(video_lesson.url).content.decode()
    assert "data-lesson-tracker" in html
    assert f"/api/v1/lessons/{video_lesson.pk}/progress/" in html
    assert 'data-kind="video"' in html
    html = client.get(article_lesson.url).content.decode()
    assert 'data-kind="article"' in html


def test_tracker_include_invites_anonymous_to_sign_in(rf, video_lesson):
    """No tracker for anonymous readers, but a line saying that signing in earns 学时."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "progress/includes/lesson_tracker.html",
        {"lesson": video_lesson.specific, "user": request.user},
        request=request,
    )
    assert "data-lesson-tracker" not in html and "tracker.js" not in html
    assert "登录后学习本课可获得" in html and "/accounts/login/?next=/" in html


def test_tracker_include_for_a_trainee(rf, trainee, video_lesson):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = trainee
    html = render_to_string(
        "progress/includes/lesson_tracker.html",
        {"lesson": video_lesson.specific},
        request=request,
    )
    assert "data-lesson-tracker" in html and "progress/tracker.js" in html
    assert 'data-duration="600.000000"' in html


def test_records_page_needs_login(client):
    assert client.get("/me/records/").status_code == 302
