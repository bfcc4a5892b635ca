"""Compliance for a university's worth of branches in one call: the 党小组 lookup must not build one
SQL condition per branch (SQLite refuses an expression tree deeper than 1,000)."""

from datetime import date

from party.meetings.compliance import branches_compliance
from party.organisation.models import Unit, UnitKind


def test_twelve_hundred_branches_in_one_call(tree):
    college = tree["units"]["eng"]
    college.refresh_from_db()
    start = college.numchild + 1
    Unit.objects.bulk_create(
        [
            Unit(
                path=Unit._get_path(college.path, college.depth + 1, start + i),
                depth=college.depth + 1,
                numchild=0,
                kind=UnitKind.BRANCH,
                name=f"批量党支部{i}",
            )
            for i in range(1200)
        ]
    )
    branches = list(Unit.objects.filter(kind=UnitKind.BRANCH))
    law_b1 = tree["units"]["law_b1"]
    states = branches_compliance(branches=branches, year=2025, today=date(2025, 12, 31))
    assert len(states) == len(branches) > 1200
    # 法学本科生党支部 has a 党小组: its group-meeting rule applies; a bulk branch has none.
    group_rule = {rule.kind: rule for rule in states[law_b1.pk]}["group"]
    assert group_rule.applies
    bulk = branches[-1]
    assert not {rule.kind: rule for rule in states[bulk.pk]}["group"].applies
