"""组织关系转接 from the member timeline and the API: who sees the form and which branches it
offers, a refusal shown in Chinese with nothing written, the history on the page; the API's
history, scoped POST (201 / 400 with a code / 403 on the own record) and no edit or delete."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from party.members.models import MemberTransfer

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_timeline_form_offers_only_the_callers_branches_and_records(client, tree):
    member = tree["members"]["law_b1"]
    url = reverse("party:member_timeline", args=[member.pk])
    client.force_login(tree["users"]["secretary"])
    assert (
        'id="transfer-form"' not in client.get(url).content.decode()
    )  # 书记: no branch to move to
    assert (
        client.post(url, {"action": "transfer", "to_unit": tree["units"]["law_b2"].pk}).status_code
        == 404
    )
    client.force_login(tree["users"]["organiser"])
    page = client.get(url).content.decode()
    assert 'id="transfer-form"' in page and "法学研究生党支部" in page
    assert "机械党支部" not in page  # another college: the 组织部's
    payload = {"action": "transfer", "to_unit": tree["units"]["law_b2"].pk, "on": "2999-01-01"}
    page = client.post(url, payload).content.decode()
    assert "转入日期不能晚于今天" in page and not MemberTransfer.objects.exists()
    payload |= {"on": "2026-03-10", "letter_no": "法组转 007"}
    assert client.post(url, payload).status_code == 302
    member.refresh_from_db()
    assert member.unit == tree["units"]["law_b2"]
    page = client.get(url).content.decode()
    assert "2026-03-10 法学本科生党支部（第一党小组） → 法学研究生党支部" in page
    assert "法组转 007" in page


def test_api_history_and_scoped_post(tree):
    member, units = tree["members"]["law_b1"], tree["units"]
    url = f"/api/v1/members/{member.pk}/transfers/"
    body = {"to_unit": units["law_b2"].pk, "on": "2026-03-10", "letter_no": "007"}
    refused = api(tree["users"]["secretary"]).post(url, body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "out_of_scope"
    assert api(tree["users"]["member"]).post(url, body, format="json").status_code == 403
    assert api(tree["users"]["secretary2"]).post(url, body, format="json").status_code == 404
    missing = api(tree["users"]["office"]).post(url, {"to_unit": 0, "on": "2026-03-10"})
    assert missing.status_code == 400 and not MemberTransfer.objects.exists()
    created = api(tree["users"]["organiser"]).post(url, body, format="json")
    assert created.status_code == 201
    row = created.json()
    assert (row["from_unit_name"], row["to_unit_name"]) == ("法学本科生党支部", "法学研究生党支部")
    assert row["from_group"] == units["law_g1"].pk and row["on"] == "2026-03-10"
    # The member reads their own history; the old branch's secretary no longer sees the record.
    listed = api(tree["users"]["member"]).get(url)
    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [row["id"]]
    assert api(tree["users"]["secretary"]).get(url).status_code == 404
    # Append-only: no edit or delete anywhere.
    for method in ("put", "patch", "delete"):
        response = getattr(api(tree["users"]["office"]), method)(url, body, format="json")
        assert response.status_code == 405
    assert MemberTransfer.objects.get().on == date(2026, 3, 10)
