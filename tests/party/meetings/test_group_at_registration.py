"""The 党小组 a record was registered in (建档, issue 16) counts from the day the member joined the
branch, not from the record's creation: the record was only entered late. So the member sees
that 党小组's meetings from before 建档 and is among their 应到 (a Party member then), as they
already were for the branch's meetings; a member registered before their 转入本校 only from the
转入; a member put into a 党小组 later (without one at 建档, or moved between 党小组) still only
from that day. One rule (party.members.selectors): SQL (in_group_on_q, 应到) and Python
(GroupHistory, which meetings_visible reads) agree on every day."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from freezegun import freeze_time

from party.meetings.selectors import expected_members, meetings_visible
from party.members.models import GroupChange, Member
from party.members.selectors import group_histories, in_group_on_q
from party.members.services import member_create, member_group_change, member_transfer_in
from party.organisation.models import UnitKind
from party.organisation.services import unit_create
from tests.factories import make_user
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
JOINED = date(2026, 3, 15)
REGISTERED = "2026-01-20 10:00:00+08:00"


def when(year, month, day=15, hour=14):
    return datetime(year, month, day, hour, tzinfo=TZ)


def seen(user):
    return set(meetings_visible(user=user).values_list("topic", flat=True))


def expected(meeting):
    return {m.name for m in expected_members(meeting=meeting)}


@pytest.fixture
def groups(life):
    units = life["units"]
    units["law_g2"] = unit_create(kind=UnitKind.GROUP, name="第二党小组", parent=units["law_b1"])
    plan = life["plan"]
    for month in (1, 3, 5):
        plan(
            kind="group", unit=units["law_g1"], starts_at=when(2026, month, 6), topic=f"一组{month}"
        )
        plan(
            kind="group", unit=units["law_g2"], starts_at=when(2026, month, 6), topic=f"二组{month}"
        )
    plan(kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 20), topic="一组3下")
    return life


def register(life, no, name, group=None, on=None):
    """A record registered through member_create (建档) — today, or on `on` (a later 党小组
    change may not be dated before the 建档 row), a 正式党员 since 2015 (档案补录)."""
    with freeze_time(on or timezone.now()):
        user = make_user(f"u{no}")
        member = member_create(
            by_user=life["users"]["secretary"],
            name=name,
            student_no=no,
            gender="female",
            unit=life["units"]["law_b1"],
            group=life["units"][group] if group else None,
            user=user,
        )
    set_stage(member, "full_member", on=date(2015, 7, 1))
    return member, user


def test_the_group_of_the_record_counts_from_joining_the_branch(groups, django_assert_num_queries):
    member, user = register(groups, "R100", "补录党员", group="law_g1")
    (row,) = GroupChange.objects.filter(member=member)
    assert row.at_registration and row.on == timezone.localdate()  # 建档 is today
    with django_assert_num_queries(5):  # the scope (3 reads), the member and histories, the list
        topics = seen(user)
    assert {"一组1", "一组3", "一组3下", "一组5"} <= topics
    assert {"二组1", "二组3", "二组5"}.isdisjoint(topics)
    first = groups["units"]["law_g1"].meetings.get(topic="一组1")
    assert "补录党员" in expected(first)


def test_a_group_joined_later_still_counts_from_that_day(groups):
    units = groups["units"]
    # Registered without a 党小组, put into 第一党小组 on 15 March.
    later, later_user = register(groups, "R200", "后入组")
    member_group_change(
        member=later, to_group=units["law_g1"], on=JOINED, by_user=groups["users"]["secretary"]
    )
    topics = seen(later_user)
    assert {"一组3下", "一组5"} <= topics and {"一组1", "一组3"}.isdisjoint(topics)
    first = units["law_g1"].meetings.get(topic="一组1")
    assert "后入组" not in expected(first)
    # Registered in 第一党小组, moved to 第二党小组 on 15 March: the first counts up to the move
    # (from joining the branch), the second from it.
    moved, moved_user = register(groups, "R300", "换组", group="law_g1", on=REGISTERED)
    member_group_change(
        member=moved, to_group=units["law_g2"], on=JOINED, by_user=groups["users"]["secretary"]
    )
    topics = seen(moved_user)
    assert {"一组1", "一组3", "二组5"} <= topics
    assert {"一组3下", "一组5", "二组1", "二组3"}.isdisjoint(topics)


def test_a_record_registered_before_its_transfer_in_counts_from_the_transfer(groups):
    member, user = register(groups, "R400", "转入党员", group="law_g1")
    member_transfer_in(
        member=member,
        to_unit=groups["units"]["law_b1"],
        on=date(2026, 2, 1),
        external_org="某市委党校",
        by_user=groups["users"]["office"],
    )
    topics = seen(user)
    assert {"一组3", "一组5"} <= topics and "一组1" not in topics
    assert "转入党员" not in expected(groups["units"]["law_g1"].meetings.get(topic="一组1"))
    assert "转入党员" in expected(groups["units"]["law_g1"].meetings.get(topic="一组3"))


def test_sql_and_python_agree_on_every_day(groups):
    units = groups["units"]
    register(groups, "R500", "建档甲", group="law_g1")
    member_b, _ = register(groups, "R600", "建档乙", group="law_g1")
    member_transfer_in(
        member=member_b,
        to_unit=units["law_b1"],
        on=date(2026, 2, 1),
        external_org="某市委党校",
        by_user=groups["users"]["office"],
    )
    c, _ = register(groups, "R700", "后入组乙")
    member_group_change(
        member=c, to_group=units["law_g2"], on=JOINED, by_user=groups["users"]["secretary"]
    )
    d, _ = register(groups, "R800", "换组乙", group="law_g1", on=REGISTERED)
    member_group_change(
        member=d, to_group=units["law_g2"], on=JOINED, by_user=groups["users"]["secretary"]
    )
    people = list(Member.objects.filter(student_no__startswith="R"))
    histories = group_histories(members=people)
    today = timezone.localdate()
    days = [date(2025, 6, 1), date(2026, 1, 19), date(2026, 1, 20), date(2026, 1, 31)]
    days += [date(2026, 2, 1), JOINED - timedelta(days=1)]
    days += [JOINED, today - timedelta(days=1), today]
    for day in days:
        for key in ("law_g1", "law_g2"):
            in_sql = set(
                Member.objects.filter(
                    in_group_on_q(units[key].pk, day), student_no__startswith="R"
                ).values_list("pk", flat=True)
            )
            in_python = {m.pk for m in people if histories[m.pk].on(day) == units[key].pk}
            assert in_sql == in_python, (day, key)
