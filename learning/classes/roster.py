"""Trainee roster import: columns by header, every bad row reported, all or nothing.

Every trainee is linked to their member record (learning.classes.membership): a new one gets a
member in the tree's 党支部 with a history from the row's stage; a row may not change the stage of
a person whose documented history says otherwise. Files are read by tabular (.xlsx/.xls/.csv, size and row caps, header row found). Before
anything is written the plan names the 学院/党支部 the import would create, with near-matches to
existing names (a typo is not silently a new branch); the user confirms them.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from learning.classes.membership import (
    AUDIENCE_SOURCE,
    AUDIENCE_STAGES,
    stage_label,
    trainee_member_link,
)
from learning.classes.models import (
    Branch,
    College,
    Enrolment,
    TraineeProfile,
    TraineeStage,
    TrainingClass,
)
from learning.classes.selectors import can_view_all_classes, trainees_for_trainer
from party.members.models import Member, Stage
from party.members.selectors import with_current_stage
from tabular import services as tabular_services
from tabular.models import TableUpload
from tabular.reader import CappedErrors, TableError, cell_text, read_table
from tabular.similar import near_matches

# 政治面貌 as written on Chinese forms (GB/T 4762). A roster's 政治面貌 column often holds these:
# they say whether someone is in the Party, not where they stand on the way in (and 中共党员 does not
# tell 预备 from 正式), so none of them is read as a stage (issue 14, "Words").
POLITICAL_STATUS_WORDS = frozenset(
    {
        "中共党员",
        "中国共产党党员",
        "党员",
        "中共预备党员",
        "中国共产党预备党员",
        "共青团员",
        "中国共产主义青年团团员",
        "团员",
        "群众",
        "无党派人士",
        "民主党派",
    }
)

# Accepted header names of each column (real rosters vary); the first is the one in the template.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "student_no": ("学号/工号", "学号", "工号", "学工号"),
    "college": ("学院", "学院/二级党组织", "二级党组织", "单位"),
    "branch": ("党支部", "支部", "所在党支部"),
    # 发展阶段 is the word (issue 14); files made earlier say 培养阶段.
    "stage": ("发展阶段", "培养阶段", "阶段", "政治面貌"),
    "phone": ("手机号", "手机", "联系电话", "电话"),
}
REQUIRED = ("name", "student_no", "college", "branch", "stage")
STUDENT_NO_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
PHONE_RE = re.compile(r"^1\d{10}$")
TRAINEES_GROUP = "学员"  # cms.roles.TRAINEES, named here because learning/ may not import cms/.


@dataclass
class RowError:
    row: int | None  # None: the file as a whole (never "第 0 行")
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("第 %(row)s 行【%(column)s】：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RosterRow:
    row: int
    name: str
    student_no: str
    college: str
    branch: str
    stage: str
    phone: str

    @property
    def stage_label(self) -> str:
        return str(TraineeStage(self.stage).label)


@dataclass
class InitialPassword:
    """A new account's random first password: shown once to the importer, never stored in clear."""

    student_no: str
    name: str
    password: str


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


# No 0/O, 1/l/I: the sheet is printed and typed in by hand. 12 of 55 symbols ≈ 69 bits.
PASSWORD_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
PASSWORD_LENGTH = 12


def initial_password_generate() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


