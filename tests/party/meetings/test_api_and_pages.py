"""API v2 of meetings and the phone pages: plan, detail, QR, check-in, 请假, attendance, notices;
every route refuses those outside the scope (the matrix rows are in tests/security)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from party.meetings import selectors
from party.meetings.checkin import checkin_code
from party.meetings.models import Attendance, Meeting, Notice

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_api_plan_and_detail(life):
    secretary = life["users"]["secretary"]
    starts = (timezone.now() + timedelta(days=1)).isoformat()
    body = {
        "unit": life["units"]["law_b1"].pk,
        "kind": "lecture",
        "topic": "书记讲党课",
        "starts_at": starts,
        "place": "礼堂",
        "speaker": "李书记",
        "host": life["members"]["secretary"].pk,
    }
    response = api(secretary).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["expected"], data["present"], data["absent"]) == (5, 0, 5)
    assert len(data["attendance"]) == 5
    # Another branch's secretary: the unit is outside the scope → 404, nothing written.
    before = Meeting.objects.count()
    response = api(life["users"]["secretary2"]).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 404
    bad = api(secretary).post("/api/v1/meetings/", {**body, "kind": "group"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "holding_unit"
    assert Meeting.objects.count() == before
    # A member sees the meeting without the attendance list.
    detail = api(life["users"]["member"]).get(f"/api/v1/meetings/{data['id']}/").json()
    assert detail["expected"] == 5 and "attendance" not in detail


def test_api_check_in_errors(life):
    meeting, user = life["open"], life["users"]["lm1"]
    url = f"/api/v1/meetings/{meeting.pk}/check-in/"
    code = checkin_code(meeting_id=meeting.pk)
    assert api(user).post(url, {"code": "nonsense"}, format="json").status_code == 400
    outsider, activist = api(life["users"]["outsider"]), api(life["users"]["activist"])
    assert outsider.post(url, {"code": code}, format="json").status_code == 404
    assert activist.post(url, {"code": code}, format="json").status_code == 403
    assert api().post(url, {"code": code}, format="json").status_code == 401
    first = api(user).post(url, {"code": code}, format="json")
    assert first.status_code == 201 and first.json()["status"] == "present"
    again = api(user).post(url, {"code": code}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already"
    future = life["future"]
    response = api(user).post(
        f"/api/v1/meetings/{future.pk}/check-in/",
        {"code": checkin_code(meeting_id=future.pk)},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "not_started"
    assert Attendance.objects.count() == 1


def test_api_leave_and_attendance(life):
    meeting, member = life["open"], life["members"]["lm2"]
    response = api(life["users"]["lm2"]).post(
        f"/api/v1/meetings/{meeting.pk}/leave/", {"reason": "生病"}, format="json"
    )
    assert response.status_code == 201
    url = f"/api/v1/meetings/{meeting.pk}/attendance/{member.pk}/"
    assert (
        api(life["users"]["secretary2"]).put(url, {"status": "leave"}, format="json").status_code
        == 404
    )
    assert api(life["users"]["lm1"]).put(url, {"status": "leave"}, format="json").status_code == 404
    response = api(life["users"]["secretary"]).put(url, {"status": "leave"}, format="json")
    assert response.status_code == 200 and response.json()["reason"] == "生病"
    response = api(life["users"]["secretary"]).put(url, {"status": "late"}, format="json")
    assert response.status_code == 400


def test_api_lists_are_scoped(life):
    def topics(user):
        return {m["topic"] for m in api(user).get("/api/v1/meetings/").json()["results"]}

    assert "学习党章" in topics(life["users"]["member"])
    assert topics(life["users"]["secretary2"]) == set()
    assert topics(life["users"]["outsider"]) == set()
    assert (
        api(life["users"]["secretary2"]).get(f"/api/v1/meetings/{life['open'].pk}/").status_code
        == 404
    )


def test_schema_has_the_meeting_routes(life, client):
    schema = client.get("/api/schema/").content.decode()
    for route in (
        "/api/v1/meetings/",
        "/api/v1/meetings/{id}/check-in/",
        "/attendance/{member_id}/",
    ):
        assert route in schema


def test_plan_page_on_a_phone_and_its_scoped_choices(life, client):
    client.force_login(life["users"]["secretary"])
    page = client.get(reverse("meetings:plan")).content.decode()
    assert "法学本科生党支部" in page and "机械党支部" not in page
    assert "王五" not in page  # no member of another branch in the drop-downs
    starts = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("meetings:plan"),
        {
            "unit": life["units"]["law_b1"].pk,
            "kind": "theme_day",
            "topic": "十二月主题党日",
            "starts_at": starts,
            "duration": 90,
            "place": "法学楼 201",
        },
    )
    meeting = Meeting.objects.get(topic="十二月主题党日")
    assert response.status_code == 302 and response["Location"].endswith(f"/{meeting.pk}/")
    foreign = client.post(
        reverse("meetings:plan"),
        {
            "unit": life["units"]["eng_b1"].pk,
            "kind": "theme_day",
            "topic": "越权",
            "starts_at": starts,
            "duration": 90,
            "place": "x",
        },
    )
    assert foreign.status_code == 400 and not Meeting.objects.filter(topic="越权").exists()
    client.force_login(life["users"]["member"])
    assert client.get(reverse("meetings:plan")).status_code == 404


def test_qr_page_and_check_in_page(life, client):
    meeting = life["open"]
    client.force_login(life["users"]["member"])
    assert client.get(reverse("meetings:qr", args=[meeting.pk])).status_code == 404
    client.force_login(life["users"]["secretary"])
    page = client.get(reverse("meetings:qr", args=[meeting.pk])).content.decode()
    assert "<svg" in page
    link = re.search(r'data-checkin-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    client.force_login(life["users"]["lm1"])
    assert "确认签到" in client.get(link).content.decode()
    code = link.split("code=")[1]
    response = client.post(reverse("meetings:check-in", args=[meeting.pk]), {"code": code})
    assert response.status_code == 302
    again = client.post(reverse("meetings:check-in", args=[meeting.pk]), {"code": code})
    assert again.status_code == 409 and "无需重复签到" in again.content.decode()
    assert selectors.attendance_counts(meeting=meeting).present == 1


def test_secretary_ticks_on_the_detail_page(life, client):
    meeting = life["open"]
    client.force_login(life["users"]["secretary"])
    client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {"member": life["members"]["lm3"].pk, "status": "present"},
    )
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "实到 1 / 应到 5" in page
    client.force_login(life["users"]["secretary2"])
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    response = client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {"member": life["members"]["lm2"].pk, "status": "present"},
    )
    assert response.status_code == 404


def test_home_page_shows_unread_notices_and_the_list_marks_them_read(life, client):
    client.force_login(life["users"]["member"])
    home = client.get("/").content.decode()
    assert "2 条未读" in home
    notices = client.get(reverse("meetings:notices")).content.decode()
    assert "下月主题党日" in notices
    assert not Notice.objects.filter(user=life["users"]["member"], read_at__isnull=True).exists()
    assert "条未读" not in client.get("/").content.decode()
