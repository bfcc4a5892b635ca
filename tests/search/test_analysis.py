"""Segmentation of mixed Chinese/English/number text, as indexed and as queried."""

from search.analysis import analyzer, highlight_text, mark_all, query_terms


def indexed_terms(text: str) -> set[str]:
    return {token.text for token in analyzer()(text, mode="index")}


def test_compound_is_indexed_with_the_words_inside_it():
    # 入党积极分子 is one word of the Party-building vocabulary; 积极分子 inside it must be findable.
    assert query_terms("入党积极分子") == ["入党积极分子"]
    assert {"入党积极分子", "积极分子", "入党"} <= indexed_terms("争当入党积极分子")
    assert query_terms("积极分子") == ["积极分子"]


def test_party_building_terms_stay_whole():
    assert query_terms("两学一做") == ["两学一做"]
    assert query_terms("三会一课制度") == ["三会一课", "制度"]


def test_internet_plus_drops_the_plus_sign():
    assert query_terms("互联网+") == ["互联网"]
    assert "互联网" in indexed_terms("互联网+党建")


def test_english_words_are_lowercased_and_numbers_kept():
    assert query_terms("Party History 党史学习教育2026") == [
        "party",
        "history",
        "党史学习教育",
        "2026",
    ]


def test_punctuation_and_spaces_are_not_terms():
    assert query_terms("，。！ ？、+") == []


def test_positions_advance_per_word_and_subwords_share_the_position():
    tokens = [(t.text, t.pos) for t in analyzer()("争当入党积极分子", positions=True, mode="index")]
    assert ("争当", 0) in tokens and ("入党积极分子", 1) in tokens and ("积极分子", 1) in tokens


def test_highlight_marks_the_word_inside_a_compound_and_escapes_html():
    snippet = highlight_text("<b>x</b> 学校的入党积极分子培训班", ["积极分子"])
    assert "<mark>积极分子</mark>" in snippet
    assert "<b>" not in snippet
    assert mark_all("入党积极分子 & 党员", ["积极分子"]) == "入党<mark>积极分子</mark> &amp; 党员"
