"""The six-month absence flag (党章 art. 9) at its edges: five months are not six, an approved 请假
breaks the run (a pending request does not), months without meetings neither count nor break,
only months as a Party member count, the run must still be going on; constant queries; the
branch's page and API for its managers only."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from party.meetings import services
from party.meetings.absence import absence_flags
from party.meetings.models import Attendance, MeetingKind
from tests.factories import make_user
from tests.party.conftest import make_member
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def when(year, month, day=15, hour=14):
    return datetime(year, month, day, hour, tzinfo=TZ)


@pytest.fixture
def months(life):
    """主题党日 on the 15th of Jan–Jun 2026 of 法学本科生党支部; returns {month: meeting}."""
    return {
        m: life["plan"](starts_at=when(2026, m), topic=f"{m} 月主题党日", place="101")
        for m in range(1, 7)
    }


def mark(life, meeting, key, status="present", reason="补录"):
    services.attendance_set(
        meeting=meeting,
        member_id=life["members"][key].pk,
        status=status,
        reason=reason,
        by_user=life["users"]["secretary"],
    )


def flagged(life, now):
    rows = absence_flags(units=[life["units"]["law_b1"]], now=now)
    return {row.member.name: row for row in rows}


def test_six_missed_months_flag_five_do_not(life, months):
    for key in ("lm2", "lm3", "secretary", "law_b1"):
        mark(life, months[1], key)  # took part in January
    mark(life, months[1], "lm1", status="absent")  # a 缺席 recorded counts as missed too
    result = flagged(life, now=when(2026, 7, 5))
    assert set(result) == {"党员1"}
    row = result["党员1"]
    assert row.missed_months == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert row.missed_meetings == 6 and row.last_taken_part is None
    # At the end of May only five months had passed: nobody.
    assert flagged(life, now=when(2026, 5, 31, 23)) == {}


def test_approved_leave_breaks_the_run_and_a_pending_request_does_not(life, months):
    for key in ("lm2", "secretary", "law_b1"):
        mark(life, months[6], key)
    mark(life, months[3], "lm1", status="leave", reason="出差")
    Attendance.objects.create(
        meeting=months[3],
        member=life["members"]["lm3"],
        status="leave_requested",
        reason="未批",
        method="member",
    )
    result = flagged(life, now=when(2026, 7, 5))
    assert "党员1" not in result  # March was approved 请假: Apr–Jun is three months
    assert "党员3" in result  # a request nobody approved is not 请假


def test_months_without_meetings_neither_count_nor_break(life, months):
    # No meeting in July; one in August, missed: Jan–Jun + Aug are seven missed months in a row.
    august = life["plan"](starts_at=when(2026, 8), topic="8 月主题党日", place="101")
    mark(life, months[2], "lm1")  # February: lm1 took part
    for key in ("lm2", "lm3", "secretary", "law_b1"):
        mark(life, august, key)
    result = flagged(life, now=when(2026, 9, 1))
    # lm1: Mar–Jun + Aug = five counted months (July is skipped): not six.
    assert set(result) == set()
    september = life["plan"](starts_at=when(2026, 9, 2), topic="9 月", place="101")
    for key in ("lm2", "lm3", "secretary", "law_b1"):
        mark(life, september, key)
    assert flagged(life, now=when(2026, 9, 30))["党员1"].missed_months == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-08",
        "2026-09",
    ]
    assert flagged(life, now=when(2026, 9, 30))["党员1"].last_taken_part == date(2026, 2, 15)


def test_only_months_as_a_party_member_count(life, months):
    for key in ("lm1", "lm2", "lm3", "secretary", "law_b1"):
        for meeting in months.values():
            mark(life, meeting, key)
    newcomer = make_member(life["units"]["law_b1"], "新预备", "P001", user=make_user())
    set_stage(newcomer, "activist", on=date(2024, 1, 1))
    set_stage(newcomer, "probationary", on=date(2026, 2, 1))  # 应到 from February: five months
    activist = life["members"]["activist"]
    result = flagged(life, now=when(2026, 7, 5))
    assert "新预备" not in result and activist.name not in result
    late = life["plan"](starts_at=when(2026, 7, 1), topic="7 月", place="101")
    for key in ("lm1", "lm2", "lm3", "secretary", "law_b1"):
        mark(life, late, key)
    assert set(flagged(life, now=when(2026, 7, 5))) == {"新预备"}


def test_committee_meetings_and_talks_are_not_organisation_life_here(life, months):
    for key in ("lm1", "lm2", "lm3", "law_b1"):
        for meeting in months.values():
            mark(life, meeting, key)
    for m in range(1, 7):
        committee = life["plan"](
            kind=MeetingKind.COMMITTEE, starts_at=when(2026, m, 20), topic="支委会", place="1"
        )
        mark(life, committee, "secretary")
    # The secretary attended only 支委会: six missed months of the branch's organisation life.
    assert set(flagged(life, now=when(2026, 7, 5))) == {"李书记"}


@pytest.mark.parametrize("extra", [0, 12])
def test_constant_queries(life, months, django_assert_num_queries, extra):
    for i in range(extra):
        member = make_member(life["units"]["law_b1"], f"多{i}", f"Q{i:03d}")
        set_stage(member, "full_member")
        life["plan"](starts_at=when(2025, 1 + i % 12, 3), topic=f"旧{i}", place="1")
    with django_assert_num_queries(5):
        absence_flags(units=[life["units"]["law"]], now=when(2026, 7, 5))


def test_page_and_api_for_the_branch_managers(life, months, client, monkeypatch):
    import party.meetings.absence as module

    real = module.absence_flags
    monkeypatch.setattr(
        module, "absence_flags", lambda units: real(units=units, now=when(2026, 7, 5))
    )
    client.force_login(life["users"]["secretary"])
    page = client.get(f"/party/units/{life['units']['law_b1'].pk}/absence/").content.decode()
    assert "党员1" in page and "连续 6 个月未参加" in page
    api = APIClient()
    api.force_authenticate(life["users"]["organiser"])
    data = api.get(f"/api/v1/units/{life['units']['law'].pk}/absence/").json()
    assert {row["name"] for row in data} >= {"党员1"}
    assert data[0]["missed_months"][0] == "2026-01"
    api.force_authenticate(life["users"]["secretary2"])
    assert api.get(f"/api/v1/units/{life['units']['law_b1'].pk}/absence/").status_code == 404
