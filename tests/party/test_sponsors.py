"""培养联系人 (细则 art. 9: one or two) and 入党介绍人 (art. 14: two 正式党员): named and replaced
on the member's page and through the API, inside the manager's scope; the gates then pass."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.exceptions import MemberError
from party.members.models import Sponsor, SponsorRole, Stage
from party.members.services import (
    sponsor_assign,
    sponsor_end,
    stage_change_record,
    stage_history_import,
)
from tests.party.conftest import make_member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def full_member(unit, no):
    person = make_member(unit, f"党员{no}", no)
    stage_history_import(
        member=person, entries=[(Stage.FULL_MEMBER, date(2020, 1, 1))], by_user=None
    )
    return person


@pytest.fixture
def people(tree):
    unit = tree["units"]["law_b1"]
    activist = tree["members"]["law_b1"]
    stage_history_import(
        member=activist,
        entries=[
            (Stage.APPLICANT, TODAY - relativedelta(months=30)),
            (Stage.ACTIVIST, TODAY - relativedelta(months=14)),
        ],
        by_user=None,
    )
    return {
        "activist": activist,
        "f1": full_member(unit, "F1"),
        "f2": full_member(unit, "F2"),
        "f3": full_member(unit, "F3"),
        "far": full_member(tree["units"]["eng_b1"], "F9"),
    }


def assign(people, tree, key, role=SponsorRole.CONTACT, user="secretary"):
    return sponsor_assign(
        member=people["activist"],
        sponsor=people[key],
        role=role,
        assigned_on=TODAY - relativedelta(months=1),
        by_user=tree["users"][user],
    )


def test_at_most_two_then_replace_by_ending_one(tree, people):
    assign(people, tree, "f1")
    assign(people, tree, "f2")
    with pytest.raises(MemberError) as caught:
        assign(people, tree, "f3")
    assert caught.value.code == "sponsor_limit" and "第九条" in caught.value.message
    first = Sponsor.objects.get(sponsor=people["f1"])
    sponsor_end(sponsor=first, ended_on=TODAY, by_user=tree["users"]["secretary"])
    assign(people, tree, "f3")
    assert set(
        Sponsor.objects.filter(ended_on__isnull=True).values_list("sponsor__student_no", flat=True)
    ) == {"F2", "F3"}


def test_a_sponsor_outside_the_scope_is_refused(tree, people):
    with pytest.raises(MemberError) as caught:
        assign(people, tree, "far")
    assert caught.value.code == "out_of_scope"
    assign(people, tree, "far", user="office")  # 组织部 sees every branch


def test_ending_is_dated_and_checked(tree, people):
    row = assign(people, tree, "f1")
    with pytest.raises(MemberError):
        sponsor_end(
            sponsor=row,
            ended_on=TODAY - relativedelta(months=2),
            by_user=tree["users"]["secretary"],
        )
    with pytest.raises(MemberError):
        sponsor_end(sponsor=row, ended_on=TODAY, by_user=tree["users"]["secretary2"])
    sponsor_end(sponsor=row, ended_on=TODAY, by_user=tree["users"]["secretary"])
    row.refresh_from_db()
    assert row.ended_on == TODAY


def test_the_page_names_a_contact_and_the_candidate_gate_then_passes(client, tree, people):
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:member_timeline", args=[people["activist"].pk])
    page = client.get(url).content.decode()
    assert "党员F1" in page and "党员F9" not in page  # candidates: full members in scope
    response = client.post(
        url,
        {
            "action": "sponsor",
            "role": "contact",
            "sponsor": people["f1"].pk,
            "assigned_on": (TODAY - relativedelta(months=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Sponsor.objects.filter(member=people["activist"], sponsor=people["f1"]).exists()
    change = stage_change_record(
        member=people["activist"],
        stage=Stage.CANDIDATE,
        decided_on=TODAY,
        decided_by="branch_committee",
        by_user=tree["users"]["secretary"],
    )
    assert change.stage == Stage.CANDIDATE


def test_the_page_ends_a_sponsor_and_shows_a_refusal(client, tree, people):
    row = assign(people, tree, "f1")
    assign(people, tree, "f2")
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:member_timeline", args=[people["activist"].pk])
    page = client.post(
        url,
        {
            "action": "sponsor",
            "role": "contact",
            "sponsor": people["f3"].pk,
            "assigned_on": TODAY.isoformat(),
        },
    ).content.decode()
    assert "请先结束其中一名" in page
    client.post(url, {"action": "sponsor_end", "sponsor_id": row.pk})
    row.refresh_from_db()
    assert row.ended_on == TODAY
    # The member themself cannot post on their own page.
    client.force_login(tree["users"]["member"])
    assert client.post(url, {"action": "sponsor_end", "sponsor_id": row.pk}).status_code == 404


def test_api_names_lists_and_ends(tree, people):
    client = APIClient()
    client.force_authenticate(tree["users"]["secretary"])
    url = reverse("api-member-sponsors", args=[people["activist"].pk])
    body = {"role": "introducer", "sponsor": people["f1"].pk, "assigned_on": str(TODAY)}
    response = client.post(url, body, format="json")
    assert response.status_code == 201 and response.json()["sponsor_name"] == "党员F1"
    far = {**body, "sponsor": people["far"].pk}
    assert client.post(url, far, format="json").status_code == 400
    not_full = {**body, "sponsor": tree["members"]["secretary"].pk}
    response = client.post(url, not_full, format="json")
    assert response.json()["code"] == "sponsor_not_full_member"
    (row,) = client.get(url).json()
    end = reverse("api-member-sponsor-end", args=[people["activist"].pk, row["id"]])
    response = client.post(end, {}, format="json")
    assert response.status_code == 200 and response.json()["ended_on"] == str(TODAY)
    # The member reads their own sponsors and may not change them.
    client.force_authenticate(tree["users"]["member"])
    assert client.get(url).status_code == 200
    assert client.post(url, body, format="json").status_code == 403
    client.force_authenticate(tree["users"]["secretary2"])
    assert client.get(url).status_code == 404
