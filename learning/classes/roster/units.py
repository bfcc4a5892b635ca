"""Where each roster row goes in the Party tree (issue 15): its 学院 and 党支部 name EXISTING units,
the importer may import into that 党支部, and the person's existing member record (by 学号) is in
it. An import never creates a unit (the tree is 组织部's, party.organisation) and never moves a
member (组织关系转接 is members.services.member_transfer, with its date and record).

学院 → the 院系党委 of that name, or of that name + 党委/党总支 ("计算机学院" ↔ "计算机学院党委"); a
直属党支部 (directly under the 校党委) has the 校党委's name as its 学院. 党支部 → the branch of
that name directly under it. Names are compared after full-width folding and without spaces.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import F
from django.utils.translation import gettext as _

from learning.classes.roster.reading import RosterRow, RowError
from learning.classes.selectors import trainee_branch_choices
from party.members.models import Member, Stage
from party.members.selectors import with_current_stage
from party.organisation.models import Unit, UnitKind
from tabular.similar import near_reason

# A 院系党委 may be written without its suffix (and the other way round).
UNIT_SUFFIXES = ("党委", "党总支")
LISTED_ROWS = 10


def fold(text: str) -> str:
    """A unit name as compared: full-width folded (NFKC), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _short(key: str) -> str:
    for suffix in UNIT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass
class _CollegeUnit:
    unit: Unit
    branches: dict[str, Unit] = field(default_factory=dict)  # folded name → 党支部


class UnitMap:
    """The 院系党委 (and 校党委) of the tree with their 党支部, and the 党支部 `by` may import into
    (learning.classes.selectors.trainee_branch_choices, the trainee form's; `by=None`, the command
    line: all). Two queries."""

    def __init__(self, *, by):
        units = Unit.objects.filter(
            kind__in=(UnitKind.UNIVERSITY, UnitKind.COLLEGE, UnitKind.BRANCH)
        ).only("id", "path", "depth", "kind", "name")
        colleges: dict[str, _CollegeUnit] = {}
        branches: list[Unit] = []
        for unit in units:
            if unit.kind == UnitKind.BRANCH:
                branches.append(unit)
            elif unit.kind == UnitKind.COLLEGE or unit.depth == 1:
                colleges[unit.path] = _CollegeUnit(unit)
        self.college_of: dict[int, Unit] = {}
        for branch in branches:
            college = colleges.get(branch.parent_path)
            if college is not None:
                college.branches.setdefault(fold(branch.name), branch)
                self.college_of[branch.pk] = college.unit
        self.colleges = list(colleges.values())
        self.allowed = (
            None if by is None else set(trainee_branch_choices(by).values_list("pk", flat=True))
        )

    def may_import_into(self, branch: Unit) -> bool:
        return self.allowed is None or branch.pk in self.allowed

    def _in_scope(self, college: _CollegeUnit) -> bool:
        return any(self.may_import_into(b) for b in college.branches.values())

    def label(self, unit: Unit) -> str:
        college = self.college_of.get(unit.pk)
        return f"{college.name} / {unit.name}" if college else unit.name

    def college(self, text: str) -> list[_CollegeUnit]:
        key = fold(text)
        exact = [c for c in self.colleges if fold(c.unit.name) == key]
        return exact or [c for c in self.colleges if _short(fold(c.unit.name)) == _short(key)]

    def near_colleges(self, text: str) -> list[str]:
        key = fold(text)
        return sorted(
            c.unit.name
            for c in self.colleges
            if self._in_scope(c)
            and (
                near_reason(key, fold(c.unit.name))
                or near_reason(_short(key), _short(fold(c.unit.name)))
            )
        )

    def near_branches(self, college: _CollegeUnit, text: str) -> list[str]:
        key = fold(text)
        return sorted(
            b.name
            for name, b in college.branches.items()
            if self.may_import_into(b) and near_reason(key, name)
        )


def _hint(names: list[str]) -> str:
    return _("（相近：%(names)s）") % {"names": "、".join(names)} if names else ""


def _rows_note(rows: list[RosterRow]) -> str:
    """Which rows share the name, when more than one does (one error per name, not per row)."""
    if len(rows) < 2:
        return ""
    numbers = "、".join(str(r.row) for r in rows[:LISTED_ROWS])
    if len(rows) > LISTED_ROWS:
        numbers += "…"
    return _("本文件共 %(n)s 行写了此名称（第 %(rows)s 行）。") % {"n": len(rows), "rows": numbers}


