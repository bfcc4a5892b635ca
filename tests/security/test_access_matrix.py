"""Access-control matrix over the API and the admin views: who may see or touch what.

Actors: anonymous; trainee A1 (owner of the objects), trainee A2 (same class), trainee B1 (other class);
trainer TA (of class A), trainer TB (of class B only); editor E (no report rights); staff S (may see all).
Every denial is 401 (API, no credentials), 403, 404 or a redirect to login, and the body never carries
the protected data.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from cms.roles import EDITORS, TRAINEES, TRAINERS
from tests.factories import (
    make_article,
    make_branch_unit,
    make_course,
    make_trainee_profile,
    make_user,
    restrict_to_logged_in,
)

pytestmark = pytest.mark.django_db

SECRET_NOTE = "甲同学的线下学时备注"
SECRET_PHONE = "13900001111"
SECRET_NO = "A1-2025-0001"


@pytest.fixture
def world():
    from django.utils import timezone

    from learning.classes.models import Enrolment, TrainingClass
    from learning.progress.models import LedgerSource, LessonProgress
    from learning.progress.services import ledger_offline_add
    from learning.quizzes import services as quiz_services
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizQuestion
    from learning.reports.services import certificate_issue
    from media_pipeline.models import Video

    course = make_course("矩阵专题")
    lesson = make_article(course, "公开课")
    secret_lesson = make_article(course, "内部课")
    restrict_to_logged_in(secret_lesson)

    users = {
        "A1": make_user("a1", role=TRAINEES),
        "A2": make_user("a2", role=TRAINEES),
        "B1": make_user("b1", role=TRAINEES),
        "TA": make_user("ta", role=TRAINERS),
        "TB": make_user("tb", role=TRAINERS),
        "E": make_user("ed", role=EDITORS),
        "S": make_user("staff", role=TRAINERS),
    }
    users["S"].user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    # Trainees are members of a 党支部 under a 院系党委 (issue 15).
    branch = make_branch_unit("矩阵学院党委", "矩阵支部")
    profiles = {
        key: make_trainee_profile(
            user=users[key],
            name=f"学员{key}",
            student_no=SECRET_NO if key == "A1" else f"no-{key}",
            phone=SECRET_PHONE if key == "A1" else "",
            branch=branch,
            stage="candidate",
        )
        for key in ("A1", "A2", "B1")
    }
    class_a = TrainingClass.objects.create(
        name="甲班", intake="1", audience_stage="candidate", required_hours=Decimal("8")
    )
    class_b = TrainingClass.objects.create(
        name="乙班", intake="1", audience_stage="candidate", required_hours=Decimal("8")
    )
    class_a.trainers.add(users["TA"])
    class_b.trainers.add(users["TB"])
    class_a.required_lessons.add(lesson)
    Enrolment.objects.create(training_class=class_a, trainee=profiles["A1"])
    Enrolment.objects.create(training_class=class_a, trainee=profiles["A2"])
    Enrolment.objects.create(training_class=class_b, trainee=profiles["B1"])
    ledger_offline_add(
        user=users["A1"],
        training_class=class_a,
        source=LedgerSource.OFFLINE_LECTURE,
        granted_by=users["TA"],
        note=SECRET_NOTE,
        days=Decimal("1"),
    )
    bank = QuestionBank.objects.create(name="矩阵题库")
    exam = Quiz.objects.create(
        title="甲班考试",
        kind="exam",
        training_class=class_a,
        is_final_exam=True,
        pass_mark=Decimal("60"),
    )
    question = Question.objects.create(
        bank=bank, type="true_false", stem="矩阵判断题", answer=True, score=Decimal("100")
    )
    QuizQuestion.objects.create(quiz=exam, question=question, score=Decimal("100"), sort_order=0)
    attempt, _ = quiz_services.attempt_start(quiz=exam, user=users["A1"])
    quiz_services.attempt_answer_save(
        attempt_id=attempt.pk, user=users["A1"], question_id=question.pk, answer=True
    )
    quiz_services.attempt_submit(attempt_id=attempt.pk, user=users["A1"])
    # 结业 needs the required lessons done (issue 14).
    LessonProgress.objects.create(user=users["A1"], lesson=lesson, completed_at=timezone.now())
    certificate = certificate_issue(
        training_class=class_a, trainee=profiles["A1"], issued_by=users["TA"]
    )
    video = Video.objects.create(title="矩阵视频", original="videos/originals/m.mp4")
    return {
        "users": users,
        "profiles": profiles,
        "class_a": class_a,
        "class_b": class_b,
        "exam": exam,
        "attempt": attempt,
        "question": question,
        "certificate": certificate,
        "video": video,
        "lesson": lesson,
        "secret_lesson": secret_lesson,
    }


def _api(world, actor):
    client = APIClient()
    if actor != "anon":
        client.force_authenticate(world["users"][actor])
    return client


def _fmt(world, template: str) -> str:
    return template.format(
        lesson=world["lesson"].pk,
        secret=world["secret_lesson"].pk,
        attempt=world["attempt"].pk,
        question=world["question"].pk,
        exam=world["exam"].pk,
        a=world["class_a"].pk,
        no=world["certificate"].number,
        video=world["video"].pk,
        a1=world["profiles"]["A1"].pk,
    )


DENIED = {401, 403, 404}

API_CASES = [
    # (method, path, actor, allowed statuses)
    ("get", "/api/v1/me/", "anon", {401}),
    ("get", "/api/v1/me/records/", "anon", {401}),
    ("post", "/api/v1/lessons/{lesson}/progress/", "anon", {401}),
    ("get", "/api/v1/lessons/{secret}/", "anon", {404}),
    ("get", "/api/v1/attempts/{attempt}/", "anon", {401}),
    ("get", "/api/v1/attempts/{attempt}/", "A2", {404}),
    ("get", "/api/v1/attempts/{attempt}/", "TB", {404}),
    ("put", "/api/v1/attempts/{attempt}/answers/{question}/", "A2", {404}),
    ("post", "/api/v1/attempts/{attempt}/submit/", "A2", {404}),
    ("post", "/api/v1/quizzes/{exam}/attempts/", "anon", {401}),
    ("post", "/api/v1/quizzes/{exam}/attempts/", "B1", {403, 404}),
    ("get", "/api/v1/classes/", "anon", {401}),
    ("get", "/api/v1/classes/{a}/report/", "anon", {401}),
    ("get", "/api/v1/classes/{a}/report/", "A1", {403, 404}),
    ("get", "/api/v1/classes/{a}/report/", "TB", {404}),
    ("get", "/api/v1/classes/{a}/report/", "E", {403, 404}),
    ("get", "/api/v1/classes/{a}/report.xlsx", "TB", {404}),
    ("get", "/api/v1/classes/{a}/report.csv", "TB", {404}),
    ("post", "/api/v1/classes/{a}/certificates/", "TB", {404}),
    ("post", "/api/v1/classes/{a}/certificates/", "A1", {403, 404}),
    ("post", "/api/v1/certificates/{no}/revoke/", "TB", {404}),
    ("post", "/api/v1/certificates/{no}/revoke/", "A1", {403, 404}),
    ("post", "/api/v1/videos/", "anon", {401}),
    ("post", "/api/v1/videos/", "A1", {403}),
    ("get", "/api/v1/videos/{video}/", "A1", {403, 404}),
]


@pytest.mark.parametrize(("method", "path", "actor", "allowed"), API_CASES)
def test_api_denials(world, method, path, actor, allowed):
    # A well-formed body, so a refusal is about who asks, not about what was sent.
    body = {"answer": True, "event": "heartbeat", "position": 1, "playback_session": "x"}
    response = getattr(_api(world, actor), method)(_fmt(world, path), body, format="json")
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    body = response.content.decode("utf-8", "replace")
    for secret in (SECRET_NOTE, SECRET_PHONE, SECRET_NO, "学员A1"):
        assert secret not in body


@pytest.mark.parametrize(
    ("path", "actor", "expected"),
    [
        ("/api/v1/classes/{a}/report/", "TA", 200),
        ("/api/v1/classes/{a}/report/", "S", 200),
        ("/api/v1/attempts/{attempt}/", "A1", 200),
        ("/api/v1/me/records/", "A1", 200),
    ],
)
def test_api_allowed(world, path, actor, expected):
    assert _api(world, actor).get(_fmt(world, path)).status_code == expected


def test_trainees_see_only_their_own_records(world):
    body = _api(world, "A2").get("/api/v1/me/records/").content.decode()
    assert SECRET_NOTE not in body
    assert SECRET_NOTE in _api(world, "A1").get("/api/v1/me/records/").content.decode()


def test_trainer_class_list_is_scoped(world):
    names = [c["name"] for c in _api(world, "TB").get("/api/v1/classes/").json()["results"]]
    assert names == ["乙班"]
    names = sorted(c["name"] for c in _api(world, "S").get("/api/v1/classes/").json()["results"])
    assert names == ["乙班", "甲班"]


ADMIN_CASES = [
    # (path, actor) — each must be refused without showing the data
    ("/admin/reports/classes/{a}/", "TB"),
    ("/admin/reports/classes/{a}/", "E"),
    ("/admin/reports/classes/{a}/", "A1"),
    ("/admin/reports/classes/{a}/?format=xlsx", "TB"),
    ("/admin/reports/classes/{a}/trainees/{a1}/", "TB"),
    ("/admin/reports/classes/{a}/trainees/{a1}/record.pdf", "TB"),
    ("/admin/reports/certificates/{no}.pdf", "TB"),
    ("/admin/reports/certificates/{no}.pdf", "A1"),
    ("/admin/training_classes/edit/{a}/", "TB"),
    ("/admin/training_classes/inspect/{a}/", "TB"),
    ("/admin/training_classes/inspect/{a}/", "E"),
    ("/admin/trainees/", "E"),
    ("/admin/trainees/", "A1"),
    ("/me/records/", "anon"),
    ("/me/account/", "anon"),
]


@pytest.mark.parametrize(("path", "actor"), ADMIN_CASES)
def test_admin_and_site_denials(client, world, path, actor):
    if actor != "anon":
        client.force_login(world["users"][actor])
    response = client.get(_fmt(world, path))
    assert response.status_code in {302, 403, 404}, response.status_code
    if response.status_code == 302:
        assert "login" in response["Location"] or response["Location"].rstrip("/").endswith(
            "/admin"
        )
    body = response.content.decode("utf-8", "replace")
    for secret in (SECRET_NOTE, SECRET_PHONE, SECRET_NO):
        assert secret not in body


def test_trainer_of_the_class_sees_the_report(client, world):
    client.force_login(world["users"]["TA"])
    response = client.get(_fmt(world, "/admin/reports/classes/{a}/"))
    assert response.status_code == 200
    assert "学员A1" in response.content.decode()


def test_phone_numbers_stay_with_those_who_need_them(client, world):
    """A trainer of another class can neither see nor search by a trainee's phone number."""
    client.force_login(world["users"]["TB"])
    assert "学员A1" not in client.get("/admin/trainees/", {"q": SECRET_PHONE}).content.decode()
    response = client.get(_fmt(world, "/admin/trainees/inspect/{a1}/"))
    assert SECRET_PHONE not in response.content.decode()


def test_verification_page_shows_no_personal_data(client, world):
    body = client.get(_fmt(world, "/verify/{no}/")).content.decode()
    assert "学员A1" in body and "甲班" in body
    assert SECRET_NO not in body and SECRET_PHONE not in body
