"""What the dashboard and the stats API show for one unit on one day: the engine's figures
(selectors) and the panels of the other party apps, each read through that app's own selectors
(one implementation per rule: compliance from party.meetings.compliance, …)."""

from __future__ import annotations

from datetime import date

from party.organisation.models import Unit
from party.stats import selectors


def year_start(day: date) -> date:
    return date(day.year, 1, 1)


def overview(*, unit: Unit, day: date) -> dict:
    """Every figure for `unit`'s subtree on `day`; development and pipeline steps count from
    1 January of `day`'s year. A fixed number of queries whatever the size of the subtree."""
    start = year_start(day)
    return {
        "unit": {"id": unit.pk, "name": unit.name, "kind": unit.kind},
        "date": day,
        "stages": selectors.stage_counts(unit=unit, day=day),
        "profile": selectors.member_profile(unit=unit, day=day),
        "development": selectors.development(unit=unit, start=start, end=day),
        "pipeline": selectors.pipeline(unit=unit, day=day, since=start),
    }
