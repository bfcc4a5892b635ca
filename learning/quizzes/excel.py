"""Question banks to and from Excel: header synonyms, every bad row reported, all-or-nothing import."""

import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from learning.quizzes import grading
from learning.quizzes.models import (
    CHOICE_TYPES,
    OPTION_KEYS,
    Difficulty,
    Question,
    QuestionBank,
    QuestionType,
)
from spreadsheet_safety import xlsx_row

# Column names as real templates write them (DOMAIN.md); the first of each is what export writes.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "type": ("题型", "题目类型"),
    "stem": ("题干", "题目", "题目内容", "试题"),
    **{f"option_{k}": (f"选项{k}", k) for k in OPTION_KEYS},
    "answer": ("答案", "正确答案", "参考答案"),
    "explanation": ("解析", "答案解析"),
    "score": ("分值", "分数"),
    "difficulty": ("难度",),
    "category": ("分类", "知识点", "章节"),
    "tags": ("标签",),
}
COLUMN_LABELS = {name: names[0] for name, names in HEADER_SYNONYMS.items()}
REQUIRED_COLUMNS = ("type", "stem", "answer")

TYPE_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("单选", "单选题", "单项选择题", "单项选择"), QuestionType.SINGLE),
    **dict.fromkeys(("多选", "多选题", "多项选择题", "多项选择"), QuestionType.MULTIPLE),
    **dict.fromkeys(("判断", "判断题"), QuestionType.TRUE_FALSE),
    **dict.fromkeys(("填空", "填空题"), QuestionType.FILL),
    **dict.fromkeys(("简答", "简答题", "问答题", "问答"), QuestionType.SHORT),
}
TYPE_EXPORT_NAMES = {
    QuestionType.SINGLE: "单选题",
    QuestionType.MULTIPLE: "多选题",
    QuestionType.TRUE_FALSE: "判断题",
    QuestionType.FILL: "填空题",
    QuestionType.SHORT: "简答题",
}
DIFFICULTY_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("易", "简单", "容易", "低"), Difficulty.EASY),
    **dict.fromkeys(("中", "中等", "一般", "适中"), Difficulty.MEDIUM),
    **dict.fromkeys(("难", "困难", "较难", "高"), Difficulty.HARD),
}
DIFFICULTY_EXPORT_NAMES = {Difficulty.EASY: "易", Difficulty.MEDIUM: "中", Difficulty.HARD: "难"}
MAX_SCORE = Decimal("1000")


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column:
            where = gettext("第 %(row)s 行「%(column)s」列") % {
                "row": self.row,
                "column": self.column,
            }
        else:
            where = gettext("第 %(row)s 行") % {"row": self.row}
        return gettext("%(where)s：%(reason)s") % {"where": where, "reason": self.reason}


@dataclass
class ImportResult:
    questions: list[Question] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_key(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).replace(" ", "").strip().upper()


