"""A branch for 民主评议: the 书记, eight 正式党员 and a 预备党员 with accounts, an activist (not a
participant), and a campaign of this year in its 个人自评 phase."""

from datetime import date

import pytest
from django.utils import timezone

from party.appraisal.services import campaign_advance, campaign_open
from party.members.models import DecidingBody, Stage, StageChange
from tests.factories import make_user
from tests.party.conftest import make_member


def set_stage(member, stage, on=date(2020, 1, 1)):
    StageChange.objects.create(
        member=member, stage=stage, decided_on=on, decided_by=DecidingBody.RECORDS
    )


@pytest.fixture
def branch(tree):
    units, users, members = tree["units"], tree["users"], tree["members"]
    for key in ("law_b1", "law_b2", "eng_b1", "secretary", "secretary2"):
        set_stage(members[key], Stage.FULL_MEMBER)
    voters = {"secretary": users["secretary"], "member": users["member"]}
    for i in range(1, 10):
        user = make_user(f"ap{i}")
        member = make_member(units["law_b1"], f"党员{i}", f"P00{i}", user=user)
        set_stage(member, Stage.PROBATIONARY if i == 9 else Stage.FULL_MEMBER)
        voters[f"ap{i}"] = user
        members[f"ap{i}"] = member
    activist_user = make_user("ap_activist")
    members["activist"] = make_member(units["law_b1"], "积极分子乙", "PA01", user=activist_user)
    set_stage(members["activist"], Stage.ACTIVIST)
    users.update(voters, activist=activist_user)
    tree["voters"] = voters
    (tree["campaign"],) = campaign_open(
        by_user=users["secretary"], unit=units["law_b1"], year=timezone.localdate().year
    )
    return tree


@pytest.fixture
def rating(branch):
    """The campaign with its 民主测评 open."""
    campaign_advance(by_user=branch["users"]["secretary"], campaign_id=branch["campaign"].pk)
    branch["campaign"].refresh_from_db()
    return branch


def ballot_for(campaign, user, grade="qualified", special=None):
    """A complete ballot for `user`: `grade` for everyone, `special` (member id → grade) on top."""
    ratings = {p.member_id: grade for p in campaign.participants.exclude(member__user=user)}
    ratings.update(special or {})
    return ratings
