"""The reports API's bodies, pinned whole: the serializers produce them (issue 13), and the JSON is
what the hand-built dicts answered before (same keys, order, number and date formats, links)."""

import datetime
import json

import pytest
from django.contrib.auth.models import User
from rest_framework.serializers import Serializer
from rest_framework.test import APIClient

from learning.reports.models import Certificate
from learning.reports.selectors import class_report, iter_rows
from learning.reports.serializers import ReportRowSerializer

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def klass(report_factory, trainer):
    tc = report_factory.klass(
        trainers=[trainer],
        required_hours="4",
        name="第十期发展对象班",
        intake="第10期",
        audience_stage="candidate",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2099, 12, 31),
    )
    tc.exam = report_factory.exam(tc)
    branch = report_factory.org(branch_name="一支部")
    a, b = report_factory.trainees(tc, 2, branch=branch)
    report_factory.hours(a, tc, 4)
    report_factory.attempt(tc.exam, a, 88)
    report_factory.hours(b, tc, "1.5")
    tc.a, tc.b = a, b
    return tc


def class_body(tc):
    return {
        "id": tc.pk,
        "name": "第十期发展对象班",
        "intake": "第10期",
        "audience_stage": "candidate",
        "start_date": "2026-09-01",
        "end_date": "2099-12-31",
        "required_hours": "4.00",
        "pass_mark": "60.00",
        "trainee_count": 2,
    }


def trainee_body(profile):
    return {
        "id": profile.pk,
        "name": profile.name,
        "student_no": profile.student_no,
        "college": "马克思主义学院",
        "branch": "一支部",
        "stage": "activist",
    }


def row_a(tc, certificate_no=None):
    return {
        "trainee": trainee_body(tc.a),
        "earned_hours": "4.00",
        "required_hours": "4.00",
        "leave_hours": "0.00",
        "excused_hours": "0.00",
        "lessons_completed": 0,
        "lessons_total": 0,
        "exam": tc.exam.pk,
        "exam_best_score": "88.00",
        "exam_passed": True,
        "exam_by_makeup": False,
        "makeup_exam": None,
        "missing": [],
        "status": "completed",
        "status_display": "已结业" if certificate_no else "已达结业条件",
        "certificate_no": certificate_no,
        "disqualified_reason": None,
    }


def row_b(tc):
    return {
        "trainee": trainee_body(tc.b),
        "earned_hours": "1.50",
        "required_hours": "4.00",
        "leave_hours": "0.00",
        "excused_hours": "0.00",
        "lessons_completed": 0,
        "lessons_total": 0,
        "exam": tc.exam.pk,
        "exam_best_score": None,
        "exam_passed": None,
        "exam_by_makeup": False,
        "makeup_exam": None,
        "missing": ["hours", "exam"],
        "status": "in_progress",
        "status_display": "学习中",
        "certificate_no": None,
        "disqualified_reason": None,
    }


FILTERS = {
    "branch": None,
    "college": None,
    "stage": "",
    "status": "",
    "q": "",
    "sort": "student_no",
}


def test_class_list_and_report_bodies(klass, trainer):
    listed = api(trainer).get("/api/v1/classes/").json()
    assert listed == {"count": 1, "next": None, "previous": None, "results": [class_body(klass)]}
    response = api(trainer).get(f"/api/v1/classes/{klass.pk}/report/")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "class": class_body(klass),
        "filters": FILTERS,
        "count": 2,
        "next": None,
        "previous": None,
        "rows": [row_a(klass), row_b(klass)],
    }
    # The keys in the order they always came.
    assert list(response.json()) == ["class", "filters", "count", "next", "previous", "rows"]
    assert list(response.json()["rows"][0]) == list(row_a(klass))


