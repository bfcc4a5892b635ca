"""Bulk marking on the attendance list (issue 16): several or all remaining members 实到 at once,
one log line per member, one transaction (all or nothing), scope-checked, 会后更正 needs a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from learning.progress.models import HoursLedgerEntry
from party.meetings import selectors, services
from party.meetings.exceptions import MeetingError
from party.meetings.models import Attendance, AttendanceChange, MeetingKind

pytestmark = pytest.mark.django_db


def ids(life, *keys):
    return [life["members"][k].pk for k in keys]


def test_several_members_at_once_each_logged_and_credited(life):
    meeting, secretary = life["open"], life["users"]["secretary"]
    marked = services.attendance_set_many(
        meeting=meeting,
        member_ids=ids(life, "lm1", "lm2", "lm3"),
        status="present",
        by_user=secretary,
    )
    assert sorted(marked) == sorted(ids(life, "lm1", "lm2", "lm3"))
    assert selectors.attendance_counts(meeting=meeting).present == 3
    log = AttendanceChange.objects.filter(meeting=meeting)
    assert log.count() == 3
    assert set(log.values_list("recorded_by", "method", "status", "late")) == {
        (secretary.pk, "secretary", "present", False)
    }
    # The 主题党日 is study: each got their 学时, once.
    assert HoursLedgerEntry.objects.filter(source="org_life").count() == 3
    # Again with one already present: only the new one is logged.
    services.attendance_set_many(
        meeting=meeting, member_ids=ids(life, "lm1", "law_b1"), status="present", by_user=secretary
    )
    assert log.count() == 4 and HoursLedgerEntry.objects.count() == 4


def test_all_or_nothing(life):
    meeting, secretary = life["open"], life["users"]["secretary"]
    # The activist is not 应到: nobody is marked.
    with pytest.raises(MeetingError) as info:
        services.attendance_set_many(
            meeting=meeting,
            member_ids=ids(life, "lm1", "activist", "lm2"),
            status="present",
            by_user=secretary,
        )
    assert info.value.code == "not_expected" and "1" in info.value.message
    # Approving 请假 in bulk: lm2 asked (has a reason), lm1 did not: refused for both.
    services.leave_request(meeting=meeting, user=life["users"]["lm2"], reason="出差")
    with pytest.raises(MeetingError) as info:
        services.attendance_set_many(
            meeting=meeting, member_ids=ids(life, "lm2", "lm1"), status="leave", by_user=secretary
        )
    assert info.value.code == "reason"
    assert list(Attendance.objects.values_list("status", flat=True)) == ["leave_requested"]
    assert AttendanceChange.objects.count() == 1 and not HoursLedgerEntry.objects.exists()
    with pytest.raises(MeetingError):
        services.attendance_set_many(
            meeting=meeting, member_ids=[], status="present", by_user=secretary
        )


def test_scope_and_not_started(life):
    with pytest.raises(MeetingError) as info:
        services.attendance_set_many(
            meeting=life["open"],
            member_ids=ids(life, "lm1"),
            status="present",
            by_user=life["users"]["secretary2"],
        )
    assert (info.value.code, info.value.status) == ("not_found", 404)
    with pytest.raises(MeetingError) as info:
        services.attendance_set_many(
            meeting=life["future"],
            member_ids=ids(life, "lm1"),
            status="present",
            by_user=life["users"]["secretary"],
        )
    assert info.value.code == "not_started"
    assert not Attendance.objects.exists()


def test_after_the_end_it_is_a_correction_with_a_reason(life):
    ended, secretary = life["ended"], life["users"]["secretary"]
    with pytest.raises(MeetingError) as info:
        services.attendance_set_many(
            meeting=ended, member_ids=ids(life, "lm1", "lm2"), status="present", by_user=secretary
        )
    assert info.value.code == "reason" and not Attendance.objects.exists()
    services.attendance_set_many(
        meeting=ended,
        member_ids=ids(life, "lm1", "lm2"),
        status="present",
        reason="签到表补录",
        by_user=secretary,
    )
    log = AttendanceChange.objects.filter(meeting=ended)
    assert set(log.values_list("late", "reason")) == {(True, "签到表补录")}
    assert log.count() == 2


def test_remaining_are_the_members_still_absent(life):
    meeting, secretary = life["open"], life["users"]["secretary"]
    services.leave_request(meeting=meeting, user=life["users"]["lm3"], reason="生病")
    services.attendance_set(
        meeting=meeting, member_id=life["members"]["lm2"].pk, status="present", by_user=secretary
    )
    services.attendance_set(
        meeting=meeting, member_id=life["members"]["lm1"].pk, status="absent", by_user=secretary
    )
    remaining = selectors.absent_member_ids(meeting=meeting)
    assert sorted(remaining) == sorted(ids(life, "lm1", "law_b1", "secretary"))


def test_query_count_grows_by_a_fixed_amount_per_member(life, django_assert_max_num_queries):
    meeting, secretary = life["open"], life["users"]["secretary"]
    # scope (≤ 1), expected (1), savepoint, locked rows (1), per member: insert row, insert log,
    # ledger insert (a first attendance: no lookup); release.
    with django_assert_max_num_queries(5 + 3 * 3):
        services.attendance_set_many(
            meeting=meeting,
            member_ids=ids(life, "lm1", "lm2", "lm3"),
            status="present",
            by_user=secretary,
        )


def test_bulk_api(life):
    meeting = life["open"]
    client = APIClient()
    client.force_authenticate(life["users"]["secretary"])
    url = f"/api/v1/meetings/{meeting.pk}/attendance/bulk/"
    response = client.post(
        url, {"members": ids(life, "lm1", "lm2"), "status": "present"}, format="json"
    )
    assert response.status_code == 200
    assert {(r["member"], r["status"]) for r in response.json()} == {
        (life["members"]["lm1"].pk, "present"),
        (life["members"]["lm2"].pk, "present"),
    }
    response = client.post(url, {"remaining": True, "status": "present"}, format="json")
    assert response.status_code == 200 and len(response.json()) == 3
    assert selectors.attendance_counts(meeting=meeting).present == 5
    # Neither or both of members/remaining: 400; a member outside 应到: 400, nothing written.
    assert client.post(url, {"status": "present"}, format="json").status_code == 400
    both = {"members": ids(life, "lm1"), "remaining": True, "status": "present"}
    assert client.post(url, both, format="json").status_code == 400
    before = AttendanceChange.objects.count()
    response = client.post(
        url, {"members": ids(life, "activist"), "status": "present"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "not_expected"
    assert AttendanceChange.objects.count() == before


def test_bulk_on_the_page(life, client):
    meeting = life["open"]
    client.force_login(life["users"]["secretary"])
    detail = reverse("meetings:detail", args=[meeting.pk])
    page = client.get(detail).content.decode()
    assert 'form="bulk-attendance"' in page and "其余缺席党员全部标为实到" in page
    bulk = reverse("meetings:attendance-bulk", args=[meeting.pk])
    response = client.post(bulk, {"members": ids(life, "lm1", "lm3"), "status": "present"})
    assert response.status_code == 302
    assert "实到 2 / 应到 5" in client.get(detail).content.decode()
    client.post(bulk, {"remaining": "1", "status": "present"})
    assert "实到 5 / 应到 5" in client.get(detail).content.decode()


def test_bulk_on_the_page_after_the_end_needs_a_reason(life, client):
    ended = life["plan"](
        kind=MeetingKind.LECTURE,
        starts_at=timezone.now() - timedelta(hours=3),
        topic="已结束的党课",
    )
    client.force_login(life["users"]["secretary"])
    bulk = reverse("meetings:attendance-bulk", args=[ended.pk])
    page = client.get(reverse("meetings:detail", args=[ended.pk])).content.decode()
    assert "会后更正原因" in page
    client.post(bulk, {"members": ids(life, "lm1"), "status": "present"}, follow=True)
    assert not Attendance.objects.filter(meeting=ended).exists()
    client.post(bulk, {"members": ids(life, "lm1"), "status": "present", "reason": "补录"})
    change = AttendanceChange.objects.get(meeting=ended)
    assert (change.late, change.reason) == (True, "补录")
    assert HoursLedgerEntry.objects.get().amount == Decimal("2.00")
