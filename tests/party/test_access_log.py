"""Every view and export of member records writes the access log (who, which member, what, when):
one test per entry point. Personal data of members is sensitive (个人信息保护法)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from party.members.models import MemberAccessLog

pytestmark = pytest.mark.django_db


def logged(action="view"):
    return list(MemberAccessLog.objects.filter(action=action).select_related("member", "user"))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_member_list_logs_each_member_listed(tree):
    organiser = tree["users"]["organiser"]
    response = api(organiser).get(reverse("api-members"))
    listed = {row["student_no"] for row in response.json()["results"]}
    assert listed == {"S001", "S002", "T001"}
    rows = logged()
    assert {r.member.student_no for r in rows} == listed
    assert {r.user for r in rows} == {organiser} and {r.what for r in rows} == {"API 党员列表"}


def test_api_member_list_logs_only_the_page_returned(tree):
    response = api(tree["users"]["office"]).get(reverse("api-members"), {"page_size": 2})
    assert len(response.json()["results"]) == 2
    assert len(logged()) == 2


def test_api_member_detail_and_timeline_are_logged(tree):
    client = api(tree["users"]["secretary"])
    member = tree["members"]["law_b1"]
    client.get(reverse("api-member", args=[member.pk]))
    client.get(reverse("api-member-timeline", args=[member.pk]))
    assert [(r.member, r.what) for r in logged()] == [
        (member, "API 发展纪实"),
        (member, "API 档案"),
    ]


def test_api_sponsors_are_logged(tree):
    member = tree["members"]["law_b1"]
    api(tree["users"]["secretary"]).get(reverse("api-member-sponsors", args=[member.pk]))
    assert [(r.member, r.what) for r in logged()] == [(member, "API 培养联系人/入党介绍人")]


def test_api_pipeline_is_logged_per_unit(tree):
    unit = tree["units"]["law_b1"]
    api(tree["users"]["secretary"]).get(reverse("api-unit-pipeline", args=[unit.pk]))
    (row,) = logged()
    assert row.member is None and unit.name in row.what


def test_admin_member_list_logs_each_member_shown(client, tree):
    client.force_login(tree["users"]["organiser"])
    response = client.get(reverse("party_members:index"))
    assert response.status_code == 200
    assert {r.member.student_no for r in logged()} == {"S001", "S002", "T001"}


def test_admin_member_edit_page_is_logged(client, tree):
    member = tree["members"]["law_b2"]
    client.force_login(tree["users"]["organiser"])
    assert client.get(reverse("party_members:edit", args=[member.pk])).status_code == 200
    assert [(r.member, r.what) for r in logged()] == [(member, "管理后台档案")]


def test_refused_requests_log_nothing(client, tree):
    other = tree["members"]["eng_b1"]
    client.force_login(tree["users"]["secretary"])
    assert client.get(reverse("party:member_timeline", args=[other.pk])).status_code == 404
    assert (
        api(tree["users"]["secretary"]).get(reverse("api-member", args=[other.pk])).status_code
        == 404
    )
    assert logged() == []


# The site pages (board, board export, timeline, 我的入党进程) and the registry export are covered
# in tests/party/test_pages.py and tests/party/test_registry.py.
