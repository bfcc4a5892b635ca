"""One row of the question sheet to one question (unsaved): options written in one cell, the type,
answer, score and difficulty recognised, every problem of the row reported with its column."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from learning.quizzes import grading
from learning.quizzes.excel.columns import (
    COLUMN_LABELS,
    DEFAULT_SCORE,
    DIFFICULTY_SYNONYMS,
    MAX_SCORE,
    TYPE_SYNONYMS,
)
from learning.quizzes.models import CHOICE_TYPES, OPTION_KEYS, Difficulty, Question, QuestionType
from tabular.reader import CappedErrors


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


def row_question(
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
