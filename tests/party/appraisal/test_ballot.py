"""The 民主测评 ballot: counted once, only by participants of the branch, only while open; a
预备党员 rates but is not counted (党章 art. 7, rules.PROBATIONARY_RATINGS_SOURCE); counts are
readable only after the close. Every refusal leaves the counters and the has-voted rows as they
were."""

import pytest

from party.appraisal import selectors
from party.appraisal.exceptions import (
    AlreadyVotedError,
    AppraisalError,
    NotParticipantError,
)
from party.appraisal.models import BallotCast, Phase, Tally
from party.appraisal.services import campaign_advance, campaign_open, vote_cast
from tests.factories import make_user
from tests.party.appraisal.conftest import ballot_for, set_stage
from tests.party.conftest import make_member


def counters(campaign) -> dict:
    return {
        (m, g): n
        for m, g, n in Tally.objects.filter(campaign=campaign).values_list(
            "member_id", "grade", "votes"
        )
    }


def total_votes(campaign) -> int:
    return sum(counters(campaign).values())


def test_participants_are_the_branchs_party_members(branch):
    campaign = branch["campaign"]
    names = set(campaign.participants.values_list("member__name", flat=True))
    assert "积极分子乙" not in names  # an activist is not a Party member
    assert {"李书记", "张三", "党员9"} <= names
    assert len(names) == 11
    # every counter exists from the start, at zero
    assert Tally.objects.filter(campaign=campaign).count() == 11 * 4
    assert total_votes(campaign) == 0


def test_a_ballot_counts_once_for_each_other_member(rating):
    campaign, m = rating["campaign"], rating["members"]
    user = rating["voters"]["ap1"]
    vote_cast(
        user=user,
        campaign_id=campaign.pk,
        ratings=ballot_for(campaign, user, special={m["law_b1"].pk: "excellent"}),
    )
    c = counters(campaign)
    assert c[(m["law_b1"].pk, "excellent")] == 1
    assert c[(m["law_b1"].pk, "qualified")] == 0
    assert c[(m["secretary"].pk, "qualified")] == 1
    assert c[(m["ap1"].pk, "qualified")] == 0  # nobody rates themselves
    assert total_votes(campaign) == 10
    assert BallotCast.objects.filter(campaign=campaign).count() == 1


def test_twice_is_409_and_counts_nothing(rating):
    campaign = rating["campaign"]
    user = rating["voters"]["ap2"]
    vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    with pytest.raises(AlreadyVotedError) as exc:
        vote_cast(
            user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user, "excellent")
        )
    assert exc.value.status == 409
    assert "只能投票一次" in exc.value.message
    assert total_votes(campaign) == 10
    assert BallotCast.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        ("secretary2", "other_branch", 403),  # a member of 机械党支部
        ("outsider", "not_member", 403),  # no member record at all
        ("activist", "not_participant", 403),  # the branch's activist is no Party member
    ],
)
def test_who_may_not_vote(rating, who, code, status):
    campaign = rating["campaign"]
    user = rating["users"][who]
    with pytest.raises(NotParticipantError) as exc:
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    assert (exc.value.code, exc.value.status) == (code, status)
    assert total_votes(campaign) == 0
    assert not BallotCast.objects.exists()


def test_not_before_the_opening_nor_after_the_close(branch):
    campaign, users = branch["campaign"], branch["users"]
    user = branch["voters"]["ap3"]
    with pytest.raises(AppraisalError) as exc:
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    assert exc.value.code == "not_open"
    campaign_advance(by_user=users["secretary"], campaign_id=campaign.pk)  # 民主测评 opens
    campaign_advance(by_user=users["secretary"], campaign_id=campaign.pk)  # … and closes
    with pytest.raises(AppraisalError) as exc:
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    assert exc.value.code == "closed"
    assert total_votes(campaign) == 0
    assert not BallotCast.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("drop_one", "incomplete"),
        ("add_self", "self"),
        ("add_outsider", "unknown_member"),
        ("bad_grade", "grade"),
    ],
)
def test_a_ballot_must_rate_every_other_member_once(rating, change, code):
    campaign, m = rating["campaign"], rating["members"]
    user = rating["voters"]["ap4"]
    ratings = ballot_for(campaign, user)
    if change == "drop_one":
        ratings.pop(m["law_b1"].pk)
    elif change == "add_self":
        ratings[m["ap4"].pk] = "excellent"
    elif change == "add_outsider":
        ratings[m["eng_b1"].pk] = "excellent"
    else:
        ratings[m["law_b1"].pk] = "perfect"
    with pytest.raises(AppraisalError) as exc:
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ratings)
    assert exc.value.code == code
    assert total_votes(campaign) == 0
    assert not BallotCast.objects.exists()


