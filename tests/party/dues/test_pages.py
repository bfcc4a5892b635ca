"""The 党费 pages: the branch's month grid with the behind list and the 党章第九条 flag, the forms of
the finance roles (one payment, a month in bulk, 冲正, reasons, the base), the member's page with
the declared base for the right eyes only, 我的党费 from 我的; refusals leave nothing written."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from party.dues import services
from party.dues.models import ArrearsReason, DuesBase, Payment
from party.dues.rules import Category
from party.members.models import MemberAccessLog

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR, MAY = (date(2026, m, 1) for m in range(1, 6))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def books(zhang_pays_january):
    dues = zhang_pays_january
    users, members = dues["users"], dues["members"]
    treasurer = users["treasurer"]
    for key in ("secretary", "treasurer"):
        services.base_set(
            by_user=treasurer, member=members[key], starts_on=JAN, category=Category.STUDENT
        )
    # 钱委员 owes from December 2025 and never pays: six months by May (the flag).
    services.base_set(
        by_user=treasurer,
        member=members["publicity"],
        starts_on=date(2025, 12, 1),
        category=Category.STUDENT,
    )
    # 张三 pays January only (zhang_pays_january): February–May late (June is not over yet).
    for key in ("secretary", "treasurer"):
        services.payment_record(
            by_user=treasurer,
            member=members[key],
            months=[JAN, FEB, MAR, APR, MAY],
            amount="1.00",
        )
    return dues


def test_branch_page_grid_behind_list_and_forms(books, django_assert_max_num_queries):
    unit = books["units"]["law_b1"]
    client = client_for(books["users"]["treasurer"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("dues:branch", args=[unit.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="dues-grid"' in page and 'id="bulk-form"' in page and 'id="pay-form"' in page
    behind = response.context["behind"]
    assert [a.member.name for a in behind] == ["钱委员", "张三"]  # 6 months, then 4
    assert behind[1].outstanding == Decimal("160.00")
    assert [a.member.name for a in response.context["flagged"]] == ["钱委员"]
    assert (
        response.context["total_owed"] - response.context["total_paid"]
        == (response.context["total_outstanding"])
    )
    # The 组织员 reads the same page without the forms; another branch's 书记 gets 404.
    page = client_for(books["users"]["organiser"]).get(reverse("dues:branch", args=[unit.pk]))
    assert page.status_code == 200 and b'id="pay-form"' not in page.content
    other = client_for(books["users"]["secretary2"]).get(reverse("dues:branch", args=[unit.pk]))
    assert other.status_code == 404


def test_pay_several_months_and_refusals_write_nothing(books):
    unit, members = books["units"]["law_b1"], books["members"]
    client = client_for(books["users"]["treasurer"])
    url = reverse("dues:pay", args=[unit.pk])
    before = Payment.objects.count()
    for amount in ("-5", "abc", "0"):
        response = client.post(
            url, {"member": members["law_b1"].pk, "months": ["2026-02"], "amount": amount}
        )
        assert response.status_code == 302
    future = client.post(
        url, {"member": members["law_b1"].pk, "months": ["2026-07"], "amount": "40"}, follow=True
    )
    assert "还没到" in future.content.decode()
    other_unit = client.post(
        url, {"member": members["eng_b1"].pk, "months": ["2026-02"], "amount": "1"}
    )
    assert other_unit.status_code == 302
    assert Payment.objects.count() == before
    client.post(
        url,
        {
            "member": members["law_b1"].pk,
            "months": ["2026-02", "2026-03", "2026-04"],
            "amount": "120",
        },
    )
    payment = Payment.objects.get(member=members["law_b1"], amount=Decimal("120.00"))
    assert [m.amount for m in payment.months.all()] == [Decimal("40.00")] * 3
    assert payment.recorded_by == books["users"]["treasurer"]
    # Not a finance role: 404, nothing written.
    organiser = client_for(books["users"]["organiser"])
    assert organiser.post(url, {"member": members["law_b1"].pk}).status_code == 404


def test_bulk_all_or_nothing(books):
    unit, members = books["units"]["law_b1"], books["members"]
    client = client_for(books["users"]["treasurer"])
    url = reverse("dues:bulk", args=[unit.pk])
    ids = [members["law_b1"].pk, members["publicity"].pk]
    before = Payment.objects.count()
    client.post(
        url,
        {
            "month": "2026-05",
            "member": ids,
            f"amount_{ids[0]}": "40",
            f"amount_{ids[1]}": "-0.2",
        },
    )
    assert Payment.objects.count() == before
    client.post(
        url,
        {"month": "2026-05", "member": ids, f"amount_{ids[0]}": "40", f"amount_{ids[1]}": "0.2"},
    )
    assert Payment.objects.count() == before + 2
    assert Payment.objects.filter(source="bulk").count() == 2


def test_reverse_with_note_and_reason(books):
    unit, members = books["units"]["law_b1"], books["members"]
    client = client_for(books["users"]["treasurer"])
    payment = Payment.objects.get(member=members["law_b1"])
    assert client.post(reverse("dues:reverse", args=[payment.pk]), {"note": ""}).status_code == 302
    assert not Payment.objects.filter(corrects=payment).exists()
    client.post(reverse("dues:reverse", args=[payment.pk]), {"note": "登记错人"})
    assert Payment.objects.get(corrects=payment).amount == Decimal("-40.00")
    client.post(
        reverse("dues:reason", args=[unit.pk]),
        {
            "member": members["publicity"].pk,
            "starts_on": "2026-01",
            "ends_on": "2026-03",
            "reason": "出国学习",
        },
    )
    assert ArrearsReason.objects.filter(member=members["publicity"]).exists()
    page = client.get(reverse("dues:branch", args=[unit.pk]))
    assert page.context["flagged"] == []  # January–March excused: the run is two


def test_member_page_declared_base_only_for_finance_roles(books):
    member = books["members"]["law_b1"]
    url = reverse("dues:member", args=[member.pk])
    treasurer = client_for(books["users"]["treasurer"]).get(url)
    assert treasurer.context["show_base"] and "4000.00" in treasurer.content.decode()
    assert MemberAccessLog.objects.filter(member=member, what="查看党费申报基数").count() == 1
    organiser = client_for(books["users"]["organiser"]).get(url)
    assert organiser.status_code == 200 and "4000.00" not in organiser.content.decode()
    assert not organiser.context["show_base"]
    assert client_for(books["users"]["secretary2"]).get(url).status_code == 404


def test_base_form_sets_the_amount(books):
    member = books["members"]["law_b1"]
    client = client_for(books["users"]["treasurer"])
    url = reverse("dues:base", args=[member.pk])
    client.post(url, {"starts_on": "2026-04", "category": "salaried", "declared_base": ""})
    assert DuesBase.objects.filter(member=member).count() == 1
    client.post(url, {"starts_on": "2026-04", "category": "salaried", "declared_base": "6000"})
    assert DuesBase.objects.filter(member=member).latest("starts_on").monthly_amount == Decimal(
        "90.00"
    )
    assert client_for(books["users"]["organiser"]).post(url, {}).status_code == 404


def test_my_dues_from_the_account_page(books):
    client = client_for(books["users"]["member"])
    account = client.get(reverse("my-account")).content.decode()
    assert reverse("dues:my") in account
    response = client.get(reverse("dues:my"))
    data = response.context["data"]
    assert data["ledger"].owed == Decimal("240.00")  # January–June at 40.00
    assert data["ledger"].paid == Decimal("40.00")
    assert [p.amount for p in data["receipts"]] == [Decimal("40.00")]
    assert "4000.00" in response.content.decode()  # the member sees their own declared base
    nobody = client_for(books["users"]["outsider"]).get(reverse("dues:my"))
    assert nobody.status_code == 200 and nobody.context["data"] is None
