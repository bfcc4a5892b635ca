"""The one scope selector: who may see and manage which units and member records."""

from datetime import date

import pytest

from party.members.models import Stage, StageChange
from party.members.selectors import member_of_user, members_in_scope, members_visible
from party.organisation.models import PostRole, UnitPost
from party.organisation.selectors import unit_scope, units_in_scope

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(x.name for x in qs)


def test_party_office_sees_every_unit_and_member(tree):
    user = tree["users"]["office"]
    assert unit_scope(user=user).all
    assert units_in_scope(user=user).count() == 7
    assert members_in_scope(user=user).count() == 5


def test_organiser_sees_their_college_subtree_only(tree):
    user = tree["users"]["organiser"]
    assert names(units_in_scope(user=user)) == sorted(
        ["法学院党委", "法学本科生党支部", "法学研究生党支部", "第一党小组"]
    )
    assert names(members_in_scope(user=user)) == sorted(["张三", "李四", "李书记"])


def test_branch_secretary_sees_their_branch_and_its_groups(tree):
    user = tree["users"]["secretary"]
    assert names(units_in_scope(user=user)) == sorted(["法学本科生党支部", "第一党小组"])
    assert names(members_in_scope(user=user)) == sorted(["张三", "李书记"])
    assert names(members_in_scope(user=tree["users"]["secretary2"])) == sorted(["王五", "王书记"])


def test_a_post_outside_its_term_gives_no_scope(tree):
    user = tree["users"]["secretary"]
    assert unit_scope(user=user, on=date(2024, 8, 31)).empty
    # The default term is three years (COMMITTEE_TERM_YEARS): the last day is still in.
    assert not unit_scope(user=user, on=date(2027, 8, 31)).empty
    assert unit_scope(user=user, on=date(2027, 9, 1)).empty


def test_a_group_leader_manages_nothing(tree):
    member = tree["members"]["law_b1"]
    UnitPost.objects.create(
        unit=tree["units"]["law_g1"],
        member=member,
        role=PostRole.GROUP_LEADER,
        starts_on=date(2024, 1, 1),
    )
    assert unit_scope(user=tree["users"]["member"]).empty


def test_a_member_manages_nothing_but_reads_their_own_record(tree):
    user = tree["users"]["member"]
    assert units_in_scope(user=user).count() == 0
    assert members_in_scope(user=user).count() == 0
    assert names(members_visible(user=user)) == ["张三"]
    assert member_of_user(user=user) == tree["members"]["law_b1"]


def test_outsider_and_anonymous_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    for user in (tree["users"]["outsider"], AnonymousUser()):
        assert units_in_scope(user=user).count() == 0
        assert members_visible(user=user).count() == 0


def test_an_inactive_user_loses_every_scope(tree):
    user = tree["users"]["office"]
    user.is_active = False
    user.save()
    assert unit_scope(user=user).empty


def test_scope_costs_one_query(tree, django_assert_num_queries):
    user = tree["users"]["organiser"]
    user = type(user).objects.get(pk=user.pk)
    user.has_perm("x")  # permission cache filled, as in a request
    with django_assert_num_queries(1):
        unit_scope(user=user)
    scope = unit_scope(user=user)
    with django_assert_num_queries(1):
        list(members_in_scope(user=user, scope=scope))


def test_current_stage_is_the_latest_change(tree):
    member = tree["members"]["law_b1"]
    assert member_of_user(user=tree["users"]["member"]).current_stage is None
    StageChange.objects.create(
        member=member, stage=Stage.APPLICANT, decided_on=date(2024, 3, 1), decided_by="applicant"
    )
    StageChange.objects.create(
        member=member,
        stage=Stage.ACTIVIST,
        decided_on=date(2024, 4, 1),
        decided_by="branch_committee",
    )
    row = member_of_user(user=tree["users"]["member"])
    assert (row.current_stage, row.stage_since) == (Stage.ACTIVIST, date(2024, 4, 1))
    activists = members_in_scope(user=tree["users"]["office"]).filter(current_stage="activist")
    assert list(activists) == [member]


def test_party_office_reads_every_record_not_only_their_own(tree):
    assert members_visible(user=tree["users"]["office"]).count() == 5
