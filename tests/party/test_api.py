"""API v2 of party work: units, members (filters, create), detail (access log), timeline, pipeline."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.models import MemberAccessLog, Stage, StepDefinition, StepRecord
from party.members.services import stage_history_import
from tests.party.conftest import make_member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_units_are_the_callers_scope_with_parent_and_secretary(tree):
    rows = api(tree["users"]["secretary"]).get("/api/v1/org/units/").json()["results"]
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"法学本科生党支部", "第一党小组"}
    branch = by_name["法学本科生党支部"]
    assert branch["kind"] == "branch"
    assert branch["parent"] == tree["units"]["law"].pk
    assert branch["secretary"] == "李书记"
    assert by_name["第一党小组"]["parent"] == branch["id"]
    assert api(tree["users"]["member"]).get("/api/v1/org/units/").json()["count"] == 0


def test_units_list_query_count_does_not_grow(tree, django_assert_max_num_queries):
    client = api(tree["users"]["office"])
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/org/units/").json()["count"] == 7


def test_member_list_filters_by_unit_subtree_stage_and_query(tree):
    stage_history_import(
        member=tree["members"]["law_b2"], entries=[(Stage.ACTIVIST, date(2024, 1, 1))], by_user=None
    )
    client = api(tree["users"]["organiser"])
    law = tree["units"]["law"].pk
    names = lambda r: sorted(m["name"] for m in r.json()["results"])  # noqa: E731
    assert names(client.get(f"/api/v1/members/?unit={law}")) == sorted(["张三", "李四", "李书记"])
    rows = client.get("/api/v1/members/?stage=activist").json()["results"]
    assert [(r["name"], r["stage"], r["stage_since"]) for r in rows] == [
        ("李四", "activist", "2024-01-01")
    ]
    assert names(client.get("/api/v1/members/?q=S00")) == ["张三", "李四"]
    # Another college's unit: nothing, not an error that reveals it.
    eng = tree["units"]["eng"].pk
    assert client.get(f"/api/v1/members/?unit={eng}").json()["count"] == 0


def test_a_member_lists_only_themself(tree):
    rows = api(tree["users"]["member"]).get("/api/v1/members/").json()["results"]
    assert [r["name"] for r in rows] == ["张三"]


def test_create_member_in_scope_only(tree):
    client = api(tree["users"]["secretary"])
    payload = {"name": "新人", "student_no": "N1", "gender": "male"}
    ok = client.post("/api/v1/members/", {**payload, "unit": tree["units"]["law_b1"].pk})
    assert ok.status_code == 201, ok.json()
    assert ok.json()["stage"] is None
    refused = client.post(
        "/api/v1/members/", {**payload, "student_no": "N2", "unit": tree["units"]["eng_b1"].pk}
    )
    assert refused.status_code == 400
    assert "unit" in refused.json()["errors"]
    dup = client.post("/api/v1/members/", {**payload, "unit": tree["units"]["law_b1"].pk})
    assert dup.status_code == 400 and dup.json()["code"] == "duplicate"
    assert api(tree["users"]["member"]).post("/api/v1/members/", payload).status_code == 400


def test_detail_is_logged_and_outside_scope_is_404(tree):
    member = tree["members"]["law_b1"]
    secretary = tree["users"]["secretary"]
    response = api(secretary).get(f"/api/v1/members/{member.pk}/")
    assert response.status_code == 200
    assert response.json()["group_name"] == "第一党小组"
    log = MemberAccessLog.objects.get()
    assert (log.user, log.member, log.action) == (secretary, member, "view")
    other = tree["members"]["eng_b1"]
    assert api(secretary).get(f"/api/v1/members/{other.pk}/").status_code == 404
    assert api(secretary).get(f"/api/v1/members/{other.pk}/timeline/").status_code == 404
    assert MemberAccessLog.objects.count() == 1


def test_timeline_has_changes_steps_and_what_is_next(tree):
    member = tree["members"]["law_b1"]
    activist_on = TODAY - relativedelta(months=7)
    stage_history_import(
        member=member,
        entries=[
            (Stage.APPLICANT, activist_on - relativedelta(months=2)),
            (Stage.ACTIVIST, activist_on),
        ],
        by_user=None,
    )
    StepRecord.objects.create(
        member=member, step=StepDefinition.objects.get(code="6.1"), done_on=activist_on
    )
    body = api(tree["users"]["member"]).get(f"/api/v1/members/{member.pk}/timeline/").json()
    assert body["stage"] == "activist"
    assert [c["stage"] for c in body["stage_changes"]] == ["applicant", "activist"]
    assert body["next"]["stage"] == "candidate"
    assert body["next"]["earliest"] == str(activist_on + relativedelta(years=1))
    steps = {s["code"]: s for s in body["steps"]}
    assert len([s for s in body["steps"] if s["code"].isdigit()]) == 25
    # 思想汇报 quarterly: the last one was seven months ago, so one is overdue.
    assert steps["6.1"]["due_date"] == str(activist_on + relativedelta(months=3))
    assert steps["6.1"]["overdue"] is True
    # 考察 every six months from the 积极分子 date, none recorded.
    assert steps["6"]["due_date"] == str(activist_on + relativedelta(months=6))
    assert steps["3"]["done_on"] == str(activist_on)


def test_pipeline_counts_by_stage_and_lists_due_items_soonest_first(tree):
    unit = tree["units"]["law_b1"]
    applicant = make_member(unit, "申请人", "A1")
    stage_history_import(
        member=applicant, entries=[(Stage.APPLICANT, TODAY - relativedelta(days=40))], by_user=None
    )
    probationer = make_member(unit, "预备党员", "P1")
    stage_history_import(
        member=probationer,
        entries=[(Stage.PROBATIONARY, TODAY - relativedelta(years=1) + relativedelta(days=10))],
        by_user=None,
    )
    body = api(tree["users"]["secretary"]).get(f"/api/v1/units/{unit.pk}/pipeline/").json()
    assert body["counts"]["applicant"] == 1
    assert body["counts"]["probationary"] == 1
    due = [(d["member_name"], d["step"], d["overdue"]) for d in body["due"]]
    # 谈话 within a month of the application (art. 8) is overdue; the 转正申请 falls due in 10 days.
    assert ("申请人", "2", True) in due
    assert ("预备党员", "22", False) in due
    dates = [d["due_date"] for d in body["due"]]
    assert dates == sorted(dates)
    other = tree["units"]["eng_b1"]
    assert (
        api(tree["users"]["secretary"]).get(f"/api/v1/units/{other.pk}/pipeline/").status_code
        == 404
    )


def test_pipeline_query_count_is_constant(tree, django_assert_max_num_queries):
    unit = tree["units"]["law_b1"]
    for i in range(15):
        person = make_member(unit, f"人{i}", f"Q{i}")
        stage_history_import(
            member=person,
            entries=[(Stage.ACTIVIST, date(2024, 1, 1) + relativedelta(days=i))],
            by_user=None,
        )
    client = api(tree["users"]["secretary"])
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/units/{unit.pk}/pipeline/").json()["counts"]["activist"] == 15


def test_the_schema_describes_the_party_api(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/org/units/",
        "/api/v1/members/{id}/stage-changes/",
        "/api/v1/members/{id}/timeline/",
        "/api/v1/units/{id}/pipeline/",
    ):
        assert path in schema
