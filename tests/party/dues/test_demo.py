"""The demo's 党费: a year for the demo branches, a few members behind, one flagged; idempotent;
the `member` account sees its own dues."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from party.dues import selectors
from party.dues.models import DuesBase, Payment

pytestmark = pytest.mark.django_db


def test_demo_dues(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    counts = (DuesBase.objects.count(), Payment.objects.count())
    assert counts[1] > 0
    users = {u.username: u for u in get_user_model().objects.all()}
    unit = selectors.finance_units(user=users["secretary"]).get()
    behind = {
        a.member.name: a for a in selectors.arrears(members=selectors.branch_members(unit=unit))
    }
    assert len(behind["王老师"].late_months) == 2 and not behind["王老师"].flagged
    assert behind["赵老师"].flagged
    call_command("load_demo", "--no-video")
    assert (DuesBase.objects.count(), Payment.objects.count()) == counts
    client = Client()
    client.force_login(users["member"])
    mine = client.get(reverse("dues:my")).context["data"]
    assert mine["member"].name == "王老师" and mine["receipts"]
