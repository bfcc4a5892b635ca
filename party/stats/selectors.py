"""The as-of-date engine: every figure of a unit's subtree on a day, read from the stage history
(never from the current stage), so a past table does not change when someone moves today.

Each function runs a fixed number of queries whatever the size of the tree. The stage each member
held on the day is read once per request (MembersOnDay: one query, a subquery over the
`members_stage_latest` index per member) and the stage, profile, past-a-rule's-date and
compliance panels group those rows by stage and by the unit under the asked one (a prefix of
`Unit.path`, the materialised path); the development and pipeline figures are grouped in SQL.
Never a query per unit. A member counts in the branch they belonged to on the day (组织关系转接,
转入/转出本校: party.members.selectors' one rule): in the stage, profile, past-a-rule's-date and
compliance panels the branch on the asked day; in the development figures and the pipeline's
steps the branch on the day each stage change was decided. Two more queries (the transfers, the
units' paths: UnitsOfMovers) only when a member of the subtree has transfers, none when the
request's snapshot has read them (docs/party.md "Statistics")."""

from __future__ import annotations

import statistics
from datetime import date
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from party.members import rules as member_rules
from party.members.models import MEMBER_STAGES, Member, MemberTransfer, Stage, StageChange
from party.members.selectors import unit_histories
from party.members.services import probation_end
from party.organisation.models import Unit
from party.organisation.selectors import UnitScope, unit_scope
from party.stats import rules

STAGE_LABELS = dict(Stage.choices)  # lazy labels: str() them when read


# --- scope ------------------------------------------------------------------------------------


def stats_unit(*, user, unit_id: int | None = None, scope: UnitScope | None = None) -> Unit:
    """The unit whose figures `user` asks for: `unit_id` when it is inside their scope, else 404;
    without an id, the top of their scope (the university for 组织部). Nothing to manage → 404."""
    scope = scope or unit_scope(user=user)
    if scope.empty:
        raise Http404
    units = Unit.objects.filter(scope.q())
    if unit_id is not None:
        unit = units.filter(pk=unit_id).first()
    else:
        unit = units.order_by("depth", "path").first()
    if unit is None:
        raise Http404
    return unit


def stats_units(*, user, scope: UnitScope | None = None) -> list[Unit]:
    """The units `user` may ask figures for (not 党小组: members are registered in branches)."""
    scope = scope or unit_scope(user=user)
    if scope.empty:
        return []
    return list(Unit.objects.filter(scope.q()).exclude(kind="group").order_by("path"))


# --- building blocks --------------------------------------------------------------------------


def _change_on(field: str, day: date, **filters) -> Subquery:
    return Subquery(
        StageChange.objects.filter(member=OuterRef("pk"), decided_on__lte=day, **filters)
        .order_by("-decided_on", "-id")
        .values(field)[:1]
    )


# The columns of one member on a day (MembersOnDay.rows): one tuple each, no model instances.
ON_DAY_FIELDS = (
    "pk",
    "unit_id",
    "unit__path",
    "stage_on",
    "gender",
    "ethnicity",
    "birth_date",
    "stage_since",
    "user_id",
)


class UnitsOfMovers:
    """The branch on any day of members with transfers (组织关系转接, 转入/转出本校), read with
    party.members.selectors' one rule (unit_histories → UnitHistory.on) and the paths of every
    unit they were in: two queries (none for no members). `path_on` answers None for a day their
    组织关系 was outside the university."""

    def __init__(self, member_ids=()):
        self.histories: dict = {}
        self.paths: dict[int, str] = {}
        self.load(member_ids)

    def load(self, member_ids) -> UnitsOfMovers:
        """Read the members of `member_ids` not read yet (no query when there are none)."""
        missing = set(member_ids) - self.histories.keys()
        if not missing:
            return self
        # A member with transfers: UnitHistory reads their unit from the transfers alone.
        histories = unit_histories(members=[_Registered(pk, None) for pk in missing])
        self.histories.update(histories)
        ids = {i for h in histories.values() for i in h.unit_ids if i} - self.paths.keys()
        if ids:
            self.paths.update(Unit.objects.filter(pk__in=ids).values_list("pk", "path"))
        return self

    def unit_on(self, member_id: int, day: date) -> int | None:
        return self.histories[member_id].on(day)

    def path_on(self, member_id: int, day: date) -> str | None:
        unit_id = self.unit_on(member_id, day)
        return None if unit_id is None else self.paths[unit_id]


