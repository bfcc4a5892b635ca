"""组织关系转接 in organisation life: a member transferred mid-month is 应到 in the old branch's
meetings before the date and in the new branch's after it (a secretary may still mark the old
meeting); the six-month absence run follows the member across the move; the check-in burst's
statement count is the same with transfers in the branch; the compliance count of members."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from party.meetings import services
from party.meetings.absence import absence_flags
from party.meetings.compliance import _member_count_on
from party.meetings.selectors import (
    attendance_counts,
    expected_members,
    meeting_and_caller_for_check_in,
)
from party.members.models import Member
from party.members.services import member_transfer
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def when(year, month, day=15, hour=14):
    return datetime(year, month, day, hour, tzinfo=TZ)


def transfer(life, key, to, on):
    return member_transfer(
        member=life["members"][key],
        to_unit=life["units"][to],
        on=on,
        by_user=life["users"]["office"],
    )


def names(meeting):
    return {m.name for m in expected_members(meeting=meeting)}


def test_mid_month_transfer_is_expected_on_both_sides(life):
    units = life["units"]
    before = life["plan"](starts_at=when(2026, 3, 5), topic="3 月主题党日", place="1")
    group = life["plan"](
        kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 6), topic="小组", place="1"
    )
    after_old = life["plan"](starts_at=when(2026, 3, 25), topic="3 月党课", place="1")
    office = life["users"]["office"]
    after_new = life["plan"](
        unit=units["law_b2"], starts_at=when(2026, 3, 20), topic="研究生", place="1", by_user=office
    )
    before_new = life["plan"](
        unit=units["law_b2"],
        starts_at=when(2026, 3, 2),
        topic="研究生 3 月初",
        place="1",
        by_user=office,
    )
    assert "张三" in names(before) and "张三" in names(group)
    transfer(life, "law_b1", "law_b2", date(2026, 3, 15))
    assert "张三" in names(before) and "张三" not in names(after_old)
    assert "张三" in names(after_new) and "张三" not in names(before_new)
    assert "张三" in names(group)  # the 党小组 before the move: still its member that day
    assert "李四" in names(before_new) and "李四" in names(after_new)
    # The old branch's secretary may still mark the member for the meeting before the move.
    services.attendance_set(
        meeting=before,
        member_id=life["members"]["law_b1"].pk,
        status="present",
        reason="补录",
        by_user=life["users"]["secretary"],
    )
    assert attendance_counts(meeting=before).present == 1
    assert attendance_counts(meeting=before).expected == len(names(before))


def test_a_group_meeting_after_the_move_is_not_theirs(life):
    units = life["units"]
    transfer(life, "law_b1", "law_b2", date(2026, 3, 15))
    later = life["plan"](
        kind="group", unit=units["law_g1"], starts_at=when(2026, 4, 1), topic="小组", place="1"
    )
    assert "张三" not in names(later)


def test_absence_run_follows_the_member_across_the_move(life):
    units, office = life["units"], life["users"]["office"]
    set_stage(life["members"]["law_b2"], "full_member")
    for m in range(1, 4):  # Jan–Mar in law_b1, missed by 张三
        life["plan"](starts_at=when(2026, m), topic=f"{m} 月", place="1")
    for m in range(4, 7):  # Apr–Jun in law_b2, missed too
        life["plan"](
            unit=units["law_b2"],
            starts_at=when(2026, m),
            topic=f"{m} 月",
            place="1",
            by_user=office,
        )
    transfer(life, "law_b1", "law_b2", date(2026, 3, 31))
    rows = {r.member.name: r for r in absence_flags(units=[units["law_b2"]], now=when(2026, 7, 5))}
    assert rows["张三"].missed_months == [f"2026-0{m}" for m in range(1, 7)]
    assert rows["张三"].missed_meetings == 6
    # The old branch no longer lists them (the flag goes to the branch they are in today).
    old = {r.member.name for r in absence_flags(units=[units["law_b1"]], now=when(2026, 7, 5))}
    assert "张三" not in old


@pytest.mark.parametrize("moved", [False, True])
def test_absence_queries(life, django_assert_num_queries, moved):
    life["plan"](starts_at=when(2026, 4), topic="4 月", place="1")
    if moved:
        transfer(life, "law_b2", "law_b1", date(2026, 3, 31))
    with django_assert_num_queries(6 if moved else 5):
        absence_flags(units=[life["units"]["law"]], now=when(2026, 7, 5))


def test_compliance_counts_members_in_the_branch_that_day(life):
    units = life["units"]
    transfer(life, "law_b1", "law_b2", date(2026, 3, 15))
    b1, b2, zhang = units["law_b1"].pk, units["law_b2"].pk, life["members"]["law_b1"].pk
    early = _member_count_on([b1, b2], date(2026, 3, 14))
    late = _member_count_on([b1, b2], date(2026, 3, 15))
    assert zhang in early[b1] and zhang not in early[b2]
    assert zhang in late[b2] and zhang not in late[b1]


def test_the_check_in_read_agrees_with_expected_members(life):
    """The check-in reads 应到 through SQL compiled once per kind (prepared.py) with new values
    put in: for meetings of every kind, before and after a transfer, each member with an account
    is found exactly when expected_members lists them, with their row."""
    from party.meetings.models import Meeting
    from party.meetings.selectors import (
        expected_member_of_user,
        meeting_and_caller_for_check_in,
        meeting_for_check_in,
    )
    from party.organisation.models import UnitPost

    units, members = life["units"], life["members"]
    for key in ("law_b1", "lm1"):
        members[key].group = units["law_g1"]
        members[key].save(update_fields=["group"])
    UnitPost.objects.create(
        unit=units["law_b1"], member=members["lm2"], role="secretary", starts_on=date(2025, 1, 1)
    )
    office = life["users"]["office"]
    plan = life["plan"]
    meetings = [
        plan(starts_at=when(2026, 3, 5), topic="主题党日"),
        plan(kind="lecture", starts_at=when(2026, 3, 25), topic="党课"),
        plan(kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 6), topic="小组"),
        plan(kind="committee", starts_at=when(2026, 3, 7), topic="支委会"),
        plan(
            kind="talk",
            starts_at=when(2026, 3, 8),
            topic="谈心",
            participants=[members["lm1"], members["lm3"]],
        ),
        plan(unit=units["law_b2"], starts_at=when(2026, 3, 20), topic="研究生", by_user=office),
        plan(
            unit=units["law_b2"], starts_at=when(2026, 3, 2), topic="研究生 3 月初", by_user=office
        ),
    ]
    transfer(life, "law_b1", "law_b2", date(2026, 3, 15))
    kinds = {m.kind for m in meetings}
    assert kinds >= {"theme_day", "group", "committee", "talk"}
    users = [m.user for m in Member.objects.filter(user__isnull=False).select_related("user")]
    found = 0
    for meeting in meetings:
        read = meeting_for_check_in(meeting.pk)
        assert (read.pk, read.unit_id, read.kind, read.starts_at, read.ends_at) == (
            meeting.pk,
            meeting.unit_id,
            meeting.kind,
            meeting.starts_at,
            meeting.ends_at,
        )
        rows = {
            m.user_id: (m.pk, m.user_id, m.unit_id, m.group_id)
            for m in expected_members(meeting=meeting)
            if m.user_id
        }
        found += bool(rows)
        for user in users:
            assert expected_member_of_user(meeting=read, user=user) == rows.get(user.pk)
            # The one-statement read once the meeting's shape is known, and the two reads before.
            for _ in range(2):
                both, row = meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=user)
                assert row == rows.get(user.pk)
                assert [getattr(both, f) for f in FIELDS] == [getattr(read, f) for f in FIELDS]
    missing = max(Meeting.objects.values_list("pk", flat=True)) + 1
    assert meeting_for_check_in(missing) is None
    assert meeting_and_caller_for_check_in(meeting_id=missing, user=users[0]) == (None, None)
    assert found >= 5  # the law_b2 meetings' members have no account but the one moved in


FIELDS = ("pk", "unit_id", "kind", "topic", "starts_at", "ends_at")


def test_the_one_statement_read_is_not_fooled_by_an_edited_meeting(life, django_assert_num_queries):
    """The check-in remembers a meeting's unit, kind and day per process; a meeting edited since
    (its day moved across a transfer, its unit changed, deleted) is read again, and the 应到 is
    the edited meeting's."""
    from party.meetings.models import Meeting

    moved, stayed = life["members"]["law_b1"].user, life["users"]["lm1"]
    meeting = life["plan"](starts_at=when(2026, 3, 25), topic="3 月党课")
    transfer(life, "law_b1", "law_b2", date(2026, 3, 15))
    with django_assert_num_queries(2):  # first sight: the meeting, then the 应到 row
        assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=moved)[1] is None
    with django_assert_num_queries(1):
        read, row = meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=stayed)
    assert row[0] == life["members"]["lm1"].pk and read.topic == "3 月党课"
    # Moved to before the transfer: the moved member is 应到 again; the remembered day is stale.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=when(2026, 3, 5), ends_at=when(2026, 3, 5, 16), topic="改期"
    )
    with django_assert_num_queries(3):  # the stale one-statement read, then the two reads
        read, row = meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=moved)
    assert row[0] == life["members"]["law_b1"].pk and read.topic == "改期"
    with django_assert_num_queries(1):  # the new day is remembered
        assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=moved)[1] == row
    # Another unit: law_b1's members are no longer 应到, nor is the moved member before the move;
    # after it, they are.
    Meeting.objects.filter(pk=meeting.pk).update(unit=life["units"]["law_b2"])
    assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=stayed)[1] is None
    assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=moved)[1] is None
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=when(2026, 3, 25), ends_at=when(2026, 3, 25, 16)
    )
    assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=moved)[1] == row
    assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=stayed)[1] is None
    Meeting.objects.filter(pk=meeting.pk).delete()
    assert meeting_and_caller_for_check_in(meeting_id=meeting.pk, user=moved) == (None, None)


