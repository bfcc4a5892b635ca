"""转出本校 in organisation life, the yearly 学时 list, the compliance count and the statistics
(issue 16): from the 转出's day the member is out of them; before it they stay where they were."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from party.meetings.compliance import _member_count_on
from party.meetings.selectors import expected_members
from party.meetings.yearly import unit_yearly_rows
from party.members.services import member_transfer_out
from party.stats.selectors import MembersOnDay

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def when(year, month, day=15, hour=14):
    return datetime(year, month, day, hour, tzinfo=TZ)


def out(life, key="law_b1", on=date(2026, 3, 10)):
    return member_transfer_out(
        member=life["members"][key],
        on=on,
        external_org="示范市教育局机关党委",
        by_user=life["users"]["organiser"],
    )


def test_out_of_expected_yearly_list_and_statistics(life):
    units, members, users = life["units"], life["members"], life["users"]
    before = life["plan"](starts_at=when(2026, 3, 5), topic="3 月主题党日")
    group = life["plan"](kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 6), topic="组")
    out(life, on=date(2026, 3, 10))
    after = life["plan"](starts_at=when(2026, 3, 20), topic="3 月党课")
    assert "张三" in {m.name for m in expected_members(meeting=before)}
    assert "张三" in {m.name for m in expected_members(meeting=group)}
    assert "张三" not in {m.name for m in expected_members(meeting=after)}
    b1, zhang = units["law_b1"].pk, members["law_b1"].pk
    assert zhang in _member_count_on([b1], date(2026, 3, 9))[b1]
    assert zhang not in _member_count_on([b1], date(2026, 3, 10)).get(b1, set())
    today = timezone.localdate()
    listed = {
        r.member.name
        for r in unit_yearly_rows(user=users["secretary"], unit=units["law"], year=today.year)
    }
    assert "张三" not in listed and "党员1" in listed
    on_day = MembersOnDay(unit=units["uni"], day=today)
    assert members["law_b1"].pk not in {row[0] for row in on_day.rows}
    early = MembersOnDay(unit=units["uni"], day=date(2026, 3, 9))
    assert members["law_b1"].pk in {row[0] for row in early.rows}
