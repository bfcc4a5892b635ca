"""A small university with a dated history for the statistics tests (tree from tests/party)."""

from datetime import date

import pytest

from party.members.models import DecidingBody, Gender, Member, Stage, StageChange
from tests.party.conftest import make_member, tree  # noqa: F401 — the fixture is used here

PATH_DATES = {
    Stage.APPLICANT: 0,
    Stage.ACTIVIST: 1,
    Stage.CANDIDATE: 2,
    Stage.PROBATIONARY: 3,
    Stage.FULL_MEMBER: 4,
}


def history(member: Member, *steps: tuple[str, date], extension_months=None) -> None:
    for stage, day in steps:
        StageChange.objects.create(
            member=member,
            stage=stage,
            decided_on=day,
            decided_by=DecidingBody.RECORDS,
            extension_months=extension_months if stage == Stage.PROBATION_EXTENDED else None,
        )


@pytest.fixture
def people(tree):  # noqa: F811
    """Ten people with known paths, in three branches under two 院系党委."""
    u = tree["units"]
    made = {}

    def person(key, unit, gender=Gender.FEMALE, ethnicity="汉族", birth=date(2003, 5, 1)):
        made[key] = make_member(
            unit, key, f"P{len(made):03d}", gender=gender, ethnicity=ethnicity, birth_date=birth
        )
        return made[key]

    # 正式党员 since 2024: applied 2021, activist 2022, candidate 2023-03, admitted 2023-06.
    history(
        person("full", u["law_b1"], gender=Gender.MALE, birth=date(1990, 1, 10)),
        (Stage.APPLICANT, date(2021, 3, 1)),
        (Stage.ACTIVIST, date(2022, 3, 1)),
        (Stage.CANDIDATE, date(2023, 3, 10)),
        (Stage.PROBATIONARY, date(2023, 6, 1)),
        (Stage.FULL_MEMBER, date(2024, 6, 1)),
    )
    # Admitted in 2025 (预备党员 at the end of 2025), promoted "today" in 2026.
    history(
        person("promoted", u["law_b2"], ethnicity="回族"),
        (Stage.APPLICANT, date(2023, 10, 1)),
        (Stage.ACTIVIST, date(2024, 3, 1)),
        (Stage.CANDIDATE, date(2025, 3, 5)),
        (Stage.PROBATIONARY, date(2025, 6, 20)),
        (Stage.FULL_MEMBER, date(2026, 6, 20)),
    )
    # 预备党员 admitted 2024-05, never promoted: past the 12 months on 2025-12-31.
    history(
        person(
            "overdue", u["eng_b1"], gender=Gender.MALE, ethnicity="壮族", birth=date(1995, 7, 1)
        ),
        (Stage.APPLICANT, date(2022, 3, 1)),
        (Stage.ACTIVIST, date(2022, 9, 1)),
        (Stage.CANDIDATE, date(2023, 9, 5)),
        (Stage.PROBATIONARY, date(2024, 5, 10)),
    )
    # Extended by 12 months in 2025-04: probation ends 2026-04-15, not past on 2025-12-31.
    history(
        person("extended", u["eng_b1"]),
        (Stage.APPLICANT, date(2022, 3, 1)),
        (Stage.ACTIVIST, date(2022, 9, 1)),
        (Stage.CANDIDATE, date(2023, 9, 5)),
        (Stage.PROBATIONARY, date(2024, 4, 15)),
        (Stage.PROBATION_EXTENDED, date(2025, 4, 15)),
        extension_months=12,
    )
    # 积极分子 since 2024-01: past one year on 2025-12-31 and still not 发展对象.
    history(
        person("waiting", u["law_b1"]),
        (Stage.APPLICANT, date(2023, 10, 1)),
        (Stage.ACTIVIST, date(2024, 1, 15)),
    )
    # Went to 发展对象 in 2025-02 and back to 积极分子 in 2025-09 (not a new 确定).
    history(
        person("returned", u["law_b1"], gender=Gender.MALE),
        (Stage.APPLICANT, date(2023, 3, 1)),
        (Stage.ACTIVIST, date(2024, 1, 10)),
        (Stage.CANDIDATE, date(2025, 2, 1)),
        (Stage.ACTIVIST, date(2025, 9, 1)),
    )
    # Applied and made 积极分子 in 2025.
    history(
        person("new", u["law_b2"], birth=date(2006, 2, 1)),
        (Stage.APPLICANT, date(2025, 3, 1)),
        (Stage.ACTIVIST, date(2025, 10, 1)),
    )
    # Stopped in 2025 (out of every count on 2025-12-31).
    history(
        person("stopped", u["eng_b1"]),
        (Stage.APPLICANT, date(2024, 3, 1)),
        (Stage.STOPPED, date(2025, 5, 1)),
    )
    # Applied in 2026 only: nobody on 2025-12-31.
    history(person("late", u["law_b1"]), (Stage.APPLICANT, date(2026, 2, 1)))
    # No birth date, 正式党员 for long.
    history(
        person("old", u["eng_b1"], birth=None),
        (Stage.PROBATIONARY, date(2010, 6, 1)),
        (Stage.FULL_MEMBER, date(2011, 6, 1)),
    )
    return made