class RosterError(Exception):
    """The roster has errors; nothing was imported. `errors` lists the first 200 (`total` all)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
        self.total = getattr(errors, "total", len(errors))


_text = cell_text


def _column_label(key: str) -> str:
    return HEADERS[key][0]


def roster_parse(file) -> list[RosterRow]:
    """Read and check every row; raise RosterError listing all problems."""
    return roster_read(file)[0]


def roster_read(file):
    """(rows, the table read) after checking every row; RosterError listing all problems."""
    try:
        table = read_table(file, synonyms=HEADERS, required=REQUIRED)
    except TableError as exc:
        if exc.row is not None:
            raise RosterError(
                [RowError(exc.row, _column_label(key), _("缺少此列。")) for key in exc.missing]
            ) from exc
        raise RosterError([RowError(None, _("文件"), str(exc))]) from exc
    errors: list[RowError] = CappedErrors()
    parsed: list[RosterRow] = []
    seen: dict[str, int] = {}
    try:
        for number, values in table.rows:
            _row_check(number, values, seen, parsed, errors)
    except TableError as exc:  # past the row cap: that is the one thing to fix
        raise RosterError([RowError(None, _("文件"), str(exc))]) from exc
    if not parsed and not errors:
        errors.append(RowError(table.header_row + 1, _("文件"), _("名单中没有学员。")))
    _check_accounts(parsed, errors)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise RosterError(errors)
    return parsed, table


def _row_check(number, values, seen, parsed, errors) -> None:
    """Check one row: its errors go to `errors`, a good row to `parsed`."""
    data = {key: values.get(key, "") for key in HEADERS}
    row_errors = []
    for key in REQUIRED:
        if not data[key]:
            row_errors.append(RowError(number, _column_label(key), _("不能为空。")))
    if data["name"] and len(data["name"]) > 50:
        row_errors.append(RowError(number, "姓名", _("过长（最多 50 个字）。")))
    if data["student_no"]:
        if not STUDENT_NO_RE.match(data["student_no"]):
            row_errors.append(
                RowError(number, "学号/工号", _("只能包含字母、数字、下划线和连字符，最多 30 位。"))
            )
        elif data["student_no"] in seen:
            row_errors.append(
                RowError(
                    number,
                    "学号/工号",
                    _("与第 %(row)s 行重复。") % {"row": seen[data["student_no"]]},
                )
            )
        else:
            seen[data["student_no"]] = number
    stage = TraineeStage.from_label(data["stage"]) if data["stage"] else None
    if data["stage"] in POLITICAL_STATUS_WORDS:
        row_errors.append(
            RowError(
                number,
                "发展阶段",
                _(
                    "“%(value)s”是政治面貌，不是发展阶段：请填写%(choices)s之一"
                    "（党员请按是否已转正填写预备党员或正式党员）。"
                )
                % {
                    "value": data["stage"],
                    "choices": "、".join(str(label) for label in TraineeStage.labels),
                },
            )
        )
    elif data["stage"] and stage is None:
        row_errors.append(
            RowError(
                number,
                "发展阶段",
                _("“%(value)s”不是有效的发展阶段，应为：%(choices)s。")
                % {
                    "value": data["stage"],
                    "choices": "、".join(str(label) for label in TraineeStage.labels),
                },
            )
        )
    if data["phone"] and not PHONE_RE.match(data["phone"]):
        row_errors.append(RowError(number, "手机号", _("应为 11 位手机号码。")))
    if len(data["college"]) > 100 or len(data["branch"]) > 100:
        row_errors.append(RowError(number, "学院/党支部", _("名称过长（最多 100 个字）。")))
    if row_errors:
        errors.extend(row_errors)
        return
    parsed.append(
        RosterRow(
            row=number,
            name=data["name"],
            student_no=data["student_no"],
            college=data["college"],
            branch=data["branch"],
            stage=stage.value,
            phone=data["phone"],
        )
    )


def _check_accounts(rows: list[RosterRow], errors: list[RowError]) -> None:
    """A 学号 that names an existing account which is not a trainee must not be taken over."""
    numbers = [r.student_no for r in rows]
    User = get_user_model()
    clash = set(
        User.objects.filter(username__in=numbers, trainee_profile__isnull=True).values_list(
            "username", flat=True
        )
    )
    for r in rows:
        if r.student_no in clash:
            errors.append(
                RowError(r.row, "学号/工号", _("已有同名的非学员账号，请联系管理员处理。"))
            )


def _check_scope(rows: list[RosterRow], *, by) -> None:
    """A row may create a trainee, or update one the importing user may manage (the same selector
    as the trainee admin: trainees of their classes or in no class yet); any other existing 学号
    is that row's error, and nothing is imported. `by=None` is the command line (unscoped)."""
    if by is None:
        return

    numbers = [r.student_no for r in rows]
    existing = set(
        TraineeProfile.objects.filter(student_no__in=numbers).values_list("student_no", flat=True)
    )
    allowed = set(
        trainees_for_trainer(user=by)
        .filter(student_no__in=existing)
        .values_list("student_no", flat=True)
    )
    errors = [
        RowError(
            r.row,
            "学号/工号",
            _("学号 %(no)s 属于其他培训班，无权修改") % {"no": r.student_no},
        )
        for r in rows
        if r.student_no in existing and r.student_no not in allowed
    ]
    if errors:
        raise RosterError(errors)


