"""What the dashboard and the stats API show for one unit on one day: the engine's figures
(selectors) and the panels of the other party apps, each read through that app's own selectors
(one implementation per rule): meeting compliance from party.meetings.compliance, dues from
party.dues.selectors.subtree_month_totals (the 党费 summary), appraisal grades from party.appraisal.selectors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from party.appraisal.models import Grade
from party.appraisal.selectors import latest_campaign_year, report_rows, report_total
from party.dues.selectors import subtree_month_totals
from party.meetings.compliance import compliance_tally
from party.meetings.models import MeetingKind
from party.meetings.rules import ATTENDING_STAGES, COMPLIANCE_RULES
from party.members.education import (
    COMMITTEE_SOURCE,
    MEMBER_SOURCE,
    hours_text,
    required_hours,
    yearly_standing,
)
from party.members.models import MEMBER_STAGES
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


def compliance_panel(
    *,
    unit: Unit,
    day: date,
    branches: list[Unit],
    children: list[Unit],
    members: selectors.MembersOnDay | None = None,
) -> dict:
    """三会一课 held, by month: per row (the units under `unit`; for a branch, each rule) the share
    of the periods ending in that month that were held (None: nothing ended then). With the
    request's `members` snapshot, the branches' attending members are taken from it."""
    attending = members.by_branch(ATTENDING_STAGES) if members is not None else None
    labels: dict[str, str] = {}
    if unit.kind == UnitKind.BRANCH:
        for rule in COMPLIANCE_RULES:
            labels[rule["kind"]] = str(MeetingKind(rule["kind"]).label)

        def key_of(branch: Unit, kind: str) -> str:
            return kind

    else:
        row_of = _row_of(unit, children)
        for branch in branches:
            parent = row_of(branch)
            labels.setdefault(parent.path, parent.name)

        def key_of(branch: Unit, kind: str) -> str:
            return row_of(branch).path

    cells = compliance_tally(
        branches=branches, year=day.year, day=day, key_of=key_of, attending=attending
    )
    if not branches:
        labels = {}
    rows = []
    for key, label in labels.items():
        shares = []
        for month in MONTHS:
            done, due = cells.get((key, month), (0, 0))
            shares.append(round(done / due, 4) if due else None)
        rows.append({"label": label, "shares": shares})
    return {"year": day.year, "months": MONTHS, "rows": rows}


def dues_panel(*, unit: Unit, day: date, branches: list[Unit]) -> dict:
    """党费 by month of `day`'s year up to its month: owed, paid and the share of the members who
    owed something that paid it in full, each member in the branch of that month (party.dues'
    subtree_month_totals: the 党费 report's figures, summed from the summary party.dues keeps)."""
    if not branches:
        return {"year": day.year, "months": []}
    first, last = date(day.year, 1, 1), date(day.year, day.month, 1)
    rows = [
        {
            "month": total.month.strftime("%Y-%m"),
            "owed": f"{total.owed:.2f}",
            "paid": f"{total.paid:.2f}",
            "members": total.members,
            "paid_members": total.paid_members,
            "paid_share": total.paid_share,
        }
        for total in subtree_month_totals(unit=unit, first=first, last=last)
    ]
    return {"year": day.year, "months": rows}


def appraisal_panel(*, unit: Unit, day: date, branches: list[Unit] | None = None) -> dict:
    """民主评议 grades decided in the latest year up to `day`'s with a campaign in the subtree
    (this year or last; one query finds which, then that year's rows, from the request's
    `branches` when given)."""
    year = latest_campaign_year(unit=unit, years=(day.year, day.year - 1))
    rows = []
    if year is not None:
        rows = [
            row
            for row in report_rows(unit=unit, year=year, branches=branches)
            if row.campaign is not None
        ]
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


# The bands of the yearly 学时 distribution: 8 学时 wide, so that 32 (every Party member) and 56
# (书记 and 支委) fall on band edges and the chart can draw both lines between bars.
HOURS_BAND_WIDTH = 8
HOURS_BAND_COUNT = 8  # 0–8 … 56–64, then ≥ 64


def hours_band(earned: Decimal) -> int:
    return min(int(earned // HOURS_BAND_WIDTH), HOURS_BAND_COUNT)


def hours_band_labels() -> list[str]:
    labels = [
        f"{i * HOURS_BAND_WIDTH}–{(i + 1) * HOURS_BAND_WIDTH}" for i in range(HOURS_BAND_COUNT)
    ]
    return [*labels, f"≥{HOURS_BAND_COUNT * HOURS_BAND_WIDTH}"]


class _Holder:
    """What yearly_standing reads of a member (pk, user_id): a tuple's worth, not a model instance
    (30,000 deferred-field Members cost more than their query)."""

    __slots__ = ("pk", "user_id")

    def __init__(self, pk: int, user_id: int | None):
        self.pk, self.user_id = pk, user_id


def yearly_hours_panel(
    *, unit: Unit, day: date, members: selectors.MembersOnDay | None = None
) -> dict:
    """The Party members (预备 and 正式) of `unit`'s subtree on `day` — the stage they held that
    day, in the branch they belonged to (the request's `members` snapshot, as every panel) — by the
    学时 earned in `day`'s calendar year (party.members.education.yearly_standing, the one
    implementation of the 32/56 line): per band of 8 学时 how many, how many of them hold a
    committee post, and how many are below their line. Two queries with the snapshot (the
    committee posts; the ledger, only when a member has an account)."""
    snapshot = members if members is not None else selectors.MembersOnDay(unit=unit, day=day)
    members = [_Holder(pk, user_id) for pk, user_id in snapshot.accounts(MEMBER_STAGES)]
    standings = yearly_standing(members=members, year=day.year)
    counts = [0] * (HOURS_BAND_COUNT + 1)
    committee = [0] * (HOURS_BAND_COUNT + 1)
    below = below_committee = 0
    available = True
    for standing in standings.values():
        if standing.earned is None:
            available = False
            break
        band = hours_band(standing.earned)
        counts[band] += 1
        committee[band] += standing.committee
        if standing.below:
            below += 1
            below_committee += standing.committee
    labels = hours_band_labels()
    return {
        "year": day.year,
        "available": available,
        "members": len(members),
        "below": below if available else None,
        "below_committee": below_committee if available else None,
        "required": hours_text(required_hours(committee=False)),
        "required_committee": hours_text(required_hours(committee=True)),
        "sources": [MEMBER_SOURCE, COMMITTEE_SOURCE],
        "bands": [
            {"label": labels[i], "members": counts[i], "committee": committee[i]}
            for i in range(HOURS_BAND_COUNT + 1)
        ]
        if available
        else [],
    }


def overview(*, unit: Unit, day: date) -> dict:
    """Every figure for `unit`'s subtree on `day`; development and pipeline steps count from
    1 January of `day`'s year. A fixed number of queries whatever the size of the subtree."""
    start = year_start(day)
    branches = _branches(unit)
    children = selectors.child_units(unit)
    members = selectors.MembersOnDay(unit=unit, day=day)  # each member's stage, read once
    return {
        "unit": {"id": unit.pk, "name": unit.name, "kind": unit.kind},
        "date": day,
        "stages": selectors.stage_counts(unit=unit, day=day, members=members),
        "profile": selectors.member_profile(unit=unit, day=day, members=members),
        "development": selectors.development(unit=unit, start=start, end=day, members=members),
        "pipeline": selectors.pipeline(unit=unit, day=day, since=start, members=members),
        "compliance": compliance_panel(
            unit=unit, day=day, branches=branches, children=children, members=members
        ),
        "dues": dues_panel(unit=unit, day=day, branches=branches),
        "appraisal": appraisal_panel(unit=unit, day=day, branches=branches),
        "yearly_hours": yearly_hours_panel(unit=unit, day=day, members=members),
    }