def test_report_pages_link_with_the_request_parameters_and_always_name_the_page(klass, trainer):
    url = f"/api/v1/classes/{klass.pk}/report/"
    first = api(trainer).get(url, {"sort": "name", "page": 1, "page_size": 1}).json()
    base = f"http://testserver/api/v1/classes/{klass.pk}/report/"
    assert first == {
        "class": class_body(klass),
        "filters": {**FILTERS, "sort": "name"},
        "count": 2,
        "next": f"{base}?sort=name&page=2&page_size=1",
        "previous": None,
        "rows": [row_a(klass)],
    }
    second = api(trainer).get(first["next"]).json()
    assert second["previous"] == f"{base}?sort=name&page=1&page_size=1"
    assert (second["next"], second["rows"]) == (None, [row_b(klass)])
    past = api(trainer).get(url, {"page": 3, "page_size": 1})
    assert (past.status_code, past.json()) == (404, {"detail": "未找到。"})


def test_preview_issue_and_revoke_bodies(klass, trainer):
    url = f"/api/v1/classes/{klass.pk}/certificates/"
    preview = api(trainer).get(url).json()
    assert preview == {
        "to_issue": [row_a(klass)],
        "skipped": [{"row": row_b(klass), "reason": "学习中：学时未修满、结业考试未通过"}],
    }
    issued = api(trainer).post(url, {"trainee": klass.a.pk}, format="json")
    certificate = Certificate.objects.get()
    number = certificate.number
    body = {
        "number": number,
        "trainee": klass.a.pk,
        "training_class": klass.pk,
        "trainee_name": klass.a.name,
        "class_name": "第十期发展对象班 第10期",
        "earned_hours": "4.00",
        "exam_score": None,
        "issued_at": certificate.issued_at.astimezone(
            datetime.timezone(datetime.timedelta(hours=8))
        ).isoformat(),
        "revoked_at": None,
        "revoke_reason": "",
        "verify_url": f"http://testserver/verify/{number}/",
    }
    assert (issued.status_code, issued.json()) == (201, [body])
    report = api(trainer).get(f"/api/v1/classes/{klass.pk}/report/").json()
    assert report["rows"][0] == row_a(klass, certificate_no=number)
    revoked = api(trainer).post(f"/api/v1/certificates/{number}/revoke/", {"reason": "录入有误"})
    certificate.refresh_from_db()
    assert revoked.json() == {
        **body,
        "revoked_at": certificate.revoked_at.astimezone(
            datetime.timezone(datetime.timedelta(hours=8))
        ).isoformat(),
        "revoke_reason": "录入有误",
    }


def test_me_bodies(klass):
    me = api(klass.a.user).get("/api/v1/me/").json()
    assert me == {
        "user": {"id": klass.a.user.pk, "username": klass.a.user.username, "name": klass.a.name},
        "student_no": klass.a.student_no,
        "stage": "activist",
        "stage_display": "入党积极分子",
        "college": "马克思主义学院",
        "branch": "一支部",
        "classes": [
            {
                "id": klass.pk,
                "name": "第十期发展对象班",
                "intake": "第10期",
                "required_hours": "4.00",
                "earned_hours": "4.00",
                "leave_hours": "0.00",
                "excused_hours": "0.00",
                "leave_allowance_percent": "0.00",
                "missing": [],
                "exam": klass.exam.pk,
                "exam_passed": True,
                "exam_by_makeup": False,
                "makeup_exam": None,
                "lessons_completed": 0,
                "lessons_total": 0,
                "status": "completed",
                "status_display": "已达结业条件",
                "certificate_no": None,
            }
        ],
    }
    # A user who is not a trainee: no profile, no classes, the account's name.
    staff = User.objects.create_user("office", first_name="办", last_name="公室")
    assert api(staff).get("/api/v1/me/").json() == {
        "user": {"id": staff.pk, "username": "office", "name": staff.get_full_name()},
        "student_no": None,
        "stage": None,
        "stage_display": None,
        "college": None,
        "branch": None,
        "classes": [],
    }


def test_the_rows_fast_path_says_what_the_declared_fields_say(klass, trainer, report_factory):
    """ReportRowSerializer writes its JSON directly for speed; DRF's own path over the same
    declared fields gives the same, for every kind of row (exam, makeup, leave, none)."""
    rows = list(iter_rows(class_report(training_class=klass)))
    assert rows
    serializer = ReportRowSerializer()
    for row in rows:
        assert serializer.to_representation(row) == json.loads(
            json.dumps(Serializer.to_representation(serializer, row))
        )