class MembersOnDay:
    """Every member of `unit`'s subtree with the stage they held on `day`, read in ONE query (the
    stage subquery over the `members_stage_latest` index evaluated once per member) and shared by
    the panels of one request: members by stage and unit, the profile, and the branches' members
    who attend (三会一课 compliance). The panels group these rows in Python. `movers` holds the
    unit history of every member of the subtree with transfers (read only when there are some),
    which the development and pipeline figures of the same request reuse."""

    def __init__(self, *, unit: Unit, day: date):
        self.unit, self.day = unit, day
        self.movers = UnitsOfMovers()
        touched = MemberTransfer.objects.filter(
            Q(from_unit__path__startswith=unit.path) | Q(to_unit__path__startswith=unit.path)
        ).values("member_id")
        rows = list(
            Member.objects.filter(Q(unit__path__startswith=unit.path) | Q(pk__in=touched))
            .annotate(
                stage_on=_change_on("stage", day),
                stage_since=_change_on("decided_on", day),
                moved=Exists(MemberTransfer.objects.filter(member=OuterRef("pk"))),
            )
            .values_list(*ON_DAY_FIELDS, "moved")
        )
        if any(row[-1] for row in rows):
            rows = self._on_the_day(rows)
        self.rows = [row[:-1] for row in rows]

    def _on_the_day(self, rows: list[tuple]) -> list[tuple]:
        """Rows of members with transfers moved to the branch they were in on the day (dropped
        when it is outside the subtree): two queries, only when there are such members."""
        self.movers.load(row[0] for row in rows if row[-1])
        result = []
        for row in rows:
            if row[-1]:
                unit_id = self.movers.unit_on(row[0], self.day)
                if unit_id is None:  # outside the university that day (转入/转出本校)
                    continue
                path = self.movers.paths[unit_id]
                if not path.startswith(self.unit.path):
                    continue
                row = (row[0], unit_id, path, *row[3:])
            result.append(row)
        return result

    def accounts(self, stages) -> list[tuple[int, int | None]]:
        """(member id, user id) of those in `stages` on the day."""
        return [(row[0], row[8]) for row in self.rows if row[3] in stages]

    def by_branch(self, stages) -> dict[int, set[int]]:
        """Member ids per unit they are registered in, of those in `stages` on the day."""
        result: dict[int, set[int]] = {}
        for pk, unit_id, _path, stage, *_rest in self.rows:
            if stage in stages:
                result.setdefault(unit_id, set()).add(pk)
        return result


class _Registered:
    """What unit_histories reads of a member: its id and the branch it is registered in now."""

    def __init__(self, pk: int, unit_id: int | None):
        self.pk, self.unit_id = pk, unit_id


def _same_subtree(unit: Unit, members: MembersOnDay | None) -> None:
    if members is not None and members.unit.pk != unit.pk:
        raise ValueError("a snapshot of another unit")


def _movers(unit: Unit, member_ids, members: MembersOnDay | None) -> UnitsOfMovers:
    """The unit histories of `member_ids`: from the request's snapshot of the same subtree when
    given (it read every member of the subtree with transfers), else read (two queries)."""
    _same_subtree(unit, members)
    movers = members.movers if members is not None else UnitsOfMovers()
    return movers.load(member_ids)