def test_a_moved_member_still_sees_their_own_past_meetings(life, django_assert_num_queries):
    """After moving, a member sees the old branch's (and old 党小组's) meetings of the days they
    belonged to it, and any meeting with their attendance — not the old branch's later meetings,
    and no other member's history; the list costs no extra query."""
    from party.meetings.selectors import meetings_visible

    units, members = life["units"], life["members"]
    user = life["users"]["lm1"]
    members["lm1"].group = units["law_g1"]
    members["lm1"].save(update_fields=["group"])
    office = life["users"]["office"]
    before = life["plan"](starts_at=when(2026, 3, 5), topic="3 月主题党日")
    group = life["plan"](kind="group", unit=units["law_g1"], starts_at=when(2026, 3, 6), topic="组")
    after = life["plan"](starts_at=when(2026, 3, 25), topic="3 月党课")
    new_side = life["plan"](
        unit=units["law_b2"], starts_at=when(2026, 3, 20), topic="研究生", by_user=office
    )
    life["plan"](unit=units["eng_b1"], starts_at=when(2026, 3, 1), topic="机械", by_user=office)
    services.attendance_set(
        meeting=before,
        member_id=members["lm1"].pk,
        status="present",
        reason="补录",
        by_user=life["users"]["secretary"],
    )
    transfer(life, "lm1", "law_b2", date(2026, 3, 15))
    with django_assert_num_queries(5):  # the scope (3 reads), the member row, the meetings
        seen = set(meetings_visible(user=user).values_list("topic", flat=True))
    assert {"3 月主题党日", "组", "研究生"} <= seen
    assert "3 月党课" not in seen and "机械" not in seen
    assert after.pk not in {m.pk for m in meetings_visible(user=user)}
    lm2 = set(meetings_visible(user=life["users"]["lm2"]).values_list("topic", flat=True))
    assert "研究生" not in lm2 and "3 月党课" in lm2
    assert {group.pk, new_side.pk, before.pk} <= {m.pk for m in meetings_visible(user=user)}
