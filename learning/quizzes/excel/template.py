"""Writing the question sheet: the import template (header, one example per type, instructions)
and the export of a bank, in the template's form so that an export imports back unchanged."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from learning.quizzes import grading
from learning.quizzes.excel.columns import (
    COLUMN_LABELS,
    DIFFICULTY_EXPORT_NAMES,
    EXPORT_COLUMNS,
    TYPE_EXPORT_NAMES,
)
from learning.quizzes.models import OPTION_KEYS, Question, QuestionType
from spreadsheet_safety import xlsx_freeze_header, xlsx_row


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
    xlsx_freeze_header(sheet, 1)
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
