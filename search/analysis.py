"""Chinese text analysis for the search index: jieba segmentation as a Whoosh analyzer, plus highlighting."""

import logging
import threading
from functools import cache
from html import escape
from pathlib import Path

import jieba
from whoosh.analysis import LowercaseFilter, Token, Tokenizer
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight

# Party-building terms jieba's general dictionary splits apart (两学一做 → 两学/一/做), so that a
# lesson and a query about them segment the same way.
USER_DICT = Path(__file__).with_name("dict.txt")

_init_lock = threading.Lock()
_initialised = False


def _segmenter() -> jieba.Tokenizer:
    global _initialised
    if not _initialised:
        with _init_lock:
            if not _initialised:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.initialize()
                jieba.dt.load_userdict(str(USER_DICT))
                _initialised = True
    return jieba.dt


def _is_word(text: str) -> bool:
    """Whitespace and punctuation (including the "+" of 互联网+) carry nothing to search for."""
    return any(ch.isalnum() for ch in text)


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _dictionary_subwords(word: str):
    """Dictionary words inside a longer word (积极分子 in 入党积极分子), with their offsets.

    jieba's own search mode only looks at two- and three-character pieces, which misses 积极分子.
    """
    freq = _segmenter().FREQ
    n = len(word)
    for i in range(n):
        for j in range(i + 2, n + 1):
            if (i, j) != (0, n) and freq.get(word[i:j]):
                yield i, word[i:j]


class JiebaTokenizer(Tokenizer):
    """Segments mixed Chinese/English/number text with jieba.

    Each word takes the next position, so phrase queries see words as neighbours. When indexing
    (mode "index") the dictionary words inside a long word are emitted at the same position, so a
    query for a part of a compound finds it.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        subwords = mode == "index"
        pos = start_pos
        for word, start, _end in _segmenter().tokenize(value):
            if not _is_word(word):
                continue
            pieces = [(0, word)]
            if subwords and len(word) > 2 and _is_cjk(word):
                pieces.extend(_dictionary_subwords(word))
            for offset, text in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start + offset
                    token.endchar = token.startchar + len(text)
                yield token
            pos += 1


@cache
def analyzer():
    return JiebaTokenizer() | LowercaseFilter()


def query_terms(text: str) -> list[str]:
    """The words of a query, in order, as they are looked up in the index."""
    return [token.text for token in analyzer()(text or "", mode="query")]


def is_single_character(term: str) -> bool:
    """A one-character Chinese query word (党), matched inside indexed words rather than as a word."""
    return len(term) == 1 and _is_cjk(term)


def mark_all(text: str, terms) -> str:
    """The whole of a short text (a title), HTML-escaped, with every match wrapped in <mark>."""
    terms = set(terms)
    spans: list[list[int]] = []
    for token in analyzer()(text or "", chars=True, mode="index"):
        if token.text in terms:
            spans.append([token.startchar, token.endchar])
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


class MarkFormatter(HtmlFormatter):
    """Plain <mark> around matches; the rest of the fragment is HTML-escaped."""

    def format_token(self, text, token, replace=False):
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


def highlight_text(text: str, terms, *, top: int = 2, surround: int = 40) -> str:
    """HTML-escaped fragments of `text` around the query terms, each match wrapped in <mark>."""
    if not text or not terms:
        return ""
    # Segment only the neighbourhood of the first match: long articles stay cheap to highlight.
    lowered = text.lower()
    found = [i for i in (lowered.find(term) for term in terms) if i >= 0]
    if found:
        begin = max(0, min(found) - surround * 2)
        text = text[begin : begin + surround * 12]
    formatter = MarkFormatter(between=" … ")
    fragmenter = ContextFragmenter(maxchars=surround * 4, surround=surround)
    return highlight(
        text, frozenset(terms), analyzer(), fragmenter, formatter, top=top, mode="index"
    )