def _changes_of_subtree(unit: Unit) -> QuerySet[StageChange]:
    """Forward stage changes (_forward_changes) of the people who may have been in `unit`'s
    subtree when each was decided — registered there now, or with a transfer into or out of
    it — annotated with `mover`: the member's id when they have transfers (their branch on the
    change's day is read from the history: _movers), else None (their branch is the registered
    one: no transfer, no other). The condition is one uncorrelated subquery, read once."""
    touched = MemberTransfer.objects.filter(
        Q(from_unit__path__startswith=unit.path) | Q(to_unit__path__startswith=unit.path)
    ).values("member_id")
    moved = Q(member_id__in=MemberTransfer.objects.values("member_id"))
    return (
        _forward_changes()
        .filter(Q(member__unit__path__startswith=unit.path) | Q(member_id__in=touched))
        .annotate(mover=Case(When(moved, then=F("member_id")), output_field=BigIntegerField()))
    )


def _on_day(unit: Unit, day: date, members: MembersOnDay | None) -> MembersOnDay:
    if members is None:
        return MembersOnDay(unit=unit, day=day)
    if members.unit.pk != unit.pk or members.day != day:
        raise ValueError("a snapshot of another unit or day")
    return members


def _bucket(unit: Unit):
    """The path of the child of `unit` a member's branch lies under (its own path for a branch)."""
    return Substr("unit__path", 1, len(unit.path) + Unit.steplen)


def child_units(unit: Unit) -> list[Unit]:
    """The units directly under `unit` (党小组 excluded: members are registered in branches)."""
    return list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        .exclude(kind="group")
        .order_by("path")
    )


def _age_band_of(day: date):
    """The age band label of a birth date on `day` (rules.AGE_BANDS, the first that fits)."""
    bounds = [
        (
            day - relativedelta(years=band.low),
            None if band.high is None else day - relativedelta(years=band.high + 1),
            str(band.label),
        )
        for band in rules.AGE_BANDS
    ]
    unknown = str(rules.AGE_UNKNOWN)

    def band_of(birth: date | None) -> str:
        if birth is None:
            return unknown
        for latest, before, label in bounds:
            if birth <= latest and (before is None or birth > before):
                return label
        return unknown

    return band_of


def _rows_by_bucket(unit: Unit, rows) -> list[dict]:
    """Figures keyed by bucket path → one row per child unit (and the unit itself when members
    are registered in it directly), in tree order."""
    children = child_units(unit)
    result = []
    if unit.path in rows or not children:
        result.append({"unit": unit.pk, "name": unit.name, "kind": unit.kind, "path": unit.path})
    for child in children:
        result.append(
            {"unit": child.pk, "name": child.name, "kind": child.kind, "path": child.path}
        )
    for row in result:
        row.update(rows.get(row["path"], {}))
    return result


# --- members by stage and unit ----------------------------------------------------------------


def stage_counts(*, unit: Unit, day: date, members: MembersOnDay | None = None) -> dict:
    """Members at each stage on `day`, per unit directly under `unit` and in total (2 queries: the
    members on the day — none when the request's `members` snapshot is passed — and the units
    under)."""
    cut = len(unit.path) + Unit.steplen
    grouped: dict[tuple[str, str], int] = {}
    for _pk, _unit_id, path, stage, *_rest in _on_day(unit, day, members).rows:
        key = (path[:cut], stage)
        grouped[key] = grouped.get(key, 0) + 1
    grouped = [{"bucket": b, "stage_on": st, "n": n} for (b, st), n in grouped.items()]
    by_bucket: dict[str, dict] = {}
    totals = dict.fromkeys(rules.ACTIVE_STAGES, 0)
    for row in grouped:
        if row["stage_on"] not in totals:
            continue
        counts = by_bucket.setdefault(row["bucket"], dict.fromkeys(rules.ACTIVE_STAGES, 0))
        counts[row["stage_on"]] += row["n"]
        totals[row["stage_on"]] += row["n"]
    units = _rows_by_bucket(unit, {path: {"counts": c} for path, c in by_bucket.items()})
    for row in units:
        row.setdefault("counts", dict.fromkeys(rules.ACTIVE_STAGES, 0))
        row["members"] = sum(row["counts"][s] for s in rules.MEMBER_STAGE_ORDER)
        row.pop("path")
    return {
        "stages": [{"stage": s, "label": str(STAGE_LABELS[s])} for s in rules.ACTIVE_STAGES],
        "units": units,
        "totals": totals,
        "members": sum(totals[s] for s in rules.MEMBER_STAGE_ORDER),
    }


