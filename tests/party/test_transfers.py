"""组织关系转接: the service's refusals (scope on both sides, same unit, future dates, before the
last transfer) write nothing; a transfer moves the member and clears the 党小组 in one transaction
with an access-log row; the unit on a day is read from the history, in SQL and in Python alike."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from party.members.exceptions import MemberError
from party.members.models import AccessAction, MemberAccessLog, MemberTransfer
from party.members.selectors import (
    group_histories,
    members_of_unit_on,
    transfer_target_units,
    unit_histories,
    unit_of_members_on,
)
from party.members.services import member_transfer

pytestmark = pytest.mark.django_db


def move(tree, key="law_b1", to="law_b2", on=date(2026, 3, 10), by="organiser", **extra):
    return member_transfer(
        member=tree["members"][key],
        to_unit=tree["units"][to],
        on=on,
        by_user=tree["users"][by],
        **extra,
    )


def test_a_transfer_moves_the_member_and_clears_the_group(tree):
    member = tree["members"]["law_b1"]
    assert member.group_id == tree["units"]["law_g1"].pk
    transfer = move(tree, letter_no="法组转 2026-007", note="读研")
    member.refresh_from_db()
    assert member.unit_id == tree["units"]["law_b2"].pk and member.group_id is None
    assert transfer.from_group == tree["units"]["law_g1"]
    assert (transfer.from_unit, transfer.to_unit) == (
        tree["units"]["law_b1"],
        tree["units"]["law_b2"],
    )
    assert (
        transfer.letter_no == "法组转 2026-007"
        and transfer.recorded_by == tree["users"]["organiser"]
    )
    log = MemberAccessLog.objects.get(member=member, action=AccessAction.TRANSFER)
    assert log.user == tree["users"]["organiser"] and "法学研究生党支部" in log.what


@pytest.mark.parametrize(
    ("by", "to", "on", "code"),
    [
        ("secretary", "law_b2", date(2026, 3, 10), "out_of_scope"),  # 书记: not into another branch
        (
            "organiser",
            "eng_b1",
            date(2026, 3, 10),
            "out_of_scope",
        ),  # 组织员: not out of the college
        ("secretary2", "eng_b1", date(2026, 3, 10), "out_of_scope"),  # not their member
        ("member", "law_b2", date(2026, 3, 10), "out_of_scope"),
        ("organiser", "law_b1", date(2026, 3, 10), "same_unit"),
        ("organiser", "law_g1", date(2026, 3, 10), "invalid"),  # a 党小组 is not a branch
        ("organiser", "law_b2", None, "invalid"),  # tomorrow
    ],
)
def test_refusals_write_nothing(tree, by, to, on, code):
    on = on or timezone.localdate() + timedelta(days=1)
    with pytest.raises(MemberError) as err:
        move(tree, to=to, on=on, by=by)
    assert err.value.code == code and err.value.message
    member = tree["members"]["law_b1"]
    member.refresh_from_db()
    assert member.unit == tree["units"]["law_b1"] and member.group == tree["units"]["law_g1"]
    assert not MemberTransfer.objects.exists()
    assert not MemberAccessLog.objects.filter(action=AccessAction.TRANSFER).exists()


def test_office_moves_anywhere_and_not_before_the_last_transfer(tree):
    move(tree, to="eng_b1", by="office", on=date(2026, 3, 10))
    with pytest.raises(MemberError) as err:
        move(tree, to="law_b2", by="office", on=date(2026, 3, 9))
    assert err.value.code == "invalid" and "2026-03-10" in err.value.message
    move(tree, to="law_b2", by="office", on=date(2026, 3, 10))  # the same day is allowed
    assert MemberTransfer.objects.count() == 2


def test_unit_on_a_day_in_sql_and_in_python(tree):
    units, members = tree["units"], tree["members"]
    move(tree, on=date(2026, 3, 10))  # 张三: law_b1 → law_b2
    move(tree, key="law_b1", to="eng_b1", by="office", on=date(2026, 6, 1))  # → eng_b1
    zhang = members["law_b1"]

    def names(unit, day):
        return set(members_of_unit_on(units[unit], day).values_list("name", flat=True))

    assert "张三" in names("law_b1", date(2026, 3, 9))  # before the first: its from_unit
    assert "张三" not in names("law_b1", date(2026, 3, 10))
    assert "张三" in names("law_b2", date(2026, 3, 10)) and "张三" in names(
        "law_b2", date(2026, 5, 31)
    )
    assert "张三" in names("eng_b1", date(2026, 6, 1)) and "张三" not in names(
        "law_b2", date(2026, 6, 1)
    )
    assert "李四" in names("law_b2", date(2020, 1, 1))  # never transferred: the current unit
    zhang.refresh_from_db()
    history = unit_histories(members=[zhang])[zhang.pk]
    for day in (date(2026, 1, 1), date(2026, 3, 10), date(2026, 5, 31), date(2026, 6, 1)):
        sql = unit_of_members_on(day).get(pk=zhang.pk).unit_on
        assert sql == history.on(day)
    assert history.on(date(2026, 1, 1)) == units["law_b1"].pk
    groups = group_histories(members=[zhang])[zhang.pk]  # the transfer ended the 党小组 too
    assert groups.on(date(2026, 3, 9)) == units["law_g1"].pk
    assert groups.on(date(2026, 3, 10)) is None


def test_target_units_are_the_callers_branches_but_the_members_own(tree):
    member = tree["members"]["law_b1"]
    organiser = {
        u.name for u in transfer_target_units(user=tree["users"]["organiser"], member=member)
    }
    assert organiser == {"法学研究生党支部"}
    office = {u.name for u in transfer_target_units(user=tree["users"]["office"], member=member)}
    assert office == {"法学研究生党支部", "机械党支部"}
    assert not transfer_target_units(user=tree["users"]["secretary"], member=member).exists()
    assert not transfer_target_units(user=tree["users"]["secretary2"], member=member).exists()


def test_posts_in_the_old_branch_end_the_day_before(tree):
    """The 书记 moved to another branch stops being its 书记 (and a 党小组组长 its 组长) the day
    before the transfer; a post in the 院系党委 stays; the access log names what ended."""
    from party.organisation.models import PostRole, UnitPost
    from party.organisation.services import post_assign

    units, members = tree["units"], tree["members"]
    secretary = members["secretary"]
    post_assign(
        unit=units["law_g1"],
        member=secretary,
        role=PostRole.GROUP_LEADER,
        starts_on=date(2025, 9, 1),
    )
    post_assign(
        unit=units["law"], member=secretary, role=PostRole.PUBLICITY, starts_on=date(2025, 9, 1)
    )
    college_term = UnitPost.objects.get(member=secretary, unit=units["law"]).ends_on
    move(tree, key="secretary", on=date(2026, 3, 10))
    ends = {(p.unit_id, p.role): p.ends_on for p in UnitPost.objects.filter(member=secretary)}
    assert ends == {
        (units["law_b1"].pk, PostRole.SECRETARY): date(2026, 3, 9),
        (units["law_g1"].pk, PostRole.GROUP_LEADER): date(2026, 3, 9),
        (units["law"].pk, PostRole.PUBLICITY): college_term,
    }
    log = MemberAccessLog.objects.get(member=secretary, action=AccessAction.TRANSFER)
    assert "法学本科生党支部书记任期结束" in log.what and "第一党小组党小组组长任期结束" in log.what


def test_a_post_starting_after_the_date_is_refused_by_name(tree):
    from party.organisation.models import PostRole, UnitPost

    secretary = tree["members"]["secretary"]
    UnitPost.objects.filter(member=secretary).update(starts_on=date(2026, 3, 10))
    term = UnitPost.objects.get(member=secretary, role=PostRole.SECRETARY).ends_on
    with pytest.raises(MemberError) as err:
        move(tree, key="secretary", on=date(2026, 3, 10))
    assert err.value.code == "post_after_transfer"
    assert "法学本科生党支部" in err.value.message and "书记" in err.value.message
    assert "2026-03-10" in err.value.message
    assert not MemberTransfer.objects.exists()
    post = UnitPost.objects.get(member=secretary, role=PostRole.SECRETARY)
    assert post.ends_on == term
