"""Pure key mapping: an answer key in the bank's option letters and in the letters one attempt
shows (its options may be shuffled: `perm`). Next to grading.py; no database."""

from learning.quizzes.question_types import CHOICE_TYPES, OPTION_KEYS, QuestionType


def key_as_shown(type_: str, key, perm: list[int]):
    """A bank key (the bank's option letters) in the letters of an attempt whose order is `perm`."""
    if type_ not in CHOICE_TYPES:
        return key
    # Original letter → position in this attempt's order → the letter the trainee sees.
    to_shown = {OPTION_KEYS[orig]: OPTION_KEYS[pos] for pos, orig in enumerate(perm)}
    if type_ == QuestionType.SINGLE:
        return to_shown[key]
    return sorted(to_shown[k] for k in key)


def key_as_bank(type_: str, key, perm: list[int]):
    """The inverse of key_as_shown: a snapshot key back in the bank's option letters."""
    if type_ not in CHOICE_TYPES or key is None:
        return key
    to_bank = {OPTION_KEYS[pos]: OPTION_KEYS[orig] for pos, orig in enumerate(perm)}
    if type_ == QuestionType.SINGLE:
        return to_bank.get(key, key)
    return sorted(to_bank.get(k, k) for k in key)


def snapshot_perm(item: dict) -> list[int]:
    """The option order of a snapshot question (identity for one saved before shuffling)."""
    return list(item.get("perm") or range(len(item.get("options") or [])))


def corrected_key(question, item: dict):
    """The bank question's current key as the attempt with snapshot `item` must hold it.

    None when it cannot be mapped safely: the type changed, or a choice question's number of
    options changed since the attempt started (its `perm` no longer fits the bank's options).
    """
    if question.type != item["type"] or question.type == QuestionType.SHORT:
        return None
    if question.answer is None:
        return None
    perm = snapshot_perm(item)
    if question.type in CHOICE_TYPES:
        if len(question.options or []) != len(perm):
            return None
        try:
            return key_as_shown(question.type, question.answer, perm)
        except KeyError:
            return None
    return question.answer
