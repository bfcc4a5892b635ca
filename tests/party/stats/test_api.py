"""GET /api/v1/units/{id}/stats/ and the year-end workbook: scope, input, shape, queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from party.dues import summary
from party.dues.models import DuesBase
from party.members.models import Stage
from party.organisation.models import UnitKind
from party.organisation.services import unit_create
from tests.party.conftest import make_member
from tests.party.stats.conftest import history

PINNED_QUERIES = 17


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_office_reads_the_university_on_a_past_date(people, tree):
    uni = tree["units"]["uni"]
    response = client_for(tree["users"]["office"]).get(
        reverse("api-unit-stats", kwargs={"pk": uni.pk}), {"date": "2025-12-31"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["unit"] == {"id": uni.pk, "name": uni.name, "kind": "university"}
    assert data["date"] == "2025-12-31"
    assert data["stages"]["totals"][Stage.ACTIVIST] == 3
    assert data["stages"]["members"] == 5
    assert data["development"]["start"] == "2025-01-01"
    assert data["development"]["totals"][Stage.CANDIDATE] == 2
    assert data["pipeline"]["steps"][1]["median_days"] == 378.5
    assert data["pipeline"]["stuck"][0]["people"][0]["name"] == "overdue"
    assert data["profile"]["minority"]["total"] == 2


def test_scope_secretary_sees_the_branch_only(people, tree):
    client = client_for(tree["users"]["secretary"])
    own = client.get(reverse("api-unit-stats", kwargs={"pk": tree["units"]["law_b1"].pk}))
    assert own.status_code == 200
    for other in ("uni", "law", "law_b2", "eng_b1"):
        url = reverse("api-unit-stats", kwargs={"pk": tree["units"][other].pk})
        assert client.get(url).status_code == 404
    member = client_for(tree["users"]["member"])
    url = reverse("api-unit-stats", kwargs={"pk": tree["units"]["law_b1"].pk})
    assert member.get(url).status_code == 404
    organiser = client_for(tree["users"]["organiser"])
    url = reverse("api-unit-stats", kwargs={"pk": tree["units"]["law"].pk})
    assert organiser.get(url).status_code == 200
    url = reverse("api-unit-stats", kwargs={"pk": tree["units"]["eng"].pk})
    assert organiser.get(url).status_code == 404


@pytest.mark.parametrize(
    "value,code",
    [("2025-13-01", "invalid_date"), ("yesterday", "invalid_date"), ("2999-01-01", "future_date")],
)
def test_bad_dates_are_400_with_a_message(people, tree, value, code):
    url = reverse("api-unit-stats", kwargs={"pk": tree["units"]["uni"].pk})
    response = client_for(tree["users"]["office"]).get(url, {"date": value})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_bad_year_is_400(people, tree):
    url = reverse("api-unit-stats-xlsx", kwargs={"pk": tree["units"]["uni"].pk})
    response = client_for(tree["users"]["office"]).get(url, {"year": "20x5"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_year"


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"date": "2025-12-31"}).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_tree(people, tree):
    url = reverse("api-unit-stats", kwargs={"pk": tree["units"]["uni"].pk})
    client = client_for(tree["users"]["office"])
    # 党费 from 2025 on, and the summary holding its months (as the periodic job keeps it).
    DuesBase.objects.create(
        member=people["full"],
        starts_on=date(2025, 1, 1),
        category="student",
        monthly_amount=Decimal("0.20"),
        recorded_by=tree["users"]["office"],
    )
    assert summary.update()
    _count(client, url)  # caches warmed (content types, permissions)
    small = _count(client, url)
    for i in range(4):
        branch = unit_create(kind=UnitKind.BRANCH, name=f"新支部{i}", parent=tree["units"]["eng"])
        for j in range(5):
            member = make_member(branch, f"新{i}-{j}", f"N{i}{j:03d}")
            history(
                member, (Stage.APPLICANT, date(2024, 1, 1)), (Stage.PROBATIONARY, date(2025, 1, 2))
            )
    # The scope, the unit, the members' stages on the day (once, shared by the stage, profile,
    # past-a-rule's-date, compliance and yearly 学时 panels), the engine (development 1, the pipeline's steps
    # 1, the past-a-rule's-date list: the extended members' changes, names, branch names), the
    # branches and units under, compliance (3), dues
    # (2: the months the summary holds, their sums), appraisal (which year has a campaign; that
    # year's campaigns and grades only when one has), yearly 学时 (committee posts; the ledger sum
    # only when a Party member has an account).
    assert _count(client, url) == small == PINNED_QUERIES
