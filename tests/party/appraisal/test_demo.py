"""The demo's 民主评议: the `secretary` account's branch has last year's campaign published and this
year's with its 民主测评 open; `member` (a 正式党员 there) votes once, and load_demo run again
changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from party.appraisal.models import BallotCast, Campaign, Phase, Tally

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Campaign.objects.order_by("year").values_list("year", "phase")),
        BallotCast.objects.count(),
        sorted(Tally.objects.values_list("votes", flat=True)),
    )


def test_demo_campaigns_and_a_member_votes(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    first = _state()
    call_command("load_demo", "--no-video")
    assert _state() == first
    year = timezone.localdate().year
    assert first[0] == [(year - 1, Phase.PUBLISHED), (year, Phase.PEER_RATING)]
    users = {u.username: u for u in get_user_model().objects.all()}
    member = users["member"]
    assert member.party_member.unit.name == "本科生第一党支部"
    last, this = Campaign.objects.order_by("year")
    assert last.unit_id == this.unit_id == users["secretary"].party_member.unit_id
    assert last.participants.filter(decided_grade="").count() == 0
    assert last.ballots.count() == 2 and this.ballots.count() == 0
    assert last.decided_on is not None and last.decided_on.year == year - 1

    client = APIClient()
    client.force_authenticate(member)
    ballot = client.get(f"/api/v1/appraisals/{this.pk}/ballot/").json()
    assert ballot["open"] and not ballot["has_voted"] and len(ballot["members"]) >= 4
    ratings = [{"member": m["member"], "grade": "qualified"} for m in ballot["members"]]
    url = f"/api/v1/appraisals/{this.pk}/votes/"
    assert client.post(url, {"ratings": ratings}, format="json").status_code == 201
    assert client.post(url, {"ratings": ratings}, format="json").status_code == 409
    mine = client.get(f"/api/v1/appraisals/{last.pk}/results/").json()
    assert [row["decided_grade"] for row in mine["rows"]] == ["excellent"]
    office = APIClient()
    office.force_authenticate(users["orgadmin"])
    report = office.get(
        f"/api/v1/units/{this.unit.get_parent().pk}/appraisal-report/?year={year - 1}"
    )
    row = next(r for r in report.json() if r["campaign"] == last.pk)
    assert row["excellent"] == 1 and row["undecided"] == 0 and row["voted"] == 2
