"""Grading is a pure function of the snapshot question and the answer; every type, with normalisation."""

from decimal import Decimal

import pytest

from learning.quizzes import grading
from learning.quizzes.grading import AnswerError, grade, normalise_key, normalise_response


def q(type_, answer, score="2", options=4):
    return {
        "id": 1,
        "type": type_,
        "stem": "题",
        "options": [{"key": k, "text": k} for k in "ABCDEFGH"[:options]],
        "answer": answer,
        "score": score,
    }


def test_single_choice():
    question = q("single", "B")
    assert grade(question, "B") == Decimal("2.00")
    assert grade(question, "A") == Decimal("0.00")
    assert grade(question, None) == Decimal("0.00")
    assert normalise_response(question, "ｂ") == "B"  # full-width, lower case


@pytest.mark.parametrize(
    "written", ["ABD", "A,B,D", "A、B、D", "A B D", "a，b，d", "ＡＢＤ", "D;B;A"]
)
def test_multiple_answers_in_every_written_form(written):
    assert normalise_key("multiple", written, option_count=4) == ["A", "B", "D"]


def test_multiple_all_or_nothing_by_default():
    question = q("multiple", ["A", "B", "D"], score="3")
    assert grade(question, ["A", "B", "D"]) == Decimal("3.00")
    assert grade(question, ["A", "B"]) == Decimal("0.00")  # 少选
    assert grade(question, ["A", "B", "C", "D"]) == Decimal("0.00")  # 错选
    assert grade(question, ["C"]) == Decimal("0.00")


def test_multiple_partial_credit_for_a_subset_only():
    question = q("multiple", ["A", "B", "D"], score="3")
    assert grade(question, ["A", "B"], partial_credit=True) == Decimal("2.00")
    assert grade(question, ["A", "C"], partial_credit=True) == Decimal("0.00")
    assert grade(question, ["A", "B", "D"], partial_credit=True) == Decimal("3.00")


@pytest.mark.parametrize("word", ["正确", "对", "√", "T", "t", "true", True, "Ｔ"])
def test_true_words(word):
    assert grading.parse_true_false(word) is True


@pytest.mark.parametrize("word", ["错误", "错", "×", "F", "false", False, " 错 "])
def test_false_words(word):
    assert grading.parse_true_false(word) is False


def test_true_false_grading_and_rejects_nonsense():
    question = q("true_false", False, score="1", options=0)
    assert grade(question, normalise_response(question, "×")) == Decimal("1.00")
    assert grade(question, normalise_response(question, "对")) == Decimal("0.00")
    with pytest.raises(AnswerError):
        normalise_response(question, "也许")


def test_fill_in_normalises_width_spaces_and_case_and_accepts_variants():
    key = normalise_key("fill", "共产主义；全心全意为人民服务|为人民服务", option_count=0)
    assert key == [["共产主义"], ["全心全意为人民服务", "为人民服务"]]
    question = q("fill", key, score="2", options=0)
    assert grade(question, ["共产 主义", "为人民服务"]) == Decimal("2.00")
    assert grade(question, ["共产主义", "错"]) == Decimal("1.00")  # each blank carries its share
    assert grade(question, []) == Decimal("0.00")
    latin = q("fill", [["CPC"], ["1921"]], options=0)
    assert grade(latin, ["ｃｐｃ", " １９２１ "]) == Decimal("2.00")


def test_fill_in_rejects_too_many_blanks():
    question = q("fill", [["a"]], options=0)
    with pytest.raises(AnswerError):
        normalise_response(question, ["a", "b"])


def test_short_answer_is_left_to_a_person():
    assert grade(q("short", "参考", options=0), "我的回答") is None


def test_bad_keys_are_rejected_in_chinese():
    with pytest.raises(AnswerError, match="不存在"):
        normalise_key("single", "E", option_count=4)
    with pytest.raises(AnswerError, match="一个"):
        normalise_key("single", "AB", option_count=4)
    with pytest.raises(AnswerError, match="两个"):
        normalise_key("multiple", "A", option_count=4)


def test_stem_key_ignores_width_spaces_and_punctuation():
    a = grading.stem_key("single", "中国共产党成立于哪一年？（  ）")
    b = grading.stem_key("single", "中国共产党成立于哪一年?()")
    assert a == b
    assert a != grading.stem_key("multiple", "中国共产党成立于哪一年？")
