"""The as-of-date engine: figures on a day from the stage history, per unit subtree, in a fixed
number of queries."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import OuterRef, Subquery

from party.members.models import MEMBER_STAGES, Gender, Stage, StageChange
from party.stats import rules, selectors
from tests.party.conftest import make_member
from tests.party.stats.conftest import history

END_2025 = date(2025, 12, 31)


def by_unit(result, key="counts"):
    return {row["name"]: row[key] for row in result["units"]}


def test_counts_at_a_date_come_from_the_history(people, tree):
    result = selectors.stage_counts(unit=tree["units"]["uni"], day=END_2025)
    assert result["totals"] == {
        Stage.APPLICANT: 0,
        Stage.ACTIVIST: 3,
        Stage.CANDIDATE: 0,
        Stage.PROBATIONARY: 2,
        Stage.PROBATION_EXTENDED: 1,
        Stage.FULL_MEMBER: 2,
    }
    assert result["members"] == 5
    units = {row["name"]: row for row in result["units"]}
    assert list(units) == ["法学院党委", "工学院党委"]
    assert units["法学院党委"]["members"] == 2
    assert units["法学院党委"]["counts"][Stage.ACTIVIST] == 3
    assert units["工学院党委"]["counts"][Stage.PROBATION_EXTENDED] == 1
    assert units["工学院党委"]["members"] == 3


def test_later_history_moves_later_dates_only(people, tree):
    uni = tree["units"]["uni"]
    before = selectors.stage_counts(unit=uni, day=END_2025)
    after = selectors.stage_counts(unit=uni, day=date(2026, 7, 1))
    assert after["totals"][Stage.FULL_MEMBER] == 3  # 'promoted' on 2026-06-20
    assert after["totals"][Stage.APPLICANT] == 1  # 'late' applied in 2026
    # Someone promoted today does not change last year's table.
    history(people["waiting"], (Stage.CANDIDATE, date(2026, 7, 1)))
    assert selectors.stage_counts(unit=uni, day=END_2025) == before


def test_subtree_of_a_college_and_of_a_branch(people, tree):
    law = selectors.stage_counts(unit=tree["units"]["law"], day=END_2025)
    assert by_unit(law).keys() == {"法学本科生党支部", "法学研究生党支部"}
    assert law["totals"][Stage.ACTIVIST] == 3
    branch = selectors.stage_counts(unit=tree["units"]["law_b1"], day=END_2025)
    assert [row["name"] for row in branch["units"]] == ["法学本科生党支部"]
    assert branch["totals"][Stage.ACTIVIST] == 2
    assert branch["totals"][Stage.FULL_MEMBER] == 1


def test_profile_by_gender_ethnicity_and_age_on_the_day(people, tree):
    result = selectors.member_profile(unit=tree["units"]["uni"], day=END_2025)
    assert result["total"] == {"full": 2, "probationary": 3, "total": 5}
    gender = {row["key"]: row for row in result["gender"]}
    assert gender[Gender.MALE]["total"] == 2 and gender[Gender.MALE]["full"] == 1
    assert gender[Gender.FEMALE]["total"] == 3
    assert result["minority"] == {"full": 0, "probationary": 2, "total": 2}
    ethnicity = {row["label"]: row["total"] for row in result["ethnicity"]}
    assert ethnicity == {"汉族": 3, "回族": 1, "壮族": 1}
    bands = {row["label"]: row["total"] for row in result["age_bands"]}
    assert bands["25岁及以下"] == 2
    assert bands["26至30岁"] == 1  # born 1995-07-01: 30 on 2025-12-31
    assert bands["31至35岁"] == 1
    assert bands["未登记出生日期"] == 1
    assert sum(bands.values()) == 5
    # A year earlier 'overdue' was 29 and 'promoted' not yet a member.
    earlier = selectors.member_profile(unit=tree["units"]["uni"], day=date(2024, 12, 31))
    assert earlier["total"]["total"] == 4


def test_development_during_a_year(people, tree):
    result = selectors.development(unit=tree["units"]["uni"], start=date(2025, 1, 1), end=END_2025)
    assert result["totals"] == {
        Stage.APPLICANT: 1,
        Stage.ACTIVIST: 1,  # 'returned' going back to 积极分子 is not a new 确定
        Stage.CANDIDATE: 2,
        Stage.PROBATIONARY: 1,
        Stage.FULL_MEMBER: 0,
        Stage.PROBATION_EXTENDED: 1,
        Stage.PROBATION_CANCELLED: 0,
        Stage.STOPPED: 1,
    }
    assert by_unit(result)["工学院党委"][Stage.STOPPED] == 1
    assert by_unit(result)["法学院党委"][Stage.CANDIDATE] == 2


def test_pipeline_medians_and_people_past_a_rule(people, tree):
    result = selectors.pipeline(unit=tree["units"]["uni"], day=END_2025)
    assert result["since"] == date(2025, 1, 1)
    medians = {step["to"]: step["median_days"] for step in result["steps"]}
    assert medians == {
        Stage.ACTIVIST: 214,  # 'new': 2025-03-01 → 2025-10-01 ('returned' is no step)
        Stage.CANDIDATE: 378.5,  # 369 and 388 days
        Stage.PROBATIONARY: 107,
        Stage.FULL_MEMBER: None,
    }
    stuck = {row["code"]: row for row in result["stuck"]}
    assert stuck["probation_overdue"]["count"] == 1
    assert [p["name"] for p in stuck["probation_overdue"]["people"]] == ["overdue"]
    assert "第七条" in stuck["probation_overdue"]["rule"]
    assert [p["name"] for p in stuck["activist_waiting"]["people"]] == ["waiting"]
    # The 12-month extension ends 2026-04-15: past it on 2026-05-01.
    later = selectors.stuck(unit=tree["units"]["uni"], day=date(2026, 5, 1))
    names = {p["name"] for p in later["stuck"][0]["people"]}
    assert names == {"overdue", "extended"}


def test_an_extended_probation_ends_as_the_registry_says(people, tree):
    """预备期满 for a 延长预备期 member is the registry's own end (probation_end: 12 months from
    the admission plus every extension recorded), whatever the 组织部 let through by overriding
    the extension gate: an extension recorded without its months or of 3 months is listed once
    past (it was left out for ever), and a second extension counts too."""
    u = tree["units"]
    history(
        make_member(u["law_b1"], "延长未记月数", "X001"),
        (Stage.PROBATIONARY, date(2023, 3, 1)),
        (Stage.PROBATION_EXTENDED, date(2024, 3, 1)),
    )  # ends 2024-03-01
    history(
        make_member(u["law_b2"], "延长三个月", "X002"),
        (Stage.PROBATIONARY, date(2024, 1, 10)),
        (Stage.PROBATION_EXTENDED, date(2025, 1, 10)),
        extension_months=3,
    )  # ends 2025-04-10
    history(
        make_member(u["eng_b1"], "延长两次", "X003"),
        (Stage.PROBATIONARY, date(2024, 6, 1)),
        (Stage.PROBATION_EXTENDED, date(2025, 6, 1)),
        (Stage.PROBATION_EXTENDED, date(2025, 12, 1)),
        extension_months=6,
    )  # ends 2026-06-01 (12 + 6 + 6 months)
    uni = tree["units"]["uni"]

    def past(day):
        return {p["name"] for p in selectors.stuck(unit=uni, day=day)["stuck"][0]["people"]}

    assert past(END_2025) == {"overdue", "延长未记月数", "延长三个月"}
    assert past(date(2026, 6, 1)) == {"overdue", "extended", "延长未记月数", "延长三个月"}
    assert "延长两次" in past(date(2026, 6, 2))


def test_rule_values_come_from_the_members_rules(people, tree, settings):
    # 预备期 set to 24 months: 'overdue' (admitted 2024-05-10) is no longer past it.
    settings.PARTY_RULES = {"gate_probation_period": 24}
    result = selectors.stuck(unit=tree["units"]["uni"], day=END_2025)
    assert result["stuck"][0]["count"] == 0


def _grow(tree, n, offset):
    for i in range(n):
        unit = tree["units"]["law_b2" if i % 2 else "eng_b1"]
        member = make_member(
            unit, f"批量{offset + i}", f"B{offset + i:05d}", birth_date=date(2000, 1, 1)
        )
        history(
            member,
            (Stage.APPLICANT, date(2023, 1, 1)),
            (Stage.ACTIVIST, date(2023, 9, 1)),
            (Stage.CANDIDATE, date(2025, 1, 2)),
        )


def _all_figures(unit):
    selectors.stage_counts(unit=unit, day=END_2025)
    selectors.member_profile(unit=unit, day=END_2025)
    selectors.development(unit=unit, start=date(2025, 1, 1), end=END_2025)
    selectors.pipeline(unit=unit, day=END_2025)


@pytest.mark.parametrize("size", [5, 40])
def test_constant_queries_whatever_the_size(people, tree, size, django_assert_num_queries):
    _grow(tree, size, 0)
    # stage counts 2 (grouped + the units under), profile 1, development 2, pipeline 1 (every
    # step), stuck 4 (a count and a list per rule).
    with django_assert_num_queries(10):
        _all_figures(tree["units"]["uni"])


def test_one_snapshot_of_the_day_serves_every_panel(people, tree, django_assert_num_queries):
    """The dashboard reads each member's stage once (MembersOnDay) and the stage and profile
    panels group it: the same figures as each panel reading on its own, no query of their own
    beyond the units under; a snapshot of another day is refused."""
    uni = tree["units"]["uni"]
    alone = (
        selectors.stage_counts(unit=uni, day=END_2025),
        selectors.member_profile(unit=uni, day=END_2025),
    )
    with django_assert_num_queries(1):
        members = selectors.MembersOnDay(unit=uni, day=END_2025)
    with django_assert_num_queries(1):  # the units under the university
        shared = (
            selectors.stage_counts(unit=uni, day=END_2025, members=members),
            selectors.member_profile(unit=uni, day=END_2025, members=members),
        )
    assert shared == alone
    assert members.by_branch(MEMBER_STAGES)[tree["units"]["eng_b1"].pk] == {
        people["overdue"].pk,
        people["extended"].pk,
        people["old"].pk,
    }
    with pytest.raises(ValueError):
        selectors.stage_counts(unit=uni, day=date(2025, 6, 30), members=members)


def _steps_in_sql(unit, since, day):
    """The pipeline's steps as session 8 computed them, one query per step (the oracle): each
    change to `to` in the period (a return to 积极分子 left out), from the latest `from` change
    decided on or before it."""
    result = {}
    for frm, to in rules.PIPELINE_STEPS:
        changes = selectors._forward_changes() if to == Stage.ACTIVIST else StageChange.objects
        started = Subquery(
            StageChange.objects.filter(
                member=OuterRef("member"), stage=frm, decided_on__lte=OuterRef("decided_on")
            )
            .order_by("-decided_on", "-id")
            .values("decided_on")[:1]
        )
        rows = (
            changes.filter(
                member__unit__path__startswith=unit.path,
                stage=to,
                decided_on__gte=since,
                decided_on__lte=day,
            )
            .annotate(started=started)
            .exclude(started=None)
            .values_list("decided_on", "started")
        )
        result[(frm, to)] = sorted((end - begun).days for end, begun in rows)
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_steps_equal_the_per_step_sql_on_random_histories(tree, seed):
    """step_days (one query, a CASE choosing each step's subquery) gives the days of the per-step SQL on
    random histories: steps on one day (either order of ids), returns from 发展对象 to 积极分子,
    changes before the period and after the day, members outside the subtree."""
    rng = random.Random(seed)
    units = [tree["units"][k] for k in ("law_b1", "law_b2", "eng_b1")]
    path = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL_MEMBER]
    for n in range(60):
        member = make_member(rng.choice(units), f"随机{n}", f"R{seed}{n:04d}")
        day = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
        changes = []
        for stage in path[: rng.randint(1, 5)]:
            changes.append((stage, day))
            if stage == Stage.CANDIDATE and rng.random() < 0.2:
                day += timedelta(days=rng.randint(0, 60))
                changes.append((Stage.ACTIVIST, day))  # a return, then 发展对象 again
                day += timedelta(days=rng.randint(0, 60))
                changes.append((Stage.CANDIDATE, day))
            day += timedelta(days=rng.choice([0, 0, rng.randint(1, 400)]))
        if rng.random() < 0.3:
            changes.reverse()  # same-day changes recorded in the other order of ids
        history(member, *changes)
    for unit in (tree["units"]["uni"], tree["units"]["law"]):
        since, day = date(2024, 1, 1), date(2025, 6, 30)
        found = selectors.step_days(unit=unit, since=since, day=day)
        assert {k: sorted(v) for k, v in found.items()} == _steps_in_sql(unit, since, day)
        assert sum(map(len, found.values())) > 10
