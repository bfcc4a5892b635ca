"""我的学习: the API (/api/v1/me/) and the page (/me/); own data only. The 学时 records are in
tests/learning/progress/test_my_records.py (whose `credited` entries these tests read too)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from learning.progress.services import ledger_offline_add
from tests.learning.progress.test_my_records import credited  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_my_learning_page_needs_login(client):
    assert client.get("/me/").status_code == 302


def test_me_api(trainee_api, trainee, training_class, credited):  # noqa: F811
    data = trainee_api.get("/api/v1/me/").json()
    assert data["user"]["username"] == trainee.username
    assert data["stage"] == "activist" and data["stage_display"] == "入党积极分子"
    assert data["branch"] == "本科生第一党支部"
    [klass] = data["classes"]
    assert klass["id"] == training_class.pk
    assert klass["required_hours"] == "40.00"
    assert klass["earned_hours"] == "8.50"
    assert klass["exam"] is None and klass["exam_passed"] is False
    assert klass["status"] == "in_progress"


def test_me_api_without_profile(trainer):
    client = APIClient()
    client.force_authenticate(trainer)
    data = client.get("/api/v1/me/").json()
    assert data["stage"] is None and data["classes"] == []


def test_me_endpoint_needs_login():
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_my_learning_page(client, trainee, training_class, credited):  # noqa: F811
    client.force_login(trainee)
    html = client.get("/me/").content.decode()
    assert training_class.name in html
    assert "已修 8.5 / 应修 40 学时" in html
    assert "入党誓词" in html  # the required article is still to do


def test_nav_links_for_logged_in_users(client, trainee, course):
    client.force_login(trainee)
    html = client.get("/me/").content.decode()
    assert 'href="/me/records/"' in html


def test_me_api_shows_the_class_exam(trainee_api, training_class):
    from learning.quizzes.models import Quiz

    quiz = Quiz.objects.create(
        title="结业考试", kind="exam", training_class=training_class, is_final_exam=True
    )
    [klass] = trainee_api.get("/api/v1/me/").json()["classes"]
    assert klass["exam"] == quiz.pk and klass["exam_passed"] is False


def test_my_learning_offers_to_resume(client, trainee, training_class, video_lesson):
    from learning.progress.models import LessonProgress

    LessonProgress.objects.create(
        user=trainee, lesson=video_lesson, last_position=125, furthest_position=125
    )
    client.force_login(trainee)
    html = client.get("/me/").content.decode()
    assert "继续学习" in html and "上次看到 2:05" in html


def test_my_learning_for_a_user_without_profile(client, trainer):
    client.force_login(trainer)
    assert "您尚未编入培训班" in client.get("/me/").content.decode()


def test_my_learning_links_to_the_class_exam(client, trainee, training_class):
    from learning.quizzes.models import Quiz

    exam = Quiz.objects.create(
        title="结业考试", kind="exam", training_class=training_class, is_final_exam=True
    )
    client.force_login(trainee)
    html = client.get("/me/").content.decode()
    assert f'href="/quizzes/{exam.pk}/"' in html


def test_a_revoked_certificate_shows_as_not_passed_to_the_trainee(
    client, trainee, training_class, trainer
):
    """The trainee sees the report's status: revoked (e.g. cheating) is 未通过, not 已完成."""
    from django.utils import timezone

    from learning.reports.models import Certificate

    # 结业 needs the required lessons too (issue 14): this class has none; and one offline entry
    # credits at most 24 学时.
    training_class.required_lessons.clear()
    training_class.required_hours = Decimal("8")
    training_class.save()
    ledger_offline_add(
        user=trainee,
        training_class=training_class,
        source="offline_lecture",
        amount=training_class.required_hours,
        granted_by=trainer,
        note="集中培训",
    )
    api = APIClient()
    api.force_authenticate(trainee)
    (mine,) = api.get("/api/v1/me/").json()["classes"]
    # 已结业 only once the certificate is issued (issue 14's words).
    assert (mine["status"], mine["status_display"]) == ("completed", "已达结业条件")
    Certificate.objects.create(
        number="DK2026REVOKED001",
        trainee=trainee.trainee_profile,
        training_class=training_class,
        trainee_name=trainee.trainee_profile.name,
        class_name=training_class.name,
        earned_hours=training_class.required_hours,
        revoked_at=timezone.now(),
        revoke_reason="考试作弊",
    )
    (mine,) = api.get("/api/v1/me/").json()["classes"]
    assert (mine["status"], mine["status_display"]) == ("failed", "未通过")
    assert mine["certificate_no"] is None
    client.force_login(trainee)
    assert "未通过" in client.get("/me/").content.decode()


def test_me_api_query_count_does_not_grow_with_classes(
    trainee_api, trainee, training_class, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learning.classes.models import Enrolment, TrainingClass

    with CaptureQueriesContext(connection) as one_class:
        assert trainee_api.get("/api/v1/me/").status_code == 200
    for n in range(3):
        tc = TrainingClass.objects.create(name=f"加开班 {n}", intake=f"第 {n + 2} 期")
        Enrolment.objects.create(training_class=tc, trainee=trainee.trainee_profile)
    with django_assert_num_queries(len(one_class)):
        classes = trainee_api.get("/api/v1/me/").json()["classes"]
    assert len(classes) == 4


def test_resume_leaves_out_lessons_opened_for_no_time(
    client, trainee, training_class, video_lesson
):
    """继续学习 lists a lesson only once something was credited or played (issue 21)."""
    from learning.progress.models import LessonProgress
    from tests.factories import make_article

    opened = make_article(video_lesson.get_parent().specific, "只打开过的课")
    read = make_article(video_lesson.get_parent().specific, "读过一会儿的课")
    LessonProgress.objects.create(user=trainee, lesson=opened)
    LessonProgress.objects.create(user=trainee, lesson=read, credited_seconds=42)
    client.force_login(trainee)
    html = client.get("/me/").content.decode()
    resume = html.split("继续学习", 1)[1].split("接下来学习", 1)[0]
    assert "读过一会儿的课" in resume and "已有效学习 42 秒" in resume
    assert "只打开过的课" not in resume
