"""The dashboard's yearly 学时 panel: Party members of the subtree by the 学时 earned this year,
read through party.members.education.yearly_standing (the 32/56 line of issue 16)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from learning.progress.models import HoursLedgerEntry, LedgerSource
from party.members import education
from party.members.models import Stage
from party.stats.dashboard import hours_band, yearly_hours_panel
from tests.party.conftest import make_member
from tests.party.stats.conftest import history

pytestmark = pytest.mark.django_db


def _credit(user, amount, day=None):
    HoursLedgerEntry.objects.create(
        user=user,
        source=LedgerSource.OFFLINE_LECTURE,
        amount=Decimal(amount),
        occurred_on=day or timezone.localdate(),
    )


def _party_member(member, since=date(2020, 1, 1)):
    history(member, (Stage.PROBATIONARY, since), (Stage.FULL_MEMBER, date(since.year + 1, 1, 2)))


@pytest.fixture
def hours(tree):
    m = tree["members"]
    for key in ("law_b1", "secretary", "law_b2", "eng_b1"):
        _party_member(m[key])
    users = tree["users"]
    _credit(users["member"], "40")  # 张三: above 32
    _credit(users["member"], "30", date(timezone.localdate().year - 1, 6, 1))  # last year
    _credit(users["secretary"], "40")  # 李书记: a secretary, below 56
    return tree


def test_bands_split_at_the_lines():
    assert hours_band(Decimal("31.75")) == 3  # 24–32: below the members' line
    assert hours_band(Decimal("32")) == 4
    assert hours_band(Decimal("55.5")) == 6
    assert hours_band(Decimal("56")) == 7
    assert hours_band(Decimal("200")) == 8  # ≥ 64


def test_panel_counts_members_by_band_and_below_their_line(hours):
    panel = yearly_hours_panel(unit=hours["units"]["uni"], day=timezone.localdate())
    assert panel["available"] and panel["members"] == 4
    by_label = {band["label"]: band for band in panel["bands"]}
    # 李四 and 王五 have no account: 0 学时; 张三 and 李书记 40 this year (last year's 30 not counted).
    assert by_label["0–8"]["members"] == 2
    assert by_label["40–48"] == {"label": "40–48", "members": 2, "committee": 1}
    assert panel["below"] == 3  # two at 0, the secretary at 40 < 56
    assert panel["below_committee"] == 1
    assert (panel["required"], panel["required_committee"]) == ("32", "56")


def test_panel_is_the_subtree_only(hours):
    panel = yearly_hours_panel(unit=hours["units"]["law_b1"], day=timezone.localdate())
    assert panel["members"] == 2
    assert panel["below"] == 1


def test_dashboard_and_api_show_it(hours, client):
    client.force_login(hours["users"]["office"])
    page = client.get(reverse("stats:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="panel-yearly_hours"' in html
    assert 'id="table-yearly_hours"' in html
    assert "stroke-dasharray" in html  # the 32/56 lines
    api = APIClient()
    api.force_authenticate(hours["users"]["office"])
    data = api.get(reverse("api-unit-stats", kwargs={"pk": hours["units"]["uni"].pk})).json()
    assert data["yearly_hours"]["below"] == 3
    xlsx = client.get(reverse("stats:table-xlsx", args=[hours["units"]["uni"].pk, "yearly_hours"]))
    assert xlsx.status_code == 200


def test_panel_counts_the_members_of_the_day(hours):
    """As of a date, like every panel: a member admitted this year is not in last year's panel
    (the stage held that day, not today's)."""
    newcomer = make_member(hours["units"]["law_b1"], "新党员", "N0001")
    year = timezone.localdate().year
    history(newcomer, (Stage.PROBATIONARY, date(year, 1, 5)))
    assert yearly_hours_panel(unit=hours["units"]["uni"], day=timezone.localdate())["members"] == 5
    last_year = yearly_hours_panel(unit=hours["units"]["uni"], day=date(year - 1, 12, 31))
    assert last_year["members"] == 4


def test_committee_posts_read_whole_for_many_members(hours, monkeypatch):
    """Above MANY_MEMBERS the posts are read without the members' ids: the same figures."""
    few = yearly_hours_panel(unit=hours["units"]["uni"], day=timezone.localdate())
    monkeypatch.setattr(education, "MANY_MEMBERS", 0)
    assert yearly_hours_panel(unit=hours["units"]["uni"], day=timezone.localdate()) == few
    assert few["bands"][5]["committee"] == 1
