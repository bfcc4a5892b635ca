"""Question banks to and from Excel: header synonyms, every bad row reported, all-or-nothing import.

Files are read by tabular (.xlsx/.xls/.csv, caps, header row found, bracketed units).
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

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
from tabular.reader import CappedErrors, TableError, read_table

# Column names as real templates write them (docs/domain.md); the first of each is what export writes.
# Headers are compared without units or notes in brackets and without stars (tabular).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "type": ("题型", "题目类型", "试题类型"),
    "stem": ("题干", "题目", "题目内容", "试题", "试题内容"),
    **{f"option_{k}": (f"选项{k}", k) for k in OPTION_KEYS},
    # All options in one cell ("A.xxx B.xxx C.xxx D.xxx"), as 考试星/问卷星-style exports write.
    "options": ("选项", "备选项", "选项内容", "答案选项"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案"),
    "explanation": ("解析", "答案解析", "试题解析"),
    "score": ("分值", "分数", "每题分值"),
    "difficulty": ("难度", "难易程度", "难度等级"),
    "category": ("分类", "知识点", "章节"),
    "tags": ("标签",),
}
COLUMN_LABELS = {name: names[0] for name, names in HEADER_SYNONYMS.items()}
REQUIRED_COLUMNS = ("type", "stem", "answer")
EXPORT_COLUMNS = [name for name in HEADER_SYNONYMS if name != "options"]

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
    **dict.fromkeys(("易", "简单", "容易", "低", "1"), Difficulty.EASY),
    **dict.fromkeys(("中", "中等", "一般", "适中", "2"), Difficulty.MEDIUM),
    **dict.fromkeys(("难", "困难", "较难", "高", "3"), Difficulty.HARD),
}
DIFFICULTY_EXPORT_NAMES = {Difficulty.EASY: "易", Difficulty.MEDIUM: "中", Difficulty.HARD: "难"}
MAX_SCORE = Decimal("1000")
DEFAULT_SCORE = Decimal("1")


@dataclass
class RowError:
    row: int | None  # None: the file as a whole (never "第 0 行")
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return self.reason
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
    errors: CappedErrors = field(default_factory=CappedErrors)
    # Values filled in by default because their column is missing: the user confirms them.
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of the columns not used
    header_row: int | None = None
    format_label: str = ""
    created: int = 0
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_total(self) -> int:
        return self.errors.total


def _word(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(" ", "").strip()


# "A.xxx B.xxx", "A、xxx", "Ａ．xxx", "(A) xxx", "A:xxx": a letter and a mark; letters must come in
# order (A, B, C…) so a "B." inside an option's text is not taken for the next option.
_OPTION_MARK = re.compile(r"[(（]?([A-HＡ-Ｈ])\s*[.．、:：)）]")
_OPTION_TRIM = " \t\r\n;；,，、|"


def split_options(text: str) -> list[str] | None:
    """Options written in one cell, in order, or None when the cell is not in that form.

    Marks after a space or a separator are tried first ("A.维生素B族 B.维生素C" has two options);
    only when they give fewer than two options may a mark follow the text directly ("A.甲B.乙").
    """
    for strict in (True, False):
        marks = _option_marks(text, strict=strict)
        if len(marks) >= 2:
            break
    else:
        return None
    if text[: marks[0].start()].strip():
        return None
    return [
        text[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip(
            _OPTION_TRIM
        )
        for i, mark in enumerate(marks)
    ]


def _option_marks(text: str, *, strict: bool) -> list[re.Match]:
    expected = 0
    marks = []
    for match in _OPTION_MARK.finditer(text):
        letter = unicodedata.normalize("NFKC", match.group(1))
        before = text[match.start() - 1] if match.start() else ""
        if before.isascii() and before.isalnum():
            continue  # "Vitamin B." is not option B
        if strict and before and not (before.isspace() or before in _OPTION_TRIM):
            continue
        if expected < len(OPTION_KEYS) and letter == OPTION_KEYS[expected]:
            marks.append(match)
            expected += 1
    return marks


def parse_file(file) -> ImportResult:
    """Questions (unsaved) from an uploaded .xlsx/.xls/.csv, with every error and warning."""
    result = ImportResult()
    try:
        table = read_table(file, synonyms=HEADER_SYNONYMS, required=REQUIRED_COLUMNS)
    except TableError as exc:
        if exc.row is not None:
            for column in exc.missing:
                names = "/".join(HEADER_SYNONYMS[column])
                result.errors.append(
                    RowError(
                        exc.row,
                        COLUMN_LABELS[column],
                        gettext("缺少「%(names)s」列") % {"names": names},
                    )
                )
        else:
            result.errors.append(RowError(None, "", str(exc)))
        return result
    result.header_row = table.header_row
    result.ignored = table.ignored
    result.format_label = table.format_label
    labels = {**COLUMN_LABELS, **table.headers}
    try:
        for row_number, values in table.rows:
            question = _parse_row(values, row_number, result.errors, labels)
            if question is not None:
                question.import_row = row_number  # shown in the preview
                result.questions.append(question)
    except TableError as exc:  # past the row cap: that is the one thing to fix
        result.questions = []
        result.errors = CappedErrors([RowError(None, "", str(exc))])
        return result
    if not result.questions and not result.errors:
        result.errors.append(RowError(table.header_row + 1, "", gettext("表头下面没有试题")))
    if "score" not in table.columns and result.questions:
        result.warnings.append(
            gettext(
                "文件中没有「分值」列，全部 %(n)s 道试题都将按 %(score)s 分计。"
                "如果试题分值不同，请在文件中加上「分值」列后重新上传。"
            )
            % {"n": len(result.questions), "score": DEFAULT_SCORE}
        )
    return result


def _parse_row(
    values: dict[str, str], row: int, errors: list[RowError], labels: dict[str, str]
) -> Question | None:
    before = errors.total if isinstance(errors, CappedErrors) else len(errors)

    def error(column: str, reason: str) -> None:
        errors.append(RowError(row, labels.get(column, COLUMN_LABELS[column]), reason))

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
    option_column = None  # the column the options' errors are reported in
    split_failed = False
    if not options and values.get("options"):
        option_column = "options"
        split = split_options(values["options"])
        split_failed = split is None
        if split_failed and type_ in CHOICE_TYPES:
            error(
                "options",
                gettext("无法拆分选项，应写作“A.内容 B.内容 C.内容”（字母按顺序）"),
            )
        options = split or []
    options_ok = not split_failed
    if type_ in CHOICE_TYPES and options_ok:
        if "" in options:
            gap = OPTION_KEYS[options.index("")]
            error(
                option_column or f"option_{gap}",
                gettext("选项%(key)s为空，但后面还有选项") % {"key": gap},
            )
            options_ok = False
        elif len(options) < 2:
            has_option_columns = "option_B" in values or "options" in values
            error(
                option_column or ("option_B" if "option_B" in values else "options"),
                gettext("选择题至少需要两个选项")
                if has_option_columns
                else gettext("选择题至少需要两个选项，但文件中没有选项列"),
            )
            options_ok = False
    elif options and type_ is not None:
        options = []  # Options of other types are ignored, as templates often leave them filled.

    answer = None
    raw_answer = values.get("answer", "")
    if type_ is not None and type_ != QuestionType.SHORT and not raw_answer:
        error("answer", gettext("答案不能为空"))
    elif type_ is not None and options_ok:
        try:
            answer = grading.normalise_key(type_, raw_answer, option_count=len(options))
        except grading.AnswerError as exc:
            error("answer", str(exc))

    score = DEFAULT_SCORE
    if values.get("score"):
        try:
            score = Decimal(_word(values["score"]).removesuffix("分"))
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
                gettext("无法识别的难度「%(value)s」（应为易/中/难、简单/中等/困难或 1/2/3）")
                % {"value": values["difficulty"]},
            )

    category = values.get("category", "")
    if len(category) > 100:
        error("category", gettext("分类不能超过 100 个字"))
    tags = values.get("tags", "").replace("，", ",").replace("、", ",")
    if len(tags) > 200:
        error("tags", gettext("标签不能超过 200 个字"))

    after = errors.total if isinstance(errors, CappedErrors) else len(errors)
    if after > before:
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


def import_questions(
    *, file, bank_name: str, user=None, accept_warnings: bool = False
) -> ImportResult:
    """Import every question of the file into the bank, or none of them if any row is bad.

    Warnings (values defaulted because their column is missing) stop the import unless the user
    accepted them (`accept_warnings`, after seeing the preview).
    """
    result = parse_file(file)
    if not result.ok or (result.warnings and not accept_warnings):
        return result
    with transaction.atomic():
        bank, _ = QuestionBank.objects.get_or_create(
            name=bank_name, defaults={"created_by": user, "owner": user}
        )
        for question in result.questions:
            question.bank = bank
        Question.objects.bulk_create(result.questions, batch_size=500)
    result.created = len(result.questions)
    result.imported = True
    return result


def answer_cell(question: Question) -> str:
    if question.type == QuestionType.SHORT:
        return str(question.answer or "")
    if question.type == QuestionType.MULTIPLE:
        return "".join(question.answer or [])
    return grading.display_answer({"type": question.type, "answer": question.answer})


HEADER = [COLUMN_LABELS[name] for name in EXPORT_COLUMNS]

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
                    answer_cell(question),
                    question.explanation,
                    float(question.score) if question.score % 1 else int(question.score),
                    DIFFICULTY_EXPORT_NAMES.get(question.difficulty, "中"),
                    question.category,
                    question.tags,
                ],
            )
        )
    return _to_bytes(workbook)