def rows_place(rows: list[RosterRow], *, by) -> list[RowError]:
    """Set each row's `unit` (its 党支部) and `college_unit`; the errors of rows whose 学院 or
    党支部 is not in the tree or not the importer's, one per distinct name at its first row."""
    units = UnitMap(by=by)
    errors: list[RowError] = []
    by_college: dict[str, list[RosterRow]] = {}
    for r in rows:
        by_college.setdefault(fold(r.college), []).append(r)
    for same_college in by_college.values():
        first = same_college[0]
        found = units.college(first.college)
        if len(found) != 1:
            if found:
                message = _("「%(name)s」对应多个党组织（%(names)s），请写出全称。") % {
                    "name": first.college,
                    "names": "、".join(c.unit.name for c in found),
                }
            else:
                message = _(
                    "「%(name)s」不是系统中的院系党委或校党委%(hint)s。导入不会新建党组织："
                    "请核对拼写；党组织由组织部在「党组织」中维护。"
                ) % {"name": first.college, "hint": _hint(units.near_colleges(first.college))}
            errors.append(RowError(first.row, _("学院"), message + _rows_note(same_college)))
            continue
        college = found[0]
        by_branch: dict[str, list[RosterRow]] = {}
        for r in same_college:
            by_branch.setdefault(fold(r.branch), []).append(r)
        for key, same in by_branch.items():
            first = same[0]
            branch = college.branches.get(key)
            if branch is None:
                message = _(
                    "「%(college)s」下没有党支部「%(name)s」%(hint)s。导入不会新建党组织："
                    "请核对拼写；党支部由组织部在「党组织」中维护。"
                ) % {
                    "college": college.unit.name,
                    "name": first.branch,
                    "hint": _hint(units.near_branches(college, first.branch)),
                }
            elif not units.may_import_into(branch):
                message = _("「%(unit)s」不在您可以导入学员的党支部范围内。") % {
                    "unit": units.label(branch)
                }
            else:
                for r in same:
                    r.unit, r.college_unit = branch, college.unit
                continue
            errors.append(RowError(first.row, _("党支部"), message + _rows_note(same)))
    rows_check_records(rows, errors, units=units)
    return errors


def rows_check_records(rows: list[RosterRow], errors: list[RowError], *, units: UnitMap) -> None:
    """Set each row's `member`: the record trainee_member_link would link — the trainee's own,
    else their account's, else the one of the row's 学号. That record must be in the row's
    党支部 — a roster moves nobody — and its documented stage (the history's, party.members) must
    be the row's: a row never changes it; stage changes are recorded on the timeline with the
    deciding body. A record in another branch is not described (its unit and stage are not the
    importer's to read). Three queries."""
    numbers = [r.student_no for r in rows]
    members = with_current_stage(Member.objects.select_related("unit"))
    found = {m.student_no: m for m in members.filter(student_no__in=numbers)}
    for path in ("user__trainee_profile__student_no", "trainee_profile__student_no"):
        found.update(
            (m.profile_no, m)
            for m in members.filter(**{f"{path}__in": numbers}).annotate(profile_no=F(path))
        )
    for r in rows:
        member = r.member = found.get(r.student_no)
        if member is None or r.unit is None:
            continue
        if member.unit_id != r.unit.pk:
            errors.append(
                RowError(
                    r.row,
                    _("党支部"),
                    _(
                        "学号 %(no)s 已在其他党支部登记党员档案，不在本行的「%(row)s」。导入不转移"
                        "档案：组织关系转接请在党员档案中办理；请改正本行。"
                    )
                    % {"no": r.student_no, "row": units.label(r.unit)},
                )
            )
        elif member.current_stage and member.current_stage != r.stage:
            errors.append(
                RowError(
                    r.row,
                    "发展阶段",
                    _(
                        "发展纪实中的当前阶段为“%(current)s”，与本行的“%(value)s”不一致。"
                        "阶段变更须按支部委员会、支部大会的决定在发展纪实中记录；请改正本行。"
                    )
                    % {"current": Stage(member.current_stage).label, "value": r.stage_label},
                )
            )
