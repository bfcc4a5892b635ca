"""Learning reads a trainee's 学院, 党支部 and stage from their member record (issue 15): after a
组织关系转接 in the registry and a stage recorded in the history, every reader shows the member's
unit and stage (a trainee has no 学院, 党支部 or stage field of their own)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from learning.classes.membership import trainee_organisation
from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.classes.selectors import own_trainee_profile
from learning.progress.selectors import class_progress_rows
from learning.reports.class_report import ReportFilters, class_report, to_row
from party.members.models import Stage
from party.members.services import member_transfer
from tests.factories import advance_trainee, make_branch_unit, make_trainee_profile

OLD = ("法学院党委", "法学本科生党支部")
NEW = ("工学院党委", "机械党支部")


@pytest.fixture
def moved(db, trainer):
    """A trainee enrolled as 入党积极分子 of 法学本科生党支部, then moved by 组织部 to 机械党支部 of
    工学院党委 (组织关系转接) and 确定为发展对象 in the history."""
    office = User.objects.create_superuser("office", password="pw-123456-x")
    old_branch, new_branch = make_branch_unit(*OLD), make_branch_unit(*NEW)
    profile = make_trainee_profile(
        name="张三", student_no="2024001", branch=old_branch, since=date(2025, 1, 10)
    )
    tc = TrainingClass.objects.create(name="第一期发展对象培训班", required_hours=Decimal("10"))
    tc.trainers.add(trainer)
    Enrolment.objects.create(training_class=tc, trainee=profile)
    member_transfer(member=profile.member, to_unit=new_branch, on=date(2026, 3, 1), by_user=office)
    advance_trainee(profile, Stage.CANDIDATE, on=date(2026, 3, 2))
    profile.refresh_from_db()
    return {"profile": profile, "class": tc, "new_branch": new_branch}


def _shows_new_not_old(html: str) -> None:
    """Outside the filter choices (another matter: slice 3, filters by unit)."""
    html = re.sub(r"<select.*?</select>", "", html, flags=re.S)
    assert NEW[0] in html and NEW[1] in html
    assert OLD[0] not in html and OLD[1] not in html


def test_class_report_rows_and_exports_carry_the_members_unit(client, trainer, moved):
    tc = moved["class"]
    row = to_row(class_report(training_class=tc).get())
    assert (row.college, row.branch, row.branch_id) == (*NEW, moved["new_branch"].pk)
    assert row.stage == Stage.CANDIDATE
    client.force_login(trainer)
    html = client.get(f"/admin/reports/classes/{tc.pk}/").content.decode()
    _shows_new_not_old(html)
    assert "发展对象" in html
    csv = b"".join(
        client.get(f"/admin/reports/classes/{tc.pk}/", {"format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    _shows_new_not_old(csv)


def test_report_api_rows_keep_their_names_with_unit_names(trainer, moved):
    api = APIClient()
    api.force_authenticate(trainer)
    data = api.get(f"/api/v1/classes/{moved['class'].pk}/report/").json()
    trainee = data["rows"][0]["trainee"]
    assert (trainee["college"], trainee["branch"], trainee["stage"]) == (*NEW, "candidate")


def test_report_sorts_by_the_members_college_and_branch(trainer, moved):
    tc = moved["class"]
    other = make_trainee_profile(name="李四", branch=make_branch_unit("文学院党委", "中文党支部"))
    Enrolment.objects.create(training_class=tc, trainee=other)
    by_college = [
        r["college"] for r in class_report(training_class=tc, filters=ReportFilters(sort="college"))
    ]
    assert by_college == sorted(by_college) and set(by_college) == {NEW[0], "文学院党委"}
    descending = [
        r["branch"] for r in class_report(training_class=tc, filters=ReportFilters(sort="-branch"))
    ]
    assert descending == sorted(descending, reverse=True)
    # The page's plain-column path sorts the same way.
    from learning.reports.class_report import class_report_page

    _page, rows = class_report_page(
        training_class=tc, filters=ReportFilters(sort="college"), number=1
    )
    assert [r.college for r in rows] == by_college


def test_me_api_and_pages_of_the_trainee(moved):
    user = moved["profile"].user
    api = APIClient()
    api.force_authenticate(user)
    data = api.get("/api/v1/me/").json()
    assert (data["college"], data["branch"], data["stage"]) == (*NEW, "candidate")
    assert data["stage_display"] == "发展对象"
    client = APIClient()
    client.force_login(user)
    for url in ("/me/", "/me/account/"):
        html = client.get(url).content.decode()
        _shows_new_not_old(html)
        assert "发展对象" in html and "入党积极分子" not in html, url


def test_learning_record_page_of_the_trainer(client, trainer, moved):
    client.force_login(trainer)
    tc, profile = moved["class"], moved["profile"]
    html = client.get(f"/admin/reports/classes/{tc.pk}/trainees/{profile.pk}/").content.decode()
    _shows_new_not_old(html)
    assert "发展阶段：发展对象" in html


def test_class_progress_panel_attendance_checklist_and_trainee_list(client, trainer, moved):
    tc = moved["class"]
    row = class_progress_rows(training_class=tc)[0]
    assert (row.trainee.branch_name, row.trainee.stage_display) == (NEW[1], "发展对象")
    client.force_login(trainer)
    html = client.get(f"/admin/training_classes/inspect/{tc.pk}/").content.decode()
    assert NEW[1] in html and OLD[1] not in html
    checklist = client.get(f"/admin/offline_sessions/class/{tc.pk}/add/").content.decode()
    assert f"{NEW[1]}（1）" in checklist and OLD[1] not in checklist
    listing = client.get("/admin/trainees/").content.decode()
    _shows_new_not_old(listing)
    assert "发展对象" in listing


def test_trainee_organisation_for_one_profile_and_the_pdf(moved, django_assert_num_queries):
    profile = TraineeProfile.objects.get(pk=moved["profile"].pk)
    with django_assert_num_queries(2):
        organisation = trainee_organisation(profile)
    assert (organisation.college, organisation.branch) == NEW
    assert organisation.branch_unit == moved["new_branch"]
    annotated = own_trainee_profile(profile.user)
    with django_assert_num_queries(0):
        assert (trainee_organisation(annotated).college, annotated.stage_display) == (
            NEW[0],
            "发展对象",
        )
