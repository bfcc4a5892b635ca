"""Near-matches of a new name among known ones: a misspelled 党支部 is not silently a new branch.

Two names are near when they read the same in pinyin (the usual typo with a pinyin input method:
党支布 for 党支部) or differ by one character that is not a number (第一/第二党支部 are different
branches, 计算机学院/计算机学阮 are not). Libraries: pypinyin for readings, rapidfuzz for the
edit operations.
"""

from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz.distance import Levenshtein

_NUMERALS = set("0123456789〇零一二三四五六七八九十百两壹贰叁肆伍陆柒捌玖拾")


@lru_cache(maxsize=4096)
def _reading(name: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(name))


def near_reason(new: str, known: str) -> str:
    """ "same_reading", "one_character" or "" (not near)."""
    if new == known:
        return ""
    if len(new) == len(known) and _reading(new) == _reading(known):
        return "same_reading"
    ops = Levenshtein.editops(new, known)
    if len(ops) == 1:
        op = ops[0]
        changed = set()
        if op.tag != "insert":
            changed.add(new[op.src_pos])
        if op.tag != "delete":
            changed.add(known[op.dest_pos])
        if not (changed & _NUMERALS) and not any(c.isascii() and c.isalnum() for c in changed):
            return "one_character"
    return ""


def near_matches(new: str, known) -> list[tuple[str, str]]:
    """[(known name, reason)] for every known name near the new one."""
    return [(name, reason) for name in known if (reason := near_reason(new, name))]
