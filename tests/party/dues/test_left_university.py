"""党费 of a member who 转出本校 (issue 16): nothing is owed for the months after the 转出 — on the
branch's grid, the bulk form, the month's rows and the behind list of the API, the summary and the
report — and a payment for one of them is refused naming the 转出; the months before it that are
unpaid stay visible and collectable, and the member is marked 已转出本校 with the date (one rule:
party.members' PartyMembership through `ledgers`, the branch of the month through branch_lines)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from party.dues import reports, selectors, services, summary
from party.dues.exceptions import DuesError
from party.dues.models import MonthSummary, Payment
from party.members.services import member_transfer_out
from tests.party.dues.test_statement import upload, xlsx

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in range(1, 7))
LEFT = date(2026, 4, 10)


@pytest.fixture
def left(zhang_pays_january):
    """张三 owes 40.00 a month from January, pays January and leaves on 10 April."""
    dues = zhang_pays_january
    users, members = dues["users"], dues["members"]
    member_transfer_out(
        member=members["law_b1"],
        on=LEFT,
        external_org="示范市教育局机关党委",
        by_user=users["organiser"],
    )
    members["law_b1"].refresh_from_db()
    return dues


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_branch_page_keeps_the_months_before_and_marks_the_member(left):
    unit, zhang = left["units"]["law_b1"], left["members"]["law_b1"]
    client = client_for(left["users"]["treasurer"])
    response = client.get(reverse("dues:branch", args=[unit.pk]))
    assert response.status_code == 200
    (row,) = [r for r in response.context["rows"] if r.member.pk == zhang.pk]
    assert [line.owed for line in row.lines] == [Decimal("40.00")] * 3 + [Decimal("0")] * 3
    assert row.outstanding == Decimal("80.00")  # February and March, still collectable
    page = response.content.decode()
    assert "已转出本校（2026-04-10）" in page
    (behind,) = response.context["behind"]
    assert behind.member.pk == zhang.pk and behind.late_months == [FEB, MAR]
    assert behind.unpaid_run == 0 and not behind.flagged  # flagged nowhere after leaving
    # The bulk form of June does not offer him; March's does (arrears before the 转出).
    assert zhang.pk not in {r["member"].pk for r in response.context["bulk_rows"]}
    march = client.get(reverse("dues:branch", args=[unit.pk]), {"month": "2026-03"})
    assert zhang.pk in {r["member"].pk for r in march.context["bulk_rows"]}
    # His own dues page says so too.
    page = client.get(reverse("dues:member", args=[zhang.pk])).content.decode()
    assert "组织关系已于 2026-04-10 转出本校" in page


def test_the_api_month_and_behind_list(left):
    unit, zhang = left["units"]["law_b1"], left["members"]["law_b1"]
    client = APIClient()
    client.force_authenticate(left["users"]["organiser"])
    url = f"/api/v1/units/{unit.pk}/dues/"
    may = client.get(url, {"month": "2026-05"}).json()
    assert zhang.pk not in {row["member"] for row in may}
    (march,) = [
        row for row in client.get(url, {"month": "2026-03"}).json() if row["name"] == "张三"
    ]
    assert (march["left_on"], march["owed"], march["outstanding"]) == (
        "2026-04-10",
        "40.00",
        "40.00",
    )
    (behind,) = client.get(f"/api/v1/units/{unit.pk}/dues/behind/").json()
    assert (behind["name"], behind["left_on"], behind["late_months"], behind["flagged"]) == (
        "张三",
        "2026-04-10",
        ["2026-02", "2026-03"],
        False,
    )
    others = [row for row in may if row["left_on"] is not None]
    assert others == []


def test_a_payment_after_the_transfer_is_refused_before_it_is_collected(left):
    treasurer, zhang = left["users"]["treasurer"], left["members"]["law_b1"]
    with pytest.raises(DuesError) as caught:
        services.payment_record(by_user=treasurer, member=zhang, months=[APR], amount="40")
    assert caught.value.code == "not_a_member"
    assert "已于 2026-04-10 转出本校" in caught.value.message and "2026-04" in caught.value.message
    assert Payment.objects.filter(member=zhang).count() == 1
    services.payment_record(by_user=treasurer, member=zhang, months=[FEB, MAR], amount="80")
    book = selectors.ledgers(members=[zhang], first=JAN, last=JUN)[zhang.pk]
    assert book.outstanding == Decimal("0")


def test_a_statement_row_for_a_month_after_the_transfer_is_a_row_error(left):
    unit = left["units"]["law_b1"]
    client = client_for(left["users"]["treasurer"])
    row = [1, "张三", "S001", "40", "2026-05", "2026-06-01", None, None]
    response = upload(client, unit, xlsx([row]))
    assert response.status_code == 400
    (error,) = response.context["result"]["errors"]
    assert "转出本校" in error.message
    ok = upload(
        client, unit, xlsx([[1, "张三", "S001", "40", "2026-03", "2026-06-01", None, None]])
    )
    assert ok.status_code == 302


def test_the_summary_and_the_report_count_the_months_before_only(left):
    unit = left["units"]["law_b1"]
    cells = selectors.cells_compute(unit_ids={unit.pk}, months=[MAR, APR, MAY])
    assert cells[(unit.pk, MAR)] == [4000, 0, 1, 0]
    assert (unit.pk, APR) not in cells and (unit.pk, MAY) not in cells
    summary.rebuild()
    held = {
        (row.month, row.owed_fen, row.members)
        for row in MonthSummary.objects.filter(unit=unit, month__in=[MAR, APR])
    }
    assert held == {(MAR, 4000, 1)}
    report = reports.dues_report(
        user=left["users"]["organiser"], unit=left["units"]["law"], first=JAN, last=JUN
    )
    (branch,) = [b for b in report.branches if b.unit.pk == unit.pk]
    assert branch.owed == Decimal("120.00") and branch.outstanding == Decimal("80.00")
