"""Compliance per branch and year from the rules as data: done / due / overdue / upcoming, the
per-党小组 and per-member rules, the branch calendar, the 院系党委 view and the API."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from party.meetings import compliance
from party.meetings.models import Meeting, MeetingKind
from party.meetings.rules import COMPLIANCE_RULES
from party.organisation.models import UnitKind
from party.organisation.services import unit_create

pytestmark = pytest.mark.django_db


def at(year, month, day=10):
    return timezone.make_aware(datetime(year, month, day, 15, 0))


@pytest.fixture
def last_year(life):
    year = timezone.localdate().year - 1
    plan, m = life["plan"], life["members"]
    plan(kind=MeetingKind.PARTY_CONGRESS, starts_at=at(year, 2))
    plan(kind=MeetingKind.PARTY_CONGRESS, starts_at=at(year, 5))
    plan(kind=MeetingKind.THEME_DAY, starts_at=at(year, 1))
    plan(kind=MeetingKind.GROUP, unit=life["units"]["law_g1"], starts_at=at(year, 3))
    plan(kind=MeetingKind.TALK, starts_at=at(year, 6), participants=[m["lm1"], m["lm2"]])
    return year


def by_kind(rules):
    return {rule.kind: rule for rule in rules}


def test_a_past_year(life, last_year):
    rules = by_kind(compliance.unit_compliance(unit=life["units"]["law_b1"], year=last_year))
    assert [r["kind"] for r in COMPLIANCE_RULES] == list(rules)
    congress = rules["party_congress"]
    assert [p.state for p in congress.periods] == ["done", "done", "overdue", "overdue"]
    assert (congress.required, congress.done, congress.overdue) == (4, 2, 2)
    assert congress.source.startswith("《中国共产党支部工作条例")
    theme = rules["theme_day"]
    assert (theme.done, theme.overdue) == (1, 11)
    group = rules["group"]
    assert group.applies and group.periods[2].state == "done" and group.periods[2].note == "1/1"
    talk = rules["talk"].periods[0]
    assert (talk.state, talk.note) == ("overdue", "2/5")  # two of the five members talked to
    assert rules["life_meeting"].overdue == 1


def test_group_rule_does_not_apply_without_groups(life):
    rules = by_kind(compliance.unit_compliance(unit=life["units"]["law_b2"], year=2025))
    assert not rules["group"].applies and rules["group"].required == 0


def test_this_year_due_and_upcoming(life):
    today = timezone.localdate()
    rules = by_kind(compliance.unit_compliance(unit=life["units"]["law_b1"], year=today.year))
    theme = rules["theme_day"]
    this_month = theme.periods[today.month - 1]
    # The open 主题党日 started ten minutes ago: this month is done (unless that was last month).
    if timezone.localdate(timezone.now() - timedelta(minutes=10)).month == today.month:
        assert this_month.state == "done"
    assert all(p.state == "upcoming" for p in theme.periods[today.month :])
    committee = rules["committee"].periods[today.month - 1]
    assert committee.state == "due"
    next_year = by_kind(
        compliance.unit_compliance(unit=life["units"]["law_b1"], year=today.year + 1)
    )
    assert next_year["theme_day"].required == 0


def test_query_count_does_not_grow_with_branches(life, last_year, django_assert_num_queries):
    units = life["units"]
    with django_assert_num_queries(4):
        compliance.branches_compliance(branches=[units["law_b1"]], year=last_year)
    with django_assert_num_queries(4):
        compliance.branches_compliance(
            branches=[units["law_b1"], units["law_b2"], units["eng_b1"]], year=last_year
        )


def test_dashboard_tally_agrees_with_the_calendars(life, last_year, django_assert_num_queries):
    """The dashboard's counting path (compliance_tally: periods ending by the day, met / due per
    row and month of their end) gives what the per-branch calendars give when reduced, on a day
    inside the year and at its end (every rule, the 党小组 and 谈心谈话 ones included), with a
    branch keyed alone and branches sharing a row; in the same four queries."""
    units, plan, m = life["units"], life["plan"], life["members"]
    # 谈心谈话 with every attending member of 法学本科生党支部 in the year: its yearly rule is met.
    plan(
        kind=MeetingKind.TALK,
        starts_at=at(last_year, 9),
        participants=[p for p in m.values() if p.unit_id == units["law_b1"].pk],
    )
    branches = [units["law_b1"], units["law_b2"], units["eng_b1"]]
    for day in (date(last_year, 5, 31), date(last_year, 8, 15), date(last_year, 12, 31)):
        for key_of in (lambda b, kind: f"{b.pk}:{kind}", lambda b, kind: "all"):
            states = compliance.branches_compliance(branches=branches, year=last_year, today=day)
            expected = defaultdict(lambda: [0, 0])
            for branch in branches:
                for rule in states[branch.pk]:
                    for period in rule.periods:
                        if period.ends <= day:
                            cell = expected[(key_of(branch, rule.kind), period.ends.month)]
                            cell[1] += 1
                            cell[0] += period.state == compliance.DONE
            with django_assert_num_queries(4):
                tally = compliance.compliance_tally(
                    branches=branches, year=last_year, day=day, key_of=key_of
                )
            assert dict(tally) == dict(expected), day
    year_end = compliance.compliance_tally(
        branches=branches, year=last_year, day=date(last_year, 12, 31), key_of=lambda b, k: k
    )
    assert year_end[("talk", 12)][0] == 1  # 法学本科生党支部 talked with all its members
    assert year_end[("group", 3)] == [1, 1]  # only it has a 党小组, which met in March


def _calendar_tally(branches, year, day, key_of):
    """The dashboard's cells reduced from the per-branch calendars (the oracle)."""
    states = compliance.branches_compliance(branches=branches, year=year, today=day)
    expected = defaultdict(lambda: [0, 0])
    for branch in branches:
        for rule in states[branch.pk]:
            for period in rule.periods:
                if period.ends <= day:
                    cell = expected[(key_of(branch, rule.kind), period.ends.month)]
                    cell[1] += 1
                    cell[0] += period.state == compliance.DONE
    return dict(expected)