_HEADER_LOOKUP = {
    _header_key(name): column for column, names in HEADER_SYNONYMS.items() for name in names
}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "正确" if value else "错误"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _word(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(" ", "").strip()


def parse_rows(rows, *, bank: QuestionBank | None = None) -> ImportResult:
    """Questions (unsaved) from rows of cells whose first row is the header, or every error."""
    result = ImportResult()
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        result.errors.append(RowError(1, "", gettext("文件是空的")))
        return result
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _HEADER_LOOKUP.get(_header_key(cell))
        if column and column not in columns:
            columns[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            names = "/".join(HEADER_SYNONYMS[column])
            result.errors.append(
                RowError(
                    1, COLUMN_LABELS[column], gettext("缺少「%(names)s」列") % {"names": names}
                )
            )
    if result.errors:
        return result

    for row_number, cells in enumerate(rows, start=2):
        values = {
            name: _cell_text(cells[i]) if i < len(cells) else "" for name, i in columns.items()
        }
        if not any(values.values()):
            continue
        question = _parse_row(values, row_number, result.errors)
        if question is not None:
            question.bank = bank
            result.questions.append(question)
    if not result.questions and not result.errors:
        result.errors.append(RowError(2, "", gettext("文件中没有试题")))
    return result


def _parse_row(values: dict[str, str], row: int, errors: list[RowError]) -> Question | None:
    before = len(errors)

    def error(column: str, reason: str) -> None:
        errors.append(RowError(row, COLUMN_LABELS[column], reason))

    type_ = TYPE_SYNONYMS.get(_word(values.get("type", "")))
    if type_ is None:
        if values.get("type"):
            error(
                "type",
                gettext("无法识别的题型「%(value)s」（应为单选/多选/判断/填空/简答）")
                % {"value": values["type"]},
            )
        else:
            error("type", gettext("题型不能为空"))
    stem = values.get("stem", "")
    if not stem:
        error("stem", gettext("题干不能为空"))

    options = [values.get(f"option_{k}", "") for k in OPTION_KEYS]
    while options and not options[-1]:
        options.pop()
    if type_ in CHOICE_TYPES:
        if "" in options:
            gap = OPTION_KEYS[options.index("")]
            error(f"option_{gap}", gettext("选项%(key)s为空，但后面还有选项") % {"key": gap})
        elif len(options) < 2:
            error("option_B", gettext("选择题至少需要两个选项"))
    elif options and type_ is not None:
        options = []  # Options of other types are ignored, as templates often leave them filled.

    answer = None
    raw_answer = values.get("answer", "")
    if type_ is not None and type_ != QuestionType.SHORT and not raw_answer:
        error("answer", gettext("答案不能为空"))
    elif type_ is not None:
        try:
            answer = grading.normalise_key(type_, raw_answer, option_count=len(options))
        except grading.AnswerError as exc:
            error("answer", str(exc))

    score = Decimal("1")
    if values.get("score"):
        try:
            score = Decimal(_word(values["score"]))
        except InvalidOperation:
            error("score", gettext("分值「%(value)s」不是数字") % {"value": values["score"]})
        else:
            if not score.is_finite() or score <= 0 or score > MAX_SCORE:
                error("score", gettext("分值应大于 0 且不超过 1000"))
            elif score != score.quantize(Decimal("0.01")):
                error("score", gettext("分值最多两位小数"))

    difficulty = Difficulty.MEDIUM
    if values.get("difficulty"):
        difficulty = DIFFICULTY_SYNONYMS.get(_word(values["difficulty"]))
        if difficulty is None:
            error(
                "difficulty",
                gettext("无法识别的难度「%(value)s」（应为易/中/难或简单/中等/困难）")
                % {"value": values["difficulty"]},
            )

    category = values.get("category", "")
    if len(category) > 100:
        error("category", gettext("分类不能超过 100 个字"))
    tags = values.get("tags", "").replace("，", ",").replace("、", ",")
    if len(tags) > 200:
        error("tags", gettext("标签不能超过 200 个字"))

    if len(errors) > before:
        return None
    question = Question(
        type=type_,
        stem=stem,
        options=options,
        answer=answer,
        explanation=values.get("explanation", ""),
        score=score,
        difficulty=difficulty,
        category=category,
        tags=tags,
    )
    question.stem_key = grading.stem_key(type_, stem)
    return question


def read_workbook(file) -> list[tuple]:
    """The first sheet's rows; raises ValueError with a Chinese reason for a file that is not .xlsx."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ValueError(gettext("无法读取文件：请上传 .xlsx 格式的 Excel 文件")) from exc
    except Exception as exc:  # zipfile.BadZipFile and friends: a file that is not an xlsx at all.
        raise ValueError(gettext("无法读取文件：请上传 .xlsx 格式的 Excel 文件")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def import_questions(*, file, bank_name: str, user=None) -> ImportResult:
    """Import every question of the file into the bank, or none of them if any row is bad."""
    try:
        rows = read_workbook(file)
    except ValueError as exc:
        return ImportResult(errors=[RowError(0, "", str(exc))])
    result = parse_rows(rows)
    if not result.ok:
        return result
    with transaction.atomic():
        bank, _ = QuestionBank.objects.get_or_create(
            name=bank_name, defaults={"created_by": user, "owner": user}
        )
        for question in result.questions:
            question.bank = bank
        Question.objects.bulk_create(result.questions, batch_size=500)
    result.created = len(result.questions)
    return result


def _answer_cell(question: Question) -> str:
    if question.type == QuestionType.SHORT:
        return str(question.answer or "")
    if question.type == QuestionType.MULTIPLE:
        return "".join(question.answer or [])
    return grading.display_answer({"type": question.type, "answer": question.answer})


HEADER = [COLUMN_LABELS[name] for name in HEADER_SYNONYMS]

_EXAMPLES = [
    [
        "单选题",
        "中国共产党的最高领导机关是（ ）。",
        "党的全国代表大会和它所产生的中央委员会",
        "中央政治局",
        "中央书记处",
        "中央军事委员会",
        "",
        "",
        "",
        "",
        "A",
        "党章规定：党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。",
        2,
        "易",
        "党章",
        "组织制度",
    ],
    [
        "多选题",
        "党的纪律包括（ ）。",
        "政治纪律",
        "组织纪律",
        "廉洁纪律",
        "群众纪律",
        "",
        "",
        "",
        "",
        "A,B,C,D",
        "还包括工作纪律和生活纪律。",
        3,
        "中",
        "党章",
        "纪律",
    ],
    [
        "判断题",
        "入党积极分子经过一年以上培养教育和考察后，可列为发展对象。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "正确",
        "",
        1,
        "易",
        "发展党员",
        "",
    ],
    [
        "填空题",
        "党的根本宗旨是（ ）。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "全心全意为人民服务|为人民服务",
        "多个可接受答案用 | 分隔；多个空用 ； 分隔。",
        2,
        "中",
        "党章",
        "",
    ],
    [
        "简答题",
        "简述入党积极分子应如何端正入党动机。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "参考要点：……",
        "",
        10,
        "难",
        "党性修养",
        "",
    ],
]

_INSTRUCTIONS = [
    "题型：单选/单选题/单项选择题、多选/多选题/多项选择题、判断/判断题、填空/填空题、简答/简答题/问答题。",
    "列名可用：题型/题目类型；题干/题目/题目内容/试题；选项A…选项H（或 A…H）；答案/正确答案/参考答案；"
    "解析/答案解析；分值/分数；难度；分类/知识点/章节；标签。",
    "多选题答案可写作 ABD、A,B,D、A、B、D 或 A B D；判断题答案写 正确/错误、对/错、√/×。",
    "填空题：多个空用 ； 分隔，每个空的多个可接受答案用 | 分隔，如：共产主义；全心全意为人民服务|为人民服务。",
    "难度：易/中/难 或 简单/中等/困难；分值留空按 1 分计。",
    "任何一行有错误时整个文件都不会导入，系统会列出每个错误的行号、列名和原因。",
]


def _styled_workbook() -> tuple[Workbook, object]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
    sheet.column_dimensions["B"].width = 50
    sheet.freeze_panes = "A2"
    return workbook, sheet


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """The import template: the header, one example of each type and a sheet of instructions."""
    workbook, sheet = _styled_workbook()
    for row in _EXAMPLES:
        sheet.append(row)
    notes = workbook.create_sheet("说明")
    for line in _INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    return _to_bytes(workbook)


def export_xlsx(questions) -> bytes:
    """Questions written in the import template, so an export imports back unchanged."""
    workbook, sheet = _styled_workbook()
    for question in questions:
        options = list(question.options or []) + [""] * (
            len(OPTION_KEYS) - len(question.options or [])
        )
        sheet.append(
            xlsx_row(
                sheet,
                [
                    TYPE_EXPORT_NAMES[question.type],
                    question.stem,
                    *options[: len(OPTION_KEYS)],
                    _answer_cell(question),
                    question.explanation,
                    float(question.score) if question.score % 1 else int(question.score),
                    DIFFICULTY_EXPORT_NAMES.get(question.difficulty, "中"),
                    question.category,
                    question.tags,
                ],
            )
        )
    return _to_bytes(workbook)