# --- who the members are on a day -------------------------------------------------------------


def member_profile(*, unit: Unit, day: date, members: MembersOnDay | None = None) -> dict:
    """Party members (预备 and 正式) on `day` by gender, 民族 and age band, each split into 正式党员
    and 预备党员 (a 延长预备期 counts as 预备). One query (none with the request's snapshot)."""
    band_of = _age_band_of(day)
    counted: dict[tuple, int] = {}
    for _pk, _unit_id, _path, stage, gender, ethnicity, birth, *_rest in _on_day(
        unit, day, members
    ).rows:
        if stage in MEMBER_STAGES:
            key = (stage, gender, ethnicity, band_of(birth))
            counted[key] = counted.get(key, 0) + 1
    grouped = [
        {"stage_on": st, "gender": g, "ethnicity": e, "band": b, "n": n}
        for (st, g, e, b), n in counted.items()
    ]

    def blank():
        return {"full": 0, "probationary": 0, "total": 0}

    gender = {value: blank() for value, _label in Member._meta.get_field("gender").choices}
    ethnicity: dict[str, dict] = {}
    bands = {str(b.label): blank() for b in rules.AGE_BANDS}
    bands[str(rules.AGE_UNKNOWN)] = blank()
    minority = blank()
    total = blank()
    for row in grouped:
        kind = "full" if row["stage_on"] == Stage.FULL_MEMBER else "probationary"
        targets = [
            gender.setdefault(row["gender"], blank()),
            ethnicity.setdefault(row["ethnicity"] or "", blank()),
            bands[row["band"]],
            total,
        ]
        if row["ethnicity"] != rules.MAJORITY_ETHNICITY:
            targets.append(minority)
        for target in targets:
            target[kind] += row["n"]
            target["total"] += row["n"]
    gender_labels = dict(Member._meta.get_field("gender").choices)
    return {
        "total": total,
        "gender": [
            {"key": key, "label": str(gender_labels.get(key, key)), **v}
            for key, v in gender.items()
        ],
        "ethnicity": [
            {"label": name, **v}
            for name, v in sorted(ethnicity.items(), key=lambda kv: (-kv[1]["total"], kv[0]))
        ],
        "minority": minority,
        "age_bands": [{"label": label, **v} for label, v in bands.items()],
        "age_bands_source": rules.AGE_BANDS_SOURCE,
    }


def _before_q() -> Q:
    """Changes of the same person before the outer one, in history order (date, then id)."""
    return Q(decided_on__lt=OuterRef("decided_on")) | Q(
        decided_on=OuterRef("decided_on"), id__lt=OuterRef("id")
    )


def _forward_changes() -> QuerySet[StageChange]:
    """Stage changes that move a person on: a return from 发展对象 to 积极分子 (TRANSITIONS allows
    it) is left out, it is neither a new 确定为积极分子 nor a step of the pipeline."""
    was_candidate = StageChange.objects.filter(
        _before_q(), member=OuterRef("member"), stage=Stage.CANDIDATE
    )
    return StageChange.objects.exclude(Q(stage=Stage.ACTIVIST) & Exists(was_candidate))


# --- development during a period --------------------------------------------------------------


