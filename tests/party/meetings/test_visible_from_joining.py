"""Which meetings a member sees (issue 16): those of the branch and the 党小组 they belonged to on
the meeting's day — a member transferred in sees the branch's meetings from the 转入 on, one put
into a 党小组 its meetings from that day, one who left none after the 转出 — and any meeting with
their attendance row (meetings_visible; party.members' rules of the unit and the 党小组 on a day).
The list stays one query after the scope and the member's row."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from party.meetings.models import Attendance, AttendanceMethod
from party.meetings.selectors import meetings_visible
from party.members.services import (
    member_group_change,
    member_transfer_in,
    member_transfer_out,
)
from tests.factories import make_user
from tests.party.conftest import make_member
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
JOINED = date(2026, 3, 15)


def when(year, month, day=15, hour=14):
    return datetime(year, month, day, hour, tzinfo=TZ)


def seen(user):
    return set(meetings_visible(user=user).values_list("topic", flat=True))


def test_a_member_transferred_in_sees_the_branch_from_the_day_they_joined(
    life, django_assert_num_queries
):
    units, office = life["units"], life["users"]["office"]
    user = make_user("zhou")
    zhou = make_member(units["law_b2"], "周老师", "T900", user=user)
    set_stage(zhou, "full_member", on=date(2015, 7, 1))
    before = life["plan"](
        unit=units["law_b2"], starts_at=when(2026, 3, 2), topic="转入前", by_user=office
    )
    life["plan"](unit=units["law_b2"], starts_at=when(2026, 3, 20), topic="转入后", by_user=office)
    member_transfer_in(
        member=zhou, to_unit=units["law_b2"], on=JOINED, external_org="某市委党校", by_user=office
    )
    with django_assert_num_queries(5):  # the scope (3 reads), the member row, the meetings
        topics = seen(user)
    assert "转入后" in topics and "转入前" not in topics
    # The same on the API: the list and the page of the meeting before the 转入.
    client = APIClient()
    client.force_authenticate(user)
    listed = {m["topic"] for m in client.get("/api/v1/meetings/").json()["results"]}
    assert "转入后" in listed and "转入前" not in listed
    assert client.get(f"/api/v1/meetings/{before.pk}/").status_code == 404
    # An attendance row makes a meeting theirs whatever the day (their own history: a row
    # recorded while they were expected, e.g. before a correction of the dates).
    Attendance.objects.create(
        meeting=before, member=zhou, status="present", method=AttendanceMethod.SECRETARY
    )
    assert "转入前" in seen(user)


def test_a_groups_meetings_from_the_day_the_member_joined_it(life):
    units = life["units"]
    life["plan"](kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 6), topic="组前")
    life["plan"](kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 20), topic="组后")
    member_group_change(
        member=life["members"]["lm1"],
        to_group=units["law_g1"],
        on=JOINED,
        by_user=life["users"]["secretary"],
    )
    topics = seen(life["users"]["lm1"])
    assert "组后" in topics and "组前" not in topics
    assert {"组前", "组后"}.isdisjoint(seen(life["users"]["lm2"]))  # in no 党小组


def test_a_member_who_never_moved_sees_every_meeting_of_the_branch(life):
    life["plan"](starts_at=when(2024, 3, 5), topic="两年前")
    life["plan"](starts_at=when(2026, 3, 20), topic="今年")
    assert {"两年前", "今年"} <= seen(life["users"]["lm2"])


def test_a_member_who_left_sees_the_meetings_before_only(life):
    life["plan"](starts_at=when(2026, 3, 5), topic="转出前")
    life["plan"](starts_at=when(2026, 3, 20), topic="转出后")
    member_transfer_out(
        member=life["members"]["lm3"],
        on=JOINED,
        external_org="示范市教育局机关党委",
        by_user=life["users"]["organiser"],
    )
    topics = seen(life["users"]["lm3"])
    assert "转出前" in topics and "转出后" not in topics
