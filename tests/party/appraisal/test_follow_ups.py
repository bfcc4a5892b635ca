"""Follow-ups of members graded 不合格 through the API: added, then closed with outcome and day;
an empty outcome, a follow-up of another campaign or one already closed is refused (400) and
nothing changes."""

from rest_framework.test import APIClient

from party.appraisal.models import FollowUp
from party.appraisal.services import (
    campaign_advance,
    campaign_open,
    decision_record,
    follow_up_add,
    proposals_set,
    vote_cast,
)
from tests.party.appraisal.conftest import ballot_for


def test_a_follow_up_is_closed_through_the_api(rating):
    campaign, users, m = rating["campaign"], rating["users"], rating["members"]
    secretary = users["secretary"]
    for key in ("ap1", "ap2", "ap3"):
        user = rating["voters"][key]
        vote_cast(user=user, campaign_id=campaign.pk, ratings=ballot_for(campaign, user))
    campaign_advance(by_user=secretary, campaign_id=campaign.pk)
    grades = {p.member_id: "qualified" for p in campaign.participants.all()}
    grades[m["law_b1"].pk] = "unqualified"
    proposals_set(by_user=secretary, campaign_id=campaign.pk, proposals=grades)
    campaign_advance(by_user=secretary, campaign_id=campaign.pk)
    decision_record(by_user=secretary, campaign_id=campaign.pk, decided_on=campaign.proposal_from)
    participant = campaign.participants.get(member=m["law_b1"])
    follow_up = follow_up_add(
        by_user=secretary, participant_id=participant.pk, action="persuade", note="谈话"
    )
    client = APIClient()
    client.force_authenticate(secretary)
    url = f"/api/v1/appraisals/{campaign.pk}/follow-ups/close/"
    assert client.post(url, {"follow_up": follow_up.pk, "outcome": " "}).status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.closed_on is None and follow_up.outcome == ""
    (other,) = campaign_open(by_user=secretary, unit=campaign.unit, year=campaign.year - 1)
    other_url = f"/api/v1/appraisals/{other.pk}/follow-ups/close/"
    assert client.post(other_url, {"follow_up": follow_up.pk, "outcome": "x"}).status_code == 400
    answer = client.post(
        url, {"follow_up": follow_up.pk, "outcome": "本人表示接受", "closed_on": "2030-01-15"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["closed_on"] == "2030-01-15"
    follow_up = FollowUp.objects.get(pk=follow_up.pk)
    assert follow_up.outcome == "本人表示接受" and str(follow_up.closed_on) == "2030-01-15"
    again = client.post(url, {"follow_up": follow_up.pk, "outcome": "再改"})
    assert again.status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.outcome == "本人表示接受"