def development(*, unit: Unit, start: date, end: date, members: MembersOnDay | None = None) -> dict:
    """Stage changes decided from `start` to `end` (both included), per kind and per unit directly
    under `unit`, each in the branch the person belonged to on the day it was decided (组织关系
    转接: a 预备党员 admitted in 院系 A and moved to B later counts for A; decided while the
    person's 组织关系 was outside the university: in no unit). One query; two more when a person
    with transfers is among them and the request's `members` snapshot is not passed. A return
    from 发展对象 to 积极分子 is not counted as a new 确定."""
    _same_subtree(unit, members)
    cut = len(unit.path) + Unit.steplen
    rows = list(
        _changes_of_subtree(unit)
        .filter(decided_on__gte=start, decided_on__lte=end)
        .annotate(
            bucket=Substr("member__unit__path", 1, cut),
            # The day matters only for a mover (None for the others keeps their groups whole).
            mover_on=Case(
                When(mover__isnull=False, then=F("decided_on")), output_field=DateField()
            ),
        )
        .values("bucket", "stage", "mover", "mover_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    movers = [row["mover"] for row in rows if row["mover"] is not None]
    if movers:
        on_days = _movers(unit, movers, members)
    grouped: dict[tuple[str, str], int] = {}
    for row in rows:
        bucket = row["bucket"]
        if row["mover"] is not None:
            path = on_days.path_on(row["mover"], row["mover_on"])
            if path is None or not path.startswith(unit.path):
                continue  # outside the university, or in another subtree, that day
            bucket = path[:cut]
        key = (bucket, row["stage"])
        grouped[key] = grouped.get(key, 0) + row["n"]
    grouped = [{"bucket": b, "stage": st, "n": n} for (b, st), n in grouped.items()]
    kinds = [stage for stage, _label in rules.DEVELOPMENT_EVENTS]
    by_bucket: dict[str, dict] = {}
    totals = dict.fromkeys(kinds, 0)
    for row in grouped:
        counts = by_bucket.setdefault(row["bucket"], dict.fromkeys(kinds, 0))
        counts[row["stage"]] += row["n"]
        totals[row["stage"]] += row["n"]
    units = _rows_by_bucket(unit, {path: {"counts": c} for path, c in by_bucket.items()})
    for row in units:
        row.setdefault("counts", dict.fromkeys(kinds, 0))
        row.pop("path")
    return {
        "start": start,
        "end": end,
        "events": [{"stage": s, "label": str(label)} for s, label in rules.DEVELOPMENT_EVENTS],
        "units": units,
        "totals": totals,
    }


# --- the pipeline -----------------------------------------------------------------------------


def pipeline(
    *,
    unit: Unit,
    day: date,
    since: date | None = None,
    people: int = 50,
    members: MembersOnDay | None = None,
) -> dict:
    """The development funnel on `day`: the median days of each step completed from `since` (a
    year before `day`) to `day`, and the people past a rule's date (`stuck`, from the request's
    `members` snapshot when given). One query for the steps (step_days)."""
    since = since or day - relativedelta(years=1) + relativedelta(days=1)
    days = step_days(unit=unit, since=since, day=day, members=members)
    steps = []
    for frm, to in rules.PIPELINE_STEPS:
        values = days[(frm, to)]
        steps.append(
            {
                "from": frm,
                "to": to,
                "label": f"{STAGE_LABELS[frm]} → {STAGE_LABELS[to]}",
                "completed": len(values),
                "median_days": statistics.median(values) if values else None,
            }
        )
    return {
        "since": since,
        "day": day,
        "steps": steps,
        **stuck(unit=unit, day=day, people=people, members=members),
    }


def step_days(
    *, unit: Unit, since: date, day: date, members: MembersOnDay | None = None
) -> dict[tuple[str, str], list[int]]:
    """For each step (from, to) of rules.PIPELINE_STEPS, the days each completion from `since` to
    `day` took, of the people in `unit`'s subtree when the step was completed (组织关系转接: the
    branch on that day, as development): a change to `to` decided in the period, from the
    latest change to `from` decided on or before it (none: not counted). A return from 发展对象
    to 积极分子 is no step (_forward_changes). One query for every step: each step's "started"
    subquery is chosen by the change's stage (a CASE), so the database seeks one member's
    changes per completed step, as the former query per step did; two more when a person with
    transfers completed a step and the request's `members` snapshot is not passed."""
    _same_subtree(unit, members)
    started = Case(
        *(
            When(
                stage=to,
                then=Subquery(
                    StageChange.objects.filter(
                        member=OuterRef("member"), stage=frm, decided_on__lte=OuterRef("decided_on")
                    )
                    .order_by("-decided_on", "-id")
                    .values("decided_on")[:1]
                ),
            )
            for frm, to in rules.PIPELINE_STEPS
        ),
        output_field=DateField(),
    )
    step_of = {to: (frm, to) for frm, to in rules.PIPELINE_STEPS}
    result: dict[tuple[str, str], list[int]] = {step: [] for step in rules.PIPELINE_STEPS}
    rows = list(
        _changes_of_subtree(unit)
        .filter(stage__in=list(step_of), decided_on__gte=since, decided_on__lte=day)
        .annotate(started=started)
        .values_list("stage", "decided_on", "started", "mover")
    )
    movers = [mover for *_row, mover in rows if mover is not None]
    if movers:
        on_days = _movers(unit, movers, members)
    for stage, ended, begun, mover in rows:
        if mover is not None:
            path = on_days.path_on(mover, ended)
            if path is None or not path.startswith(unit.path):
                continue
        if begun is not None:
            result[step_of[stage]].append((ended - begun).days)
    return result


class _Change(NamedTuple):
    """What party.members.services.probation_end reads of a stage change."""

    decided_on: date
    id: int
    stage: str
    extension_months: int | None


def _probation_overdue(day: date, rows: list[tuple]) -> list[tuple]:
    """Of the snapshot's `rows`, those past the 预备期 on `day`: a 预备党员 admitted more than 12
    months before; a 延长预备期 one past the end the registry gives (probation_end: 12 months from
    the latest admission plus the extensions recorded — one rule, so an extension recorded without
    its months or with a length an override let through is not left out of the list for ever).
    One query, for the extended ones only: their admissions and extensions up to `day`."""
    base = member_rules.PROBATION_ONE_YEAR.setting
    cut = day - relativedelta(months=base)
    overdue = [r for r in rows if r[3] == Stage.PROBATIONARY and r[7] < cut]
    extended = {r[0]: r for r in rows if r[3] == Stage.PROBATION_EXTENDED}
    if not extended:
        return overdue
    changes: dict[int, list[_Change]] = {pk: [] for pk in extended}
    for member_id, *change in StageChange.objects.filter(
        member_id__in=list(extended),
        decided_on__lte=day,
        stage__in=[Stage.PROBATIONARY, Stage.PROBATION_EXTENDED],
    ).values_list("member_id", "decided_on", "id", "stage", "extension_months"):
        changes[member_id].append(_Change(*change))
    for member_id, row in extended.items():
        end = probation_end(sorted(changes[member_id]))
        if end is not None and end < day:
            overdue.append(row)
    return overdue


def stuck(*, unit: Unit, day: date, people: int = 50, members: MembersOnDay | None = None) -> dict:
    """People past a rule's date on `day`, per rule: the count and the `people` who waited
    longest, each in the branch they belonged to on the day. Read from the request's `members`
    snapshot (the stage held on the day and since when); then at most three queries: the
    extended 预备党员's changes, and the names of those listed and of their branches."""
    activist = member_rules.ACTIVIST_ONE_YEAR
    probation = member_rules.PROBATION_ONE_YEAR
    rows = _on_day(unit, day, members).rows
    activist_cut = day - relativedelta(months=activist.setting)
    checks = [
        (
            "probation_overdue",
            str(_("预备期满未讨论转正")),
            probation.cited,
            _probation_overdue(day, rows),
        ),
        (
            "activist_waiting",
            str(_("培养满一年仍未列为发展对象")),
            activist.cited,
            [r for r in rows if r[3] == Stage.ACTIVIST and r[7] < activist_cut],
        ),
    ]
    listed = [sorted(found, key=lambda r: (r[7], r[0]))[:people] for *_c, found in checks]
    ids = {r[0] for rows_ in listed for r in rows_}
    names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    unit_ids = {r[1] for rows_ in listed for r in rows_}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if ids else {}
    result = []
    for (code, label, rule, found), shown in zip(checks, listed, strict=True):
        result.append(
            {
                "code": code,
                "label": label,
                "rule": rule,
                "count": len(found),
                "people": [
                    {
                        "member": r[0],
                        "name": names[r[0]],
                        "unit": units[r[1]],
                        "stage": r[3],
                        "since": r[7],
                    }
                    for r in shown
                ],
            }
        )
    return {"stuck": result}