def _check_history(rows: list[RosterRow]) -> None:
    """A trainee's stage is their documented history's (party.members): a row may not change it.
    A row whose stage differs from the current stage of the person's record is that row's error,
    and nothing is imported; stage changes are recorded on the timeline with the deciding body."""
    numbers = [r.student_no for r in rows]
    current = dict(
        with_current_stage(Member.objects.filter(student_no__in=numbers)).values_list(
            "student_no", "current_stage"
        )
    )
    current.update(
        with_current_stage(
            Member.objects.filter(trainee_profile__student_no__in=numbers)
        ).values_list("trainee_profile__student_no", "current_stage")
    )
    errors = [
        RowError(
            r.row,
            "发展阶段",
            _(
                "发展纪实中的当前阶段为“%(current)s”，与本行的“%(value)s”不一致。"
                "阶段变更须按支部委员会、支部大会的决定在发展纪实中记录；请改正本行。"
            )
            % {"current": Stage(current[r.student_no]).label, "value": r.stage_label},
        )
        for r in rows
        if current.get(r.student_no) and current[r.student_no] != r.stage
    ]
    if errors:
        raise RosterError(errors)


def _check_audience(rows: list[RosterRow], training_class) -> None:
    """Rows to be enrolled in a class whose audience does not take their stage are row errors
    (membership.AUDIENCE_STAGES); staff who must enrol someone else do it in the class form, with
    a reason. Trainees already in the class are left as they are."""
    accepted = AUDIENCE_STAGES.get(training_class.audience_stage)
    if accepted is None:
        return
    enrolled = set(
        Enrolment.objects.filter(
            training_class=training_class, trainee__student_no__in=[r.student_no for r in rows]
        ).values_list("trainee__student_no", flat=True)
    )
    errors = [
        RowError(
            r.row,
            "发展阶段",
            _("%(audience)s培训班只编入发展阶段为%(audience)s的学员（%(source)s）。")
            % {"audience": stage_label(training_class.audience_stage), "source": AUDIENCE_SOURCE},
        )
        for r in rows
        if r.stage not in accepted and r.student_no not in enrolled
    ]
    if errors:
        raise RosterError(errors)


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


def roster_template() -> bytes:
    """An empty roster with the expected headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学员名单"
    sheet.append([HEADERS[key][0] for key in HEADERS])
    sheet.append(
        ["张三", "2023010101", "计算机学院", "本科生第一党支部", "入党积极分子", "13800000000"]
    )
    sheet.freeze_panes = "A2"  # the header stays in view while the trainer fills in rows
    for column, width in zip("ABCDEF", (10, 16, 20, 22, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def initial_password_sheet(passwords: list[InitialPassword]) -> bytes:
    """The sheet of new accounts' initial passwords, for the trainer to hand out (and then destroy)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "初始密码"
    sheet.append(["姓名", "学号/工号（用户名）", "初始密码"])
    sheet.freeze_panes = "A2"
    for entry in passwords:
        sheet.append([entry.name, entry.student_no, entry.password])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # a name like "=1+1" stays text, never a formula
    sheet.append([])
    sheet.append(["首次登录后必须修改密码。本表只能下载一次，分发后请销毁。"])
    for column, width in zip("ABC", (12, 22, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