def test_dashboard_tally_agrees_with_the_calendars_on_random_meetings(life, last_year):
    """The tally counts a rule met by one meeting per period row by row (not period by period):
    on random meetings of those kinds in 14 branches, it equals the calendars on every month end
    of the year, keyed by branch, by college and all together."""
    rng = random.Random(16)
    units = life["units"]
    branches = [units["law_b1"], units["law_b2"], units["eng_b1"]]
    for i in range(11):
        parent = units["law"] if i % 2 else units["eng"]
        branches.append(unit_create(kind=UnitKind.BRANCH, name=f"随机支部{i}", parent=parent))
    kinds = [r["kind"] for r in COMPLIANCE_RULES if not (r.get("per_group") or r.get("per_member"))]
    meetings = []
    for branch in branches[1:]:  # law_b1 has the fixture's meetings
        for kind in kinds:
            for month in rng.sample(range(1, 13), rng.randint(0, 12)):
                starts = at(last_year, month, rng.randint(1, 28))
                meetings.append(
                    Meeting(
                        unit=branch,
                        kind=kind,
                        topic="随机",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                    )
                )
    Meeting.objects.bulk_create(meetings)
    college = {b.pk: b.path[: len(units["law"].path)] for b in branches}
    key_ofs = (
        lambda b, kind: f"{b.pk}:{kind}",
        lambda b, kind: college[b.pk],
        lambda b, kind: "all",
    )
    for month in range(1, 13):
        day = date(last_year, month, 28) + timedelta(days=4)
        day = day - timedelta(days=day.day)  # the month's last day
        for key_of in key_ofs:
            tally = compliance.compliance_tally(
                branches=branches, year=last_year, day=day, key_of=key_of
            )
            assert dict(tally) == _calendar_tally(branches, last_year, day, key_of), (day,)


def test_college_view_shows_its_branches_side_by_side(life, last_year, client):
    client.force_login(life["users"]["organiser"])
    page = client.get(f"/party/compliance/?year={last_year}").content.decode()
    assert "法学本科生党支部" in page and "法学研究生党支部" in page
    assert "机械党支部" not in page
    client.force_login(life["users"]["secretary"])
    page = client.get(f"/party/compliance/?year={last_year}").content.decode()
    assert "法学本科生党支部" in page and "法学研究生党支部" not in page
    calendar = client.get(f"/party/units/{life['units']['law_b1'].pk}/compliance/?year={last_year}")
    assert "逾期" in calendar.content.decode()
    assert client.get(f"/party/units/{life['units']['eng_b1'].pk}/compliance/").status_code == 404
    client.force_login(life["users"]["member"])
    assert client.get("/party/compliance/").status_code == 404


def test_compliance_api(life, last_year):
    api = APIClient()
    api.force_authenticate(life["users"]["organiser"])
    data = api.get(f"/api/v1/units/{life['units']['law'].pk}/compliance/?year={last_year}").json()
    assert [row["name"] for row in data] == ["法学本科生党支部", "法学研究生党支部"]
    congress = next(r for r in data[0]["rules"] if r["kind"] == "party_congress")
    assert (congress["required"], congress["held"], congress["overdue"]) == (4, 2, 2)
    api.force_authenticate(life["users"]["secretary2"])
    assert api.get(f"/api/v1/units/{life['units']['law'].pk}/compliance/").status_code == 404
