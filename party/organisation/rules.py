"""Rules of the organisation tree, as data with their cited source (docs/domain.md)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    value: int
    text: str
    source: str


COMMITTEE_TERM_YEARS = Rule(
    code="committee_term",
    value=3,
    text="高校党支部委员会每届任期一般为3年。",
    source="《中国共产党支部工作条例（试行）》(2018)，高校党支部委员会任期",
)
