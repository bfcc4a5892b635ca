"""Pure grading: answers are normalised and scored from the question snapshot alone, so regrading replays."""

import hashlib
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from learning.quizzes.question_types import OPTION_KEYS, QuestionType

TWO_PLACES = Decimal("0.01")
_SPACES = re.compile(r"\s+")
# How a multi-answer cell separates letters: "ABD", "A,B,D", "A、B、D", "A B D", "A;B".
_KEY_SEPARATORS = re.compile(r"[\s,，、;；/]+")
# Blanks of a fill-in answer are separated by ; or a new line; accepted variants of a blank by |.
_BLANK_SEPARATORS = re.compile(r"[;；\n]+")
_VARIANT_SEPARATORS = re.compile(r"[|｜]")

TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "t", "true", "是", "y", "yes", "1"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "x", "f", "false", "否", "n", "no", "0"}


class AnswerError(ValueError):
    """An answer that cannot be understood; the message is Chinese and user-facing."""


def normalise_text(value) -> str:
    """Full/half width folded (NFKC), every space removed, case folded: how fill-ins compare."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return _SPACES.sub("", text).casefold()


def normalise_stem(stem: str) -> str:
    """A stem stripped of width, spaces, case and punctuation, so near-identical stems collide."""
    text = normalise_text(stem)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))


def stem_key(type_: str, stem: str) -> str:
    return hashlib.sha1(f"{type_}|{normalise_stem(stem)}".encode()).hexdigest()


def parse_true_false(value) -> bool:
    if isinstance(value, bool):
        return value
    word = normalise_text(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise AnswerError(_("判断题答案应为 正确/错误、对/错、√/×、T/F 之一"))


def parse_keys(value, *, option_count: int) -> list[str]:
    """Option letters from "ABD", "A,B,D", "A、B、D", "A B D" or a list; sorted, no repeats."""
    if isinstance(value, list | tuple):
        parts = [normalise_text(v).upper() for v in value]
    else:
        text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
        parts = [p for p in _KEY_SEPARATORS.split(text) if p]
        if len(parts) == 1 and len(parts[0]) > 1:
            parts = list(parts[0])
    keys = sorted(set(parts))
    allowed = OPTION_KEYS[:option_count]
    bad = [k for k in keys if len(k) != 1 or k not in allowed]
    if bad:
        raise AnswerError(
            _("选项 %(bad)s 不存在（可选 %(first)s–%(last)s）")
            % {"bad": "、".join(bad), "first": allowed[:1], "last": allowed[-1:]}
        )
    return keys


def parse_blanks(value) -> list[list[str]]:
    """Accepted answers of a fill-in: "答案1|答案2；答案3" → [["答案1", "答案2"], ["答案3"]]."""
    if isinstance(value, list | tuple):
        blanks = [
            [
                str(v).strip()
                for v in (b if isinstance(b, list | tuple) else _VARIANT_SEPARATORS.split(str(b)))
            ]
            for b in value
        ]
    else:
        blanks = [
            [v.strip() for v in _VARIANT_SEPARATORS.split(part)]
            for part in _BLANK_SEPARATORS.split(str(value or "").strip())
        ]
    blanks = [[v for v in b if v] for b in blanks]
    blanks = [b for b in blanks if b]
    if not blanks:
        raise AnswerError(_("填空题答案不能为空"))
    return blanks


def normalise_key(type_: str, raw, *, option_count: int):
    """The stored form of a question's correct answer; raises AnswerError with a Chinese reason."""
    if type_ == QuestionType.SINGLE:
        keys = parse_keys(raw, option_count=option_count)
        if len(keys) != 1:
            raise AnswerError(_("单选题只能有一个正确答案"))
        return keys[0]
    if type_ == QuestionType.MULTIPLE:
        keys = parse_keys(raw, option_count=option_count)
        if len(keys) < 2:
            raise AnswerError(_("多选题至少要有两个正确答案"))
        return keys
    if type_ == QuestionType.TRUE_FALSE:
        return parse_true_false(raw)
    if type_ == QuestionType.FILL:
        return parse_blanks(raw)
    if type_ == QuestionType.SHORT:
        return str(raw or "").strip()
    raise AnswerError(_("未知题型"))


def normalise_response(question: dict, raw):
    """A trainee's answer to a snapshot question, validated; None clears the answer."""
    if raw is None or raw == "" or raw == []:
        return None
    type_ = question["type"]
    count = len(question.get("options") or [])
    if type_ == QuestionType.SINGLE:
        keys = parse_keys(raw, option_count=count)
        if len(keys) != 1:
            raise AnswerError(_("单选题只能选一个选项"))
        return keys[0]
    if type_ == QuestionType.MULTIPLE:
        return parse_keys(raw, option_count=count)
    if type_ == QuestionType.TRUE_FALSE:
        return parse_true_false(raw)
    if type_ == QuestionType.FILL:
        values = raw if isinstance(raw, list | tuple) else [raw]
        blanks = len(question.get("answer") or []) or question.get("blanks", 1)
        if len(values) > blanks or not all(isinstance(v, str | int | float) for v in values):
            raise AnswerError(_("本题共 %(blanks)s 个空") % {"blanks": blanks})
        return [str(v)[:500] for v in values]
    if type_ == QuestionType.SHORT:
        if not isinstance(raw, str):
            raise AnswerError(_("简答题答案应为文字"))
        return raw[:10000]
    raise AnswerError(_("未知题型"))


def _money(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def grade(question: dict, response, *, partial_credit: bool = False) -> Decimal | None:
    """Points for `response` to the snapshot `question`; None when a person must grade it (简答)."""
    score = Decimal(str(question["score"]))
    key = question.get("answer")
    type_ = question["type"]
    if type_ == QuestionType.SHORT:
        return None
    if response is None:
        return Decimal("0.00")
    if type_ == QuestionType.SINGLE:
        return _money(score) if response == key else Decimal("0.00")
    if type_ == QuestionType.MULTIPLE:
        chosen, correct = set(response), set(key)
        if chosen == correct:
            return _money(score)
        # 多选、少选、错选均不得分 by default; with partial credit a subset earns its share.
        if partial_credit and chosen and chosen < correct:
            return _money(score * len(chosen) / len(correct))
        return Decimal("0.00")
    if type_ == QuestionType.TRUE_FALSE:
        return _money(score) if response is key else Decimal("0.00")
    if type_ == QuestionType.FILL:
        right = 0
        for index, accepted in enumerate(key):
            given = normalise_text(response[index]) if index < len(response) else ""
            if given and given in {normalise_text(a) for a in accepted}:
                right += 1
        # Each blank carries an equal share of the question's points.
        return _money(score * right / len(key))
    return Decimal("0.00")


def display_answer(question: dict) -> str:
    """The correct answer as a person reads it: "A、C", "正确", "党章｜中国共产党章程；…"."""
    key = question.get("answer")
    type_ = question["type"]
    if type_ == QuestionType.MULTIPLE:
        return "、".join(key or [])
    if type_ == QuestionType.TRUE_FALSE:
        return "正确" if key else "错误"
    if type_ == QuestionType.FILL:
        return "；".join("｜".join(b) for b in key or [])
    return str(key or "")