def test_a_probationary_member_rates_but_is_not_counted(rating):
    campaign = rating["campaign"]
    assert campaign.probationary_counted is False
    user = rating["voters"]["ap9"]  # 预备党员
    vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    assert BallotCast.objects.filter(campaign=campaign).count() == 1  # took part
    assert total_votes(campaign) == 0  # not counted
    with pytest.raises(AlreadyVotedError):
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))


def test_a_university_may_count_probationary_ratings(settings, branch):
    settings.DANGKE = {**settings.DANGKE, "APPRAISAL_PROBATIONARY_RATINGS_COUNTED": True}
    users, units = branch["users"], branch["units"]
    for i in range(2):
        member = make_member(units["eng_b1"], f"机械{i}", f"E00{i}", user=make_user(f"e{i}"))
        set_stage(member, "probationary")
    (campaign,) = campaign_open(by_user=users["office"], unit=units["eng_b1"], year=2030)
    assert campaign.probationary_counted is True
    campaign_advance(by_user=users["office"], campaign_id=campaign.pk)
    user = member.user
    vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    assert total_votes(campaign) == 3  # 王书记, 王五, 机械0


def test_counts_are_readable_only_after_the_close(rating):
    campaign = rating["campaign"]
    with pytest.raises(ValueError):
        selectors.result_rows(campaign=campaign)
    for key in ("ap1", "ap2", "ap3"):
        user = rating["voters"][key]
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    campaign = campaign_advance(by_user=rating["users"]["secretary"], campaign_id=campaign.pk)
    assert campaign.phase == Phase.PROPOSAL
    rows = {r.member.name: r for r in selectors.result_rows(campaign=campaign)}
    assert rows["张三"].counts == {"excellent": 0, "qualified": 3, "basic": 0, "unqualified": 0}
    assert rows["党员1"].total == 2
    p = selectors.participation(campaign=campaign)
    assert (p.voted, p.eligible) == (3, 11)


def test_counts_need_a_minimum_of_counted_ballots(settings, rating, client):
    """Two counted ballots (and a 预备党员's, not counted) stay unread below the default of 3:
    each of the two voters could subtract their own ballot and read the other's."""
    campaign = rating["campaign"]
    for key in ("ap1", "ap2", "ap9"):
        user = rating["voters"][key]
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    campaign = campaign_advance(by_user=rating["users"]["secretary"], campaign_id=campaign.pk)
    assert selectors.counted_ballots(campaign=campaign) == 2
    assert not selectors.counts_shown(campaign=campaign)
    assert all(r.counts is None for r in selectors.result_rows(campaign=campaign))
    client.force_login(rating["users"]["secretary"])
    results = client.get(f"/api/v1/appraisals/{campaign.pk}/results/").json()
    assert results["counts_shown"] is False and results["min_counted_ballots"] == 3
    assert results["voted"] == 3
    assert {r["qualified"] for r in results["rows"]} == {None}
    page = client.get(f"/party/appraisal/{campaign.pk}/committee/").content.decode()
    assert 'id="counts-hidden"' in page
    settings.DANGKE = {**settings.DANGKE, "APPRAISAL_MIN_COUNTED_BALLOTS": 2}
    results = client.get(f"/api/v1/appraisals/{campaign.pk}/results/").json()
    assert results["counts_shown"] is True
    zhang = next(r for r in results["rows"] if r["name"] == "张三")
    assert zhang["qualified"] == 2
    assert (
        'id="counts-hidden"'
        not in client.get(f"/party/appraisal/{campaign.pk}/committee/").content.decode()
    )
