"""The as-of-date engine counts a transferred member (组织关系转接) in the branch they belonged to on
the day: a past table keeps them in the old college, a later one in the new; a subtree they were
never in on the day does not list them; two more queries only when the subtree has transfers. The
development figures and the pipeline's steps count each stage change in the branch of the day it
was decided (issue 16: they grouped by today's branch)."""

from datetime import date

import pytest

from party.members.models import MEMBER_STAGES, Stage
from party.members.services import member_transfer, member_transfer_in, member_transfer_out
from party.stats import selectors
from tests.party.conftest import make_member
from tests.party.stats.conftest import history

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


# --- development and the pipeline's steps: the branch on the day of each stage change ----------

YEAR_2025 = {"start": date(2025, 1, 1), "end": END_2025}


def developed(unit, stage, **period):
    result = selectors.development(unit=unit, **(period or YEAR_2025))
    return {row["name"]: row["counts"][stage] for row in result["units"]}, result["totals"][stage]


@pytest.fixture
def promoted_moved(people, tree):
    """'promoted' (法学研究生党支部) was admitted 预备党员 on 2025-06-20 (发展对象 since 2025-03-05)
    and moved to 机械党支部 (工学院党委) on 2026-03-01, before 转正 on 2026-06-20."""
    member_transfer(
        member=people["promoted"],
        to_unit=tree["units"]["eng_b1"],
        on=date(2026, 3, 1),
        by_user=tree["users"]["office"],
    )
    return people["promoted"]


def test_development_counts_in_the_branch_of_the_day_of_the_change(people, tree, promoted_moved):
    uni, law, eng = (tree["units"][k] for k in ("uni", "law", "eng"))
    by_unit, total = developed(uni, Stage.PROBATIONARY)
    assert by_unit == {"法学院党委": 1, "工学院党委": 0} and total == 1
    assert developed(law, Stage.PROBATIONARY)[0] == {"法学本科生党支部": 0, "法学研究生党支部": 1}
    assert developed(eng, Stage.PROBATIONARY)[1] == 0
    # 发展对象 in 2025 too: still 法学院 (with 'returned', also 法学院).
    assert developed(uni, Stage.CANDIDATE)[0] == {"法学院党委": 2, "工学院党委": 0}
    # Its 转正 in 2026, after the move, counts for 工学院党委.
    year_2026 = {"start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    assert developed(uni, Stage.FULL_MEMBER, **year_2026)[0] == {"法学院党委": 0, "工学院党委": 1}
    assert developed(law, Stage.FULL_MEMBER, **year_2026)[1] == 0


def test_a_change_decided_outside_the_university_counts_nowhere(people, tree):
    """A record registered in 法学本科生党支部 with its 接收预备党员 of 2025-04-01 (decided by the
    organisation it came from), then 转入本校 on 2026-01-15: not one of the university's 2025
    development figures; a member 转出本校 later keeps theirs in the branch of the day."""
    incoming = make_member(tree["units"]["law_b1"], "转入者", "P900")
    history(incoming, (Stage.PROBATIONARY, date(2025, 4, 1)))
    member_transfer_in(
        member=incoming,
        to_unit=tree["units"]["law_b1"],
        on=date(2026, 1, 15),
        external_org="外校某党支部",
        by_user=tree["users"]["office"],
    )
    member_transfer_out(
        member=people["new"],  # applied and made 积极分子 in 法学研究生党支部 in 2025
        on=date(2026, 2, 1),
        external_org="外校某党支部",
        by_user=tree["users"]["office"],
    )
    uni = tree["units"]["uni"]
    assert developed(uni, Stage.PROBATIONARY)[1] == 1  # 'promoted' only
    assert developed(uni, Stage.APPLICANT)[0]["法学院党委"] == 1
    assert developed(tree["units"]["law_b2"], Stage.ACTIVIST)[1] == 1
    year_2026 = {"start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    history(incoming, (Stage.FULL_MEMBER, date(2026, 4, 1)))  # 转正 here, after the 转入
    assert developed(uni, Stage.FULL_MEMBER, **year_2026)[0]["法学院党委"] == 2


def test_pipeline_steps_count_in_the_branch_of_the_day(people, tree, promoted_moved):
    """The 发展对象 → 预备党员 step of 'promoted' (107 days, completed on 2025-06-20) is 法学院's."""

    def days(unit, since=date(2025, 1, 1), day=END_2025):
        found = selectors.step_days(unit=tree["units"][unit], since=since, day=day)
        return found[(Stage.CANDIDATE, Stage.PROBATIONARY)]

    assert days("law") == [107] and days("law_b2") == [107]
    assert days("eng") == [] and days("eng_b1") == []
    # Its 转正 (2026-06-20) is 工学院's.
    step = (Stage.PROBATIONARY, Stage.FULL_MEMBER)
    late = {"since": date(2026, 1, 1), "day": date(2026, 12, 31)}
    assert selectors.step_days(unit=tree["units"]["eng"], **late)[step] == [365]
    assert selectors.step_days(unit=tree["units"]["law"], **late)[step] == []


def test_development_and_steps_reuse_the_snapshot(
    people, tree, promoted_moved, django_assert_num_queries
):
    """Without the request's snapshot, a person with transfers among the changes costs two more
    queries (their transfers, the units' paths); with it, none (the dashboard's count stays)."""
    uni = tree["units"]["uni"]
    with django_assert_num_queries(4):  # the changes, transfers, paths, the units under
        alone = selectors.development(unit=uni, **YEAR_2025)
    with django_assert_num_queries(3):  # the steps, transfers, paths
        steps = selectors.step_days(unit=uni, since=date(2025, 1, 1), day=END_2025)
    with django_assert_num_queries(3):  # the rows, then the transfers and the units' paths
        members = selectors.MembersOnDay(unit=uni, day=END_2025)
    with django_assert_num_queries(2):  # the changes, the units under
        assert selectors.development(unit=uni, **YEAR_2025, members=members) == alone
    with django_assert_num_queries(1):
        assert (
            selectors.step_days(unit=uni, since=date(2025, 1, 1), day=END_2025, members=members)
            == steps
        )
    with django_assert_num_queries(2):  # no member of this subtree ever moved: the changes, units
        selectors.development(unit=tree["units"]["law_b1"], **YEAR_2025)
    with pytest.raises(ValueError):
        selectors.development(unit=tree["units"]["law"], **YEAR_2025, members=members)
