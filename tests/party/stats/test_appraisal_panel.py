"""The dashboard's 民主评议 panel: the latest year (this year or last) with a campaign in the
subtree, found in one query; that year's branches only."""

import pytest
from django.utils import timezone

from party.appraisal.services import campaign_open
from party.members.models import Stage
from party.stats.dashboard import _branches, appraisal_panel
from tests.party.appraisal.conftest import set_stage

pytestmark = pytest.mark.django_db


def test_the_latest_year_with_a_campaign(tree, django_assert_num_queries):
    units, users, members = tree["units"], tree["users"], tree["members"]
    for key in ("law_b1", "secretary"):
        set_stage(members[key], Stage.FULL_MEMBER)
    uni, year = units["uni"], timezone.localdate().year
    branches = _branches(uni)
    with django_assert_num_queries(1):  # which year: none
        empty = appraisal_panel(unit=uni, day=timezone.localdate(), branches=branches)
    assert empty["year"] is None and empty["branches"] == 0
    campaign_open(by_user=users["secretary"], unit=units["law_b1"], year=year - 1)
    last = appraisal_panel(unit=uni, day=timezone.localdate())
    assert (last["year"], last["branches"], last["participants"]) == (year - 1, 1, 2)
    campaign_open(by_user=users["secretary"], unit=units["law_b1"], year=year)
    with django_assert_num_queries(3):  # which year, its campaigns, their grades
        this = appraisal_panel(unit=uni, day=timezone.localdate(), branches=branches)
    assert (this["year"], this["branches"]) == (year, 1)
    # Another subtree's campaign is not this one's.
    eng = appraisal_panel(unit=units["eng"], day=timezone.localdate())
    assert eng["year"] is None
