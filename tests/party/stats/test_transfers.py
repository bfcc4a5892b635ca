"""The as-of-date engine counts a transferred member (组织关系转接) in the branch they belonged to on
the day: a past table keeps them in the old college, a later one in the new; a subtree they were
never in on the day does not list them; two more queries only when the subtree has transfers."""

from datetime import date

import pytest

from party.members.models import MEMBER_STAGES
from party.members.services import member_transfer
from party.stats import selectors

END_2025 = date(2025, 12, 31)
LATER = date(2026, 7, 1)
pytestmark = pytest.mark.django_db


def members(result):
    return {row["name"]: row["members"] for row in result["units"]}


@pytest.fixture
def moved(people, tree):
    member_transfer(
        member=people["old"],
        to_unit=tree["units"]["law_b1"],
        on=date(2026, 3, 1),
        by_user=tree["users"]["office"],
    )
    return people["old"]


def test_counts_follow_the_branch_of_the_day(people, tree):
    uni = tree["units"]["uni"]
    before = (
        members(selectors.stage_counts(unit=uni, day=END_2025)),
        members(selectors.stage_counts(unit=uni, day=LATER)),
    )
    member_transfer(
        member=people["old"],
        to_unit=tree["units"]["law_b1"],
        on=date(2026, 3, 1),
        by_user=tree["users"]["office"],
    )
    assert members(selectors.stage_counts(unit=uni, day=END_2025)) == before[0]
    later = members(selectors.stage_counts(unit=uni, day=LATER))
    assert later["法学院党委"] == before[1]["法学院党委"] + 1
    assert later["工学院党委"] == before[1]["工学院党委"] - 1


def test_subtrees_and_branches_on_the_day(people, tree, moved):
    eng, law_b1 = tree["units"]["eng"], tree["units"]["law_b1"]
    on_day = selectors.MembersOnDay(unit=eng, day=END_2025)
    assert moved.pk in on_day.by_branch(MEMBER_STAGES)[tree["units"]["eng_b1"].pk]
    assert moved.pk not in {row[0] for row in selectors.MembersOnDay(unit=eng, day=LATER).rows}
    assert moved.pk not in {
        row[0] for row in selectors.MembersOnDay(unit=law_b1, day=END_2025).rows
    }
    later = selectors.MembersOnDay(unit=law_b1, day=LATER)
    assert moved.pk in later.by_branch(MEMBER_STAGES)[law_b1.pk]
    profile = selectors.member_profile(unit=eng, day=END_2025)
    assert profile["total"]["total"] == 3


def test_queries(people, tree, moved, django_assert_num_queries):
    with django_assert_num_queries(3):  # the rows, then the transfers and the units' paths
        selectors.MembersOnDay(unit=tree["units"]["uni"], day=END_2025)
    with django_assert_num_queries(1):  # no member of this subtree ever moved
        selectors.MembersOnDay(unit=tree["units"]["law_b2"], day=END_2025)


def test_people_past_a_rules_date_in_the_branch_of_the_day(people, tree):
    """'overdue' (预备期满, in 机械党支部) moved to 法学本科生党支部 on 1 March 2026: on 31 December 2025
    the 工学院党委 lists them under the old branch, the 法学院党委 does not; later, the reverse."""
    member_transfer(
        member=people["overdue"],
        to_unit=tree["units"]["law_b1"],
        on=date(2026, 3, 1),
        by_user=tree["users"]["office"],
    )

    def overdue(unit, day):
        rows = selectors.stuck(unit=tree["units"][unit], day=day)["stuck"][0]["people"]
        return {(row["name"], row["unit"]) for row in rows}

    assert ("overdue", "机械党支部") in overdue("eng", END_2025)
    assert "overdue" not in {name for name, _unit in overdue("law", END_2025)}
    assert ("overdue", "法学本科生党支部") in overdue("law", LATER)
    assert "overdue" not in {name for name, _unit in overdue("eng", LATER)}
