"""What the dashboard and the stats API show for one unit on one day: the engine's figures
(selectors) and the panels of the other party apps, each read through that app's own selectors
(one implementation per rule): meeting compliance from party.meetings.compliance, dues from
party.dues.selectors.branch_report, appraisal grades from party.appraisal.selectors."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from party.appraisal.models import Grade
from party.appraisal.selectors import report_rows, report_total
from party.dues.selectors import branch_report
from party.meetings.compliance import DONE, UPCOMING, branches_compliance
from party.organisation.models import Unit, UnitKind
from party.stats import selectors

MONTHS = list(range(1, 13))


def year_start(day: date) -> date:
    return date(day.year, 1, 1)


def _branches(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.BRANCH).order_by("path")
    )


def _row_of(unit: Unit, children: list[Unit]):
    """Which row a branch falls in: the child of `unit` above it (a branch asked: by rule)."""
    by_path = {child.path: child for child in children}

    def row(branch: Unit) -> Unit:
        return by_path.get(branch.path[: len(unit.path) + Unit.steplen], unit)

    return row


def compliance_panel(*, unit: Unit, day: date, branches: list[Unit], children: list[Unit]) -> dict:
    """三会一课 held, by month: per row (the units under `unit`; for a branch, each rule) the share
    of the periods ending in that month that were held (None: nothing ended then)."""
    states = branches_compliance(branches=branches, year=day.year, today=day)
    cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[str, str] = {}
    row_of = _row_of(unit, children)
    for branch in branches:
        for rule in states.get(branch.pk, []):
            if unit.kind == UnitKind.BRANCH:
                key, label = rule.kind, str(rule.kind_label)
            else:
                parent = row_of(branch)
                key, label = parent.path, parent.name
            labels[key] = label
            for period in rule.periods:
                if period.state == UPCOMING or period.ends > day:
                    continue
                cell = cells[(key, period.ends.month)]
                cell[1] += 1
                cell[0] += period.state == DONE
    rows = []
    for key, label in labels.items():
        shares = []
        for month in MONTHS:
            done, due = cells.get((key, month), (0, 0))
            shares.append(round(done / due, 4) if due else None)
        rows.append({"label": label, "shares": shares})
    return {"year": day.year, "months": MONTHS, "rows": rows}


def dues_panel(*, day: date, branches: list[Unit]) -> dict:
    """党费 by month of `day`'s year up to its month: owed, paid and the share of the members who
    owed something that paid it in full (from party.dues' ledger)."""
    first, last = date(day.year, 1, 1), date(day.year, day.month, 1)
    months: dict[date, dict] = {}
    for cell in branch_report(units=branches, first=first, last=last):
        month = months.setdefault(
            cell.month, {"owed": 0, "paid": 0, "members": 0, "paid_members": 0}
        )
        month["owed"] += cell.owed
        month["paid"] += cell.paid
        month["members"] += cell.members
        month["paid_members"] += cell.paid_members
    rows = []
    for month, figures in sorted(months.items()):
        members = figures["members"]
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "owed": f"{figures['owed']:.2f}",
                "paid": f"{figures['paid']:.2f}",
                "members": members,
                "paid_members": figures["paid_members"],
                "paid_share": round(figures["paid_members"] / members, 4) if members else None,
            }
        )
    return {"year": day.year, "months": rows}


def appraisal_panel(*, unit: Unit, day: date) -> dict:
    """民主评议 grades decided in the latest year up to `day`'s with a campaign in the subtree."""
    for year in (day.year, day.year - 1):
        rows = [row for row in report_rows(unit=unit, year=year) if row.campaign is not None]
        if rows:
            break
    total = report_total(rows) if rows else None
    return {
        "year": year if rows else None,
        "branches": len(rows),
        "participants": total.participants if total else 0,
        "voted": total.voted if total else 0,
        "undecided": total.undecided if total else 0,
        "grades": [
            {
                "grade": grade,
                "label": str(label),
                "count": total.grades.get(grade, 0) if total else 0,
            }
            for grade, label in Grade.choices
        ],
    }


def overview(*, unit: Unit, day: date) -> dict:
    """Every figure for `unit`'s subtree on `day`; development and pipeline steps count from
    1 January of `day`'s year. A fixed number of queries whatever the size of the subtree."""
    start = year_start(day)
    branches = _branches(unit)
    children = selectors.child_units(unit)
    return {
        "unit": {"id": unit.pk, "name": unit.name, "kind": unit.kind},
        "date": day,
        "stages": selectors.stage_counts(unit=unit, day=day),
        "profile": selectors.member_profile(unit=unit, day=day),
        "development": selectors.development(unit=unit, start=start, end=day),
        "pipeline": selectors.pipeline(unit=unit, day=day, since=start),
        "compliance": compliance_panel(unit=unit, day=day, branches=branches, children=children),
        "dues": dues_panel(day=day, branches=branches),
        "appraisal": appraisal_panel(unit=unit, day=day),
    }
