"""The test builders of trainees who are members of the Party tree (issue 15): later tests rely on
what they promise, so it is pinned here."""

from datetime import date

from learning.classes.membership import trainee_organisation, trainee_stage
from party.members.models import Stage
from party.organisation.models import UnitKind
from tests.factories import advance_trainee, make_branch_unit, make_trainee_profile, make_user


def test_make_branch_unit_creates_once_and_returns_the_branch(db):
    branch = make_branch_unit("法学院党委", "法学本科生党支部")
    assert branch.kind == UnitKind.BRANCH
    college = branch.get_parent()
    assert (college.kind, college.name) == (UnitKind.COLLEGE, "法学院党委")
    assert college.get_parent().kind == UnitKind.UNIVERSITY
    assert make_branch_unit("法学院党委", "法学本科生党支部") == branch
    other = make_branch_unit("法学院党委", "法学研究生党支部")
    assert other.get_parent() == college
    direct = make_branch_unit(None, "机关直属党支部")
    assert direct.get_parent() == college.get_parent()


def test_make_trainee_profile_links_a_member_with_a_documented_history(db):
    branch = make_branch_unit("法学院党委", "法学本科生党支部")
    user = make_user("zhang")
    profile = make_trainee_profile(
        user=user,
        name="张三",
        student_no="2024001",
        branch=branch,
        stage="candidate",
        since=date(2026, 3, 1),
    )
    member = profile.member
    assert (member.name, member.student_no, member.unit, member.user) == (
        "张三",
        "2024001",
        branch,
        user,
    )
    history = list(member.stage_changes.order_by("decided_on").values_list("stage", "decided_on"))
    assert history == [
        (Stage.APPLICANT, date(2024, 3, 1)),
        (Stage.ACTIVIST, date(2025, 3, 1)),
        (Stage.CANDIDATE, date(2026, 3, 1)),
    ]
    assert trainee_stage(profile) == Stage.CANDIDATE
    # The 学院 and 党支部 are the member record's: no legacy College/Branch (issue 15).
    organisation = trainee_organisation(profile)
    assert (organisation.college, organisation.branch) == ("法学院党委", "法学本科生党支部")


def test_advance_trainee_moves_the_stage_by_the_history(db):
    profile = make_trainee_profile(stage="activist", since=date(2025, 1, 1))
    advance_trainee(profile, Stage.CANDIDATE, on=date(2026, 2, 1))
    assert trainee_stage(profile) == Stage.CANDIDATE
