"""Compliance of organisation life: per branch and year, which periods of each rule
(rules.COMPLIANCE_RULES) are done, due or overdue — a calendar per branch, and a 院系党委's
branches side by side. Reads only; four queries whatever the number of branches: meetings are
counted per unit, kind and month in SQL, and the rules applied in Python to those counts (one
reading of them, `_Held.period`, for the calendars and for the dashboard's tally)."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from party.meetings.models import Meeting, MeetingKind
from party.meetings.rules import ATTENDING_STAGES, COMPLIANCE_RULES
from party.members.models import Member, StageChange
from party.members.selectors import in_units_on_q, unit_on_expression
from party.organisation.models import Unit, UnitKind

DONE, DUE, OVERDUE, UPCOMING = "done", "due", "overdue", "upcoming"
STATE_LABELS = {DONE: _("已完成"), DUE: _("本期待办"), OVERDUE: _("逾期"), UPCOMING: _("未到期")}
PERIOD_LABELS = {"month": _("每月"), "quarter": _("每季度"), "year": _("每年")}
NONE_HELD = (0,) * 13  # meetings held per month (index 1–12) of a kind a branch never held


def periods(year: int, period: str) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of each period of the year."""
    if period == "year":
        return [(str(year), date(year, 1, 1), date(year, 12, 31))]
    if period == "quarter":
        return [(f"Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q)) for q in range(1, 5)]
    return [(f"{m}月", date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class PeriodState:
    label: str
    starts: date
    ends: date
    state: str
    held: int
    note: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class RuleState:
    kind: str
    period: str
    source: str
    periods: list[PeriodState] = field(default_factory=list)
    applies: bool = True

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS[self.period]

    @property
    def required(self) -> int:
        """Periods that have begun (so could have been met by now)."""
        return sum(1 for p in self.periods if p.state != UPCOMING)

    @property
    def done(self) -> int:
        return sum(1 for p in self.periods if p.state == DONE)

    @property
    def overdue(self) -> int:
        return sum(1 for p in self.periods if p.state == OVERDUE)


def _state(*, ok: bool, starts: date, ends: date, today: date) -> str:
    if ok:
        return DONE
    if starts > today:
        return UPCOMING
    return DUE if ends >= today else OVERDUE


def _member_count_on(branch_ids: list[int], day: date) -> dict[int, set[int]]:
    """Each branch's Party members on `day` (in the branch that day: 组织关系转接 counted)."""
    stage = Subquery(
        StageChange.objects.filter(member=OuterRef("pk"), decided_on__lte=day)
        .order_by("-decided_on", "-id")
        .values("stage")[:1]
    )
    members = (
        Member.objects.filter(in_units_on_q(branch_ids, day))
        .annotate(stage_on_day=stage, unit_on=unit_on_expression(day))
        .filter(stage_on_day__in=ATTENDING_STAGES)
        .values_list("unit_on", "pk")
    )
    result: dict[int, set[int]] = defaultdict(set)
    for unit_id, pk in members:
        result[unit_id].add(pk)
    return result


def _month_of(field: str, year: int, tz) -> Case:
    """The local month (1–12) of a datetime inside `year`, as plain comparisons with the local
    month starts (no per-row date function: SQLite's would call into Python for every row)."""
    whens = [
        When(**{f"{field}__lt": timezone.make_aware(datetime(year, m + 1, 1), tz)}, then=Value(m))
        for m in range(1, 12)
    ]
    return Case(*whens, default=Value(12), output_field=IntegerField())


@dataclass
class _Held:
    """What the SQL read for a year's compliance: meetings held per branch, kind and month (a
    党小组's counted for its branch), the units that met, the members talked with, each branch's
    党小组 and its attending members."""

    held: dict[tuple[int, str], list[int]]
    met_units: dict[tuple[int, str, int], set[int]]
    talked: dict[tuple[int, str, int], set[int]]
    groups_of: dict[int, set[int]]
    attending: dict[int, set[int]] | None

    def applies(self, rule: dict, branch_id: int) -> bool:
        """A branch without 党小组 has no group meetings to hold."""
        return not (rule.get("per_group") and not self.groups_of.get(branch_id))

    def period(self, rule: dict, branch_id: int, month_from: int, month_to: int):
        """Whether `rule` was met by the branch over the months month_from–month_to: (met,
        meetings held, note) — the one reading of the rules, for the calendar and the dashboard."""
        kind = rule["kind"]
        count = sum(self.held.get((branch_id, kind), NONE_HELD)[month_from : month_to + 1])
        if rule.get("per_group"):
            expected = self.groups_of.get(branch_id, set())
            met = set().union(
                *(
                    self.met_units.get((branch_id, kind, m), ())
                    for m in range(month_from, month_to + 1)
                )
            )
            return expected <= met, count, f"{len(met & expected)}/{len(expected)}"
        if rule.get("per_member"):
            expected = self.attending.get(branch_id, set())
            met = set().union(
                *(
                    self.talked.get((branch_id, kind, m), ())
                    for m in range(month_from, month_to + 1)
                )
            )
            ok = bool(expected) and expected <= met
            return ok, count, f"{len(met & expected)}/{len(expected)}"
        return count > 0, count, ""


def _read(
    *, branches: list[Unit], year: int, today: date, attending: dict[int, set[int]] | None
) -> _Held:
    """Four queries whatever the number of branches (three with `attending`)."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(year, 1, 1), tz)
    end = timezone.make_aware(datetime(year + 1, 1, 1), tz)
    now = timezone.now()
    branch_by_path = {b.path: b for b in branches}
    steplen = Unit.steplen
    # 党小组 sit directly under their branch: read them by depth and match the parent path here (an
    # OR of one prefix per branch exceeds SQLite's expression depth at 1,000 branches).
    groups = [
        (pk, path)
        for pk, path in Unit.objects.filter(
            kind=UnitKind.GROUP, depth__in={b.depth + 1 for b in branches}
        ).values_list("pk", "path")
        if path[:-steplen] in branch_by_path
    ]
    group_branch = {pk: branch_by_path[path[:-steplen]].pk for pk, path in groups}
    groups_of: dict[int, set[int]] = defaultdict(set)
    for group_id, branch_id in group_branch.items():
        groups_of[branch_id].add(group_id)
    unit_ids = [b.pk for b in branches] + list(group_branch)
    # Held = started by now; a meeting planned for later this month does not yet count.
    in_year = {"starts_at__gte": start, "starts_at__lt": end, "starts_at__lte": now}
    # (branch, kind) → meetings held per month (index 1–12); (branch, kind, month) → units that met
    # (only for the kinds a rule checks per 党小组: a set per row of the others cost more than the
    # query at university size)
    held: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 13)
    met_units: dict[tuple[int, str, int], set[int]] = defaultdict(set)
    per_group_kinds = {r["kind"] for r in COMPLIANCE_RULES if r.get("per_group")}
    for unit_id, kind, month, n in (
        Meeting.objects.filter(unit_id__in=unit_ids, **in_year)
        .annotate(month=_month_of("starts_at", year, tz))
        .values("unit_id", "kind", "month")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("unit_id", "kind", "month", "n")
    ):
        branch_id = group_branch.get(unit_id, unit_id)
        held[(branch_id, kind)][month] += n
        if kind in per_group_kinds:
            met_units[(branch_id, kind, month)].add(unit_id)
    per_member_kinds = [r["kind"] for r in COMPLIANCE_RULES if r.get("per_member")]
    talked: dict[tuple[int, str, int], set[int]] = defaultdict(set)  # … → members talked with
    if any(kind in per_member_kinds for _branch, kind in held):
        for unit_id, kind, month, member_id in (
            Meeting.participants.through.objects.filter(
                meeting__unit_id__in=unit_ids,
                meeting__kind__in=per_member_kinds,
                **{f"meeting__{k}": v for k, v in in_year.items()},
            )
            .annotate(month=_month_of("meeting__starts_at", year, tz))
            .values_list("meeting__unit_id", "meeting__kind", "month", "member_id")
        ):
            talked[(group_branch.get(unit_id, unit_id), kind, month)].add(member_id)
    if per_member_kinds and attending is None:
        attending = _member_count_on([b.pk for b in branches], min(today, date(year, 12, 31)))
    return _Held(
        held=dict(held),
        met_units=dict(met_units),
        talked=dict(talked),
        groups_of=dict(groups_of),
        attending=attending,
    )


def _calendars(year: int) -> dict[str, list[tuple[str, date, date, int, int]]]:
    """Per period kind: (label, first day, last day, first month, last month) of each period."""
    return {
        rule["period"]: [
            (label, first, last, first.month, last.month)
            for label, first, last in periods(year, rule["period"])
        ]
        for rule in COMPLIANCE_RULES
    }


def branches_compliance(
    *,
    branches: list[Unit],
    year: int,
    today: date | None = None,
    attending: dict[int, set[int]] | None = None,
) -> dict[int, list[RuleState]]:
    """The compliance of each branch for `year`, keyed by branch id. Four queries in all whatever
    the number of branches (three when the caller passes `attending`, each branch's members in an
    ATTENDING_STAGES stage on min(today, 31 December): the statistics engine has them already):
    meetings are counted per unit, kind and month in SQL and the rules applied to those counts."""
    today = today or timezone.localdate()
    if not branches:
        return {}
    found = _read(branches=branches, year=year, today=today, attending=attending)
    calendars = _calendars(year)
    result = {}
    for branch in branches:
        rules = []
        for rule in COMPLIANCE_RULES:
            state = RuleState(kind=rule["kind"], period=rule["period"], source=rule["source"])
            if not found.applies(rule, branch.pk):
                state.applies = False
                rules.append(state)
                continue
            for label, first, last, month_from, month_to in calendars[rule["period"]]:
                ok, count, note = found.period(rule, branch.pk, month_from, month_to)
                state.periods.append(
                    PeriodState(
                        label=label,
                        starts=first,
                        ends=last,
                        state=_state(ok=ok, starts=first, ends=last, today=today),
                        held=count,
                        note=note,
                    )
                )
            rules.append(state)
        result[branch.pk] = rules
    return result


def compliance_tally(
    *,
    branches: list[Unit],
    year: int,
    day: date,
    key_of,
    attending: dict[int, set[int]] | None = None,
) -> dict[tuple[str, int], list[int]]:
    """For the dashboard: the periods ending by `day` (so due or past), counted per row and month
    of their end — (key_of(branch, kind), month) → [met, due] — without building the calendar of
    every branch (51,000 PeriodState objects at 1,500 branches). The same reading of the rules as
    `branches_compliance` (`_Held.period`); the same queries. A rule met by holding one meeting
    in the period is counted per row first (its branches, and per period how many held one), so
    42,000 period checks at 1,500 branches are a loop over the meetings read, not method calls."""
    cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    if not branches:
        return cells
    found = _read(branches=branches, year=year, today=day, attending=attending)
    calendars = _calendars(year)
    for rule in COMPLIANCE_RULES:
        kind = rule["kind"]
        # (month of the end, first month, last month) of each period ended by `day`
        ended = [(c[2].month, c[3], c[4]) for c in calendars[rule["period"]] if c[2] <= day]
        if not ended:
            continue
        if rule.get("per_group") or rule.get("per_member"):
            for branch in branches:
                if not found.applies(rule, branch.pk):
                    continue
                key = key_of(branch, kind)
                for end, month_from, month_to in ended:
                    cell = cells[(key, end)]
                    cell[1] += 1
                    cell[0] += found.period(rule, branch.pk, month_from, month_to)[0]
            continue
        # A rule the branch meets by holding one meeting in the period (`_Held.period`: held
        # count > 0), counted per row before the cells: how many branches the row has, and per
        # month of a period's end how many of them held one — a branch that held nothing of the
        # kind is only counted due.
        due: dict = {}
        met: dict = {}
        for branch in branches:
            key = key_of(branch, kind)
            due[key] = due.get(key, 0) + 1
            months = found.held.get((branch.pk, kind))
            if months is None:
                continue
            row = met.get(key)
            if row is None:
                row = met[key] = [0] * 13
            for end, month_from, month_to in ended:
                if any(months[month_from : month_to + 1]):
                    row[end] += 1
        for key, branch_count in due.items():
            row = met.get(key, NONE_HELD)
            for end, _from, _to in ended:
                cell = cells[(key, end)]
                cell[1] += branch_count
                cell[0] += row[end]
    return cells


def unit_compliance(*, unit: Unit, year: int, today: date | None = None) -> list[RuleState]:
    return branches_compliance(branches=[unit], year=year, today=today)[unit.pk]
