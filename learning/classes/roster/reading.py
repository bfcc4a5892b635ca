"""Reading a roster: columns by header (tabular.reader: .xlsx/.xls/.csv, size and row caps, the
header row found), every row checked, every bad row reported."""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from learning.classes.models import TraineeStage
from party.members.models import Member
from party.organisation.models import Unit
from tabular.reader import CappedErrors, TableError, cell_text, read_table

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
    # Set by units.rows_place: the 党支部 and 院系党委 (or 校党委) the row names, and the person's
    # existing member record (None: the import creates one).
    unit: Unit | None = None
    college_unit: Unit | None = None
    member: Member | None = None

    @property
    def stage_label(self) -> str:
        return str(TraineeStage(self.stage).label)

    @property
    def record_label(self) -> str:
        """The 党员档案 column: the row links the person's record or creates one."""
        return _("关联已有档案") if self.member is not None else _("新建档案")


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
