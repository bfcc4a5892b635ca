"""What an import would do (the plan shown in the preview) and doing it, all or nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from learning.classes.membership import trainee_member_link
from learning.classes.models import (
    Branch,
    College,
    Enrolment,
    TraineeProfile,
    TrainingClass,
)
from learning.classes.roster.checks import _check_audience, _check_history, _check_scope
from learning.classes.roster.reading import (
    RosterError,
    RosterRow,
    RowError,
    roster_parse,
    roster_read,
)
from learning.classes.roster.sheets import InitialPassword, initial_password_generate
from learning.classes.selectors import can_view_all_classes
from tabular import services as tabular_services
from tabular.models import TableUpload
from tabular.similar import near_matches

TRAINEES_GROUP = "学员"  # cms.roles.TRAINEES, named here because learning/ may not import cms/.


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    new_colleges: list[str] = field(default_factory=list)
    new_branches: list[str] = field(default_factory=list)  # "学院 / 党支部"
    errors: list[RowError] = field(default_factory=list)
    initial_passwords: list[InitialPassword] = field(default_factory=list)

    @property
    def colleges_created(self) -> int:
        return len(self.new_colleges)

    @property
    def branches_created(self) -> int:
        return len(self.new_branches)


@dataclass
class NewName:
    """A 学院 or 党支部 the import would create, and the existing names it is close to."""

    name: str  # the college, or "学院 / 党支部"
    rows: list[int]
    similar: list[str] = field(default_factory=list)


@dataclass
class RosterPlan:
    """What an import would do, shown in the preview before anything is written."""

    rows: list["RosterRow"]
    header_row: int | None = None
    format_label: str = ""
    ignored: list[str] = field(default_factory=list)
    to_create: int = 0
    to_update: int = 0
    new_colleges: list[NewName] = field(default_factory=list)
    new_branches: list[NewName] = field(default_factory=list)

    @property
    def new_names(self) -> list[str]:
        return [n.name for n in self.new_colleges] + [n.name for n in self.new_branches]

    @property
    def has_similar(self) -> bool:
        return any(n.similar for n in self.new_colleges + self.new_branches)


def _branch_label(college: str, branch: str) -> str:
    return f"{college} / {branch}"


def _may_create_units(by) -> bool:
    """学院 and 党支部 are staff data (as in the admin, StaffDataPermissionPolicy): a roster
    imported by a trainer who does not see all classes may only name existing ones.
    `by=None` is the command line."""
    return by is None or can_view_all_classes(by)


def _unknown_unit_error(name: str, row: int, similar: list[str]) -> RowError:
    hint = _("（相近：%(names)s）") % {"names": "、".join(similar)} if similar else ""
    return RowError(
        row,
        _("学院/党支部"),
        _(
            "「%(name)s」不在系统中%(hint)s。学院和党支部由管理员维护：请核对拼写，或请管理员先添加。"
        )
        % {"name": name, "hint": hint},
    )


def roster_plan(file, *, by=None) -> RosterPlan:
    """Check the roster and say what importing it would do; RosterError if any row is bad.

    `by`: the importing user, whose scope limits which existing trainees rows may update."""
    rows, table = roster_read(file)
    _check_scope(rows, by=by)
    _check_history(rows)
    plan = RosterPlan(
        rows=rows,
        header_row=table.header_row,
        format_label=table.format_label,
        ignored=table.ignored,
    )
    existing = set(
        TraineeProfile.objects.filter(student_no__in=[r.student_no for r in rows]).values_list(
            "student_no", flat=True
        )
    )
    plan.to_update = len(existing)
    plan.to_create = len(rows) - plan.to_update
    college_rows: dict[str, list[int]] = {}
    branch_rows: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        college_rows.setdefault(r.college, []).append(r.row)
        branch_rows.setdefault((r.college, r.branch), []).append(r.row)
    known_colleges = set(College.objects.values_list("name", flat=True))
    known_branches: dict[str, set[str]] = {}
    for college, branch in Branch.objects.values_list("college__name", "name"):
        known_branches.setdefault(college, set()).add(branch)

    def similar(name: str, known: set[str], in_file: list[str]) -> list[str]:
        found = [_("「%(name)s」（已有）") % {"name": n} for n, _r in near_matches(name, known)]
        found += [
            _("「%(name)s」（本文件）") % {"name": n}
            for n, _r in near_matches(name, [x for x in in_file if x != name])
        ]
        return found

    new_colleges = [c for c in college_rows if c not in known_colleges]
    for college in new_colleges:
        plan.new_colleges.append(
            NewName(college, college_rows[college], similar(college, known_colleges, new_colleges))
        )
    for (college, branch), numbers in branch_rows.items():
        known = known_branches.get(college, set())
        if branch in known:
            continue
        in_file = [b for (c, b) in branch_rows if c == college and b not in known]
        plan.new_branches.append(
            NewName(_branch_label(college, branch), numbers, similar(branch, known, in_file))
        )
    if not _may_create_units(by) and plan.new_names:
        raise RosterError(
            [
                _unknown_unit_error(n.name, n.rows[0], n.similar)
                for n in plan.new_colleges + plan.new_branches
            ]
        )
    return plan


def trainees_import(
    *,
    file,
    training_class=None,
    allowed_new: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    by=None,
) -> ImportResult:
    """Create or update trainees from a roster, enrol them in a class; all or nothing.

    New accounts log in with their 学号 as username and a random initial password, returned in
    `result.initial_passwords` (for initial_password_sheet) and nowhere else; they must change it
    before anything else works (site, admin and API). Each is hashed, which is the slow part of a
    1,000-row roster: the admin runs the import as a background task (roster_upload_run).
    `allowed_new`: the 学院 and "学院 / 党支部" names the user confirmed in the preview; any other
    new name stops the import (None: no check, as for the command line after --yes).
    `progress(done, total)` is called as rows are written. `by` is the importing user: a row may
    only update trainees within their scope (see _check_scope), and only staff may create 学院 or
    党支部 (see _may_create_units); None means the command line.
    """
    rows = roster_parse(file)
    _check_scope(rows, by=by)
    _check_history(rows)
    if training_class is not None:
        _check_audience(rows, training_class)
    result = ImportResult()
    total = len(rows)
    if progress is not None:
        progress(0, total)

    may_create_units = _may_create_units(by)

    def unconfirmed(name: str, row: int) -> None:
        if not may_create_units:
            raise RosterError([_unknown_unit_error(name, row, [])])
        if allowed_new is not None and name not in allowed_new:
            raise RosterError(
                [
                    RowError(
                        row,
                        _("学院/党支部"),
                        _("「%(name)s」是新名称，但预览时没有确认，请重新上传预览。")
                        % {"name": name},
                    )
                ]
            )

    with transaction.atomic():
        colleges = {c.name: c for c in College.objects.filter(name__in={r.college for r in rows})}
        first_row = {}
        for r in rows:
            first_row.setdefault(r.college, r.row)
        for name in sorted({r.college for r in rows} - set(colleges)):
            unconfirmed(name, first_row[name])
            colleges[name] = College.objects.create(name=name)
            result.new_colleges.append(name)
        branches = {
            (b.college_id, b.name): b for b in Branch.objects.filter(college__in=colleges.values())
        }
        existing = {
            p.student_no: p
            for p in TraineeProfile.objects.select_related("user").filter(
                student_no__in=[r.student_no for r in rows]
            )
        }
        trainees_group = Group.objects.filter(name=TRAINEES_GROUP).first()
        for done, r in enumerate(rows, start=1):
            college = colleges[r.college]
            branch = branches.get((college.pk, r.branch))
            if branch is None:
                label = _branch_label(r.college, r.branch)
                unconfirmed(label, r.row)
                branch = branches[(college.pk, r.branch)] = Branch.objects.create(
                    college=college, name=r.branch
                )
                result.new_branches.append(label)
            profile = existing.get(r.student_no)
            if profile is None:
                password = initial_password_generate()
                user = trainee_account_create(
                    student_no=r.student_no,
                    name=r.name,
                    password=password,
                    group=trainees_group,
                )
                result.initial_passwords.append(InitialPassword(r.student_no, r.name, password))
                profile = TraineeProfile.objects.create(
                    user=user,
                    name=r.name,
                    student_no=r.student_no,
                    college=college,
                    branch=branch,
                    stage=r.stage,
                    phone=r.phone,
                    must_change_password=True,
                )
                result.created += 1
            else:
                profile.name, profile.college, profile.branch = r.name, college, branch
                profile.stage = r.stage
                profile.phone = r.phone or profile.phone
                profile.save(update_fields=["name", "college", "branch", "stage", "phone"])
                result.updated += 1
            trainee_member_link(profile=profile, by_user=by)
            if training_class is not None:
                _enrolment, created = Enrolment.objects.get_or_create(
                    training_class=training_class, trainee=profile
                )
                result.enrolled += int(created)
            if progress is not None and (done % 50 == 0 or done == total):
                progress(done, total)
    return result


def roster_upload_run(*, upload_id: int) -> str:
    """Run a confirmed roster upload (the background task): progress, then the result."""
    upload = TableUpload.objects.filter(pk=upload_id).first()
    if upload is None or not upload.data:
        return "gone"
    options = upload.options
    training_class = None
    if options.get("class_id"):
        training_class = TrainingClass.objects.filter(pk=options["class_id"]).first()
    try:
        tabular_services.upload_start(upload_id=upload_id, total=0)
        result = trainees_import(
            file=tabular_services.upload_file(upload),
            training_class=training_class,
            allowed_new=options.get("allowed_new", []),
            by=upload.owner,
            progress=lambda done, total: tabular_services.upload_progress(
                upload_id=upload_id, done=done, total=total
            ),
        )
    except RosterError as exc:
        tabular_services.upload_finish(
            upload_id=upload_id,
            result={"errors": [str(e) for e in exc.errors], "total": exc.total},
            failed=True,
        )
        return "failed"
    tabular_services.upload_finish(
        upload_id=upload_id,
        result={
            "created": result.created,
            "updated": result.updated,
            "enrolled": result.enrolled,
            "new_colleges": result.new_colleges,
            "new_branches": result.new_branches,
            "class": str(training_class) if training_class else "",
            # Until the importer opens the result page, which moves them into their session
            # for the one-time password sheet and removes them from here.
            "initial_passwords": [
                [p.student_no, p.name, p.password] for p in result.initial_passwords
            ],
        },
    )
    return "done"


def trainee_account_create(*, student_no: str, name: str, password: str, group=None):
    """The login account of a new trainee: username = 学号, `password` (a random one from
    initial_password_generate), in the 学员 role; the profile's must_change_password makes them
    change it at first login. Used by the roster import and by the trainee form, so both create
    accounts the same way."""
    User = get_user_model()
    user = User.objects.create_user(username=student_no, password=password)
    user.first_name = name[:150]
    user.save(update_fields=["first_name"])
    if group is None:
        group = Group.objects.filter(name=TRAINEES_GROUP).first()
    if group is not None:
        user.groups.add(group)
    return user
