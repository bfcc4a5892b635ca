"""党费 reports per branch and month for a branch, a 院系党委 and the 组织部: the figures reconcile
with the ledger to the 分 both ways (the report's totals equal the sums of the ledger's payment
rows and owed months, and the ledger's per-member sums equal the report's per-branch cells), the
xlsx 党费收缴明细表 carries the same totals with who/when, and the scope holds."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from party.dues import reports, selectors, services
from party.dues.models import PaymentMonth
from party.dues.rules import Category
from party.members.models import Member, MemberAccessLog

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, m, 1) for m in range(1, 7))


@pytest.fixture
def ledger(dues):
    users, members = dues["users"], dues["members"]
    t, s2 = users["treasurer"], users["secretary2"]
    services.base_set(
        by_user=t,
        member=members["law_b1"],
        starts_on=JAN,
        category=Category.SALARIED,
        declared_base="3333.33",
    )  # 16.67 a month (0.5% of 3333.33 = 16.66665, half up)
    services.base_set(
        by_user=t, member=members["secretary"], starts_on=JAN, category=Category.STUDENT
    )
    services.base_set(
        by_user=t, member=members["probationary"], starts_on=JAN, category=Category.STUDENT
    )
    services.base_set(
        by_user=s2,
        member=members["eng_b1"],
        starts_on=JAN,
        category=Category.RETIRED,
        declared_base="5000.01",
    )  # 50.00
    services.payment_record(
        by_user=t, member=members["law_b1"], months=[JAN, FEB, MAR], amount="50.01"
    )
    wrong = services.payment_record(
        by_user=t, member=members["law_b1"], months=[APR], amount="16.76"
    )
    services.payment_reverse(by_user=t, payment=wrong, note="金额录错")
    services.payment_record(by_user=t, member=members["law_b1"], months=[APR], amount="16.67")
    services.payment_record(
        by_user=t, member=members["secretary"], months=[JAN, FEB], amount="1.00"
    )  # 多交
    services.payment_record(by_user=t, member=members["probationary"], months=[MAR], amount="0.20")
    services.payment_record(
        by_user=s2, member=members["eng_b1"], months=[JAN, FEB, MAR, APR, MAY], amount="250"
    )
    return dues


def _reconcile(report, branches):
    members = list(Member.objects.filter(unit__in=branches))
    paid_rows = PaymentMonth.objects.filter(
        member__in=members, month__range=(report.first, report.last)
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    paid_rows = paid_rows.quantize(Decimal("0.01"))
    books = selectors.ledgers(members=members, first=report.first, last=report.last)
    owed_lines = sum((line.owed for b in books.values() for line in b.lines), Decimal("0.00"))
    # Report → ledger: its totals are the sums of the payment rows and of the owed months.
    assert report.paid == paid_rows
    assert report.owed == owed_lines
    # Ledger → report: each member's months, summed per branch and month, are the report's cells.
    for row in report.branches:
        for cell in row.months:
            lines = [books[m.pk].line(cell.month) for m in members if m.unit_id == row.unit.pk]
            assert cell.paid == sum((line.paid for line in lines), Decimal("0.00"))
            assert cell.owed == sum((line.owed for line in lines), Decimal("0.00"))
    assert sum((m.paid for m in report.months), Decimal("0.00")) == report.paid
    assert report.outstanding == report.owed - report.paid


def test_college_report_reconciles_to_the_fen(ledger, django_assert_max_num_queries):
    units = ledger["units"]
    client = Client()
    client.force_login(ledger["users"]["organiser"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dues:report"), {"unit": units["law"].pk, "year": 2026})
    report = response.context["report"]
    assert [r.unit.name for r in report.branches] == ["法学本科生党支部", "法学研究生党支部"]
    assert report.paid == Decimal("67.88")  # 50.01 + 16.76 − 16.76 + 16.67 + 1.00 + 0.20
    assert str(report.paid) == "67.88"  # to the 分, on SQLite too (its SUM is a float)
    _reconcile(report, [units["law_b1"], units["law_b2"]])


def test_office_report_and_xlsx_match(ledger):
    units = ledger["units"]
    report = reports.dues_report(
        user=ledger["users"]["office"], unit=units["uni"], first=JAN, last=JUN
    )
    _reconcile(report, [units["law_b1"], units["law_b2"], units["eng_b1"]])
    assert report.paid == Decimal("317.88")
    client = Client()
    client.force_login(ledger["users"]["office"])
    response = client.get(reverse("dues:report_xlsx"), {"unit": units["uni"].pk, "year": 2026})
    book = load_workbook(io.BytesIO(response.content))
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert "党费收缴明细表" in summary[0][0] and summary[1][0] == "导出人：office"
    total = summary[-1]
    assert total[1] == "合计"
    assert [Decimal(str(v)) for v in total[-3:]] == [report.owed, report.paid, report.outstanding]
    detail = list(book["明细"].iter_rows(values_only=True))[3:]
    assert sum(Decimal(str(r[-2])) for r in detail) == report.paid
    assert MemberAccessLog.objects.filter(action="export").count() == len(detail)


def test_report_scope(ledger):
    units = ledger["units"]
    client = Client()
    client.force_login(ledger["users"]["secretary2"])
    assert client.get(reverse("dues:report"), {"unit": units["law"].pk}).status_code == 404
    own = client.get(reverse("dues:report"))
    assert [r.unit.name for r in own.context["report"].branches] == ["机械党支部"]
    member = Client()
    member.force_login(ledger["users"]["member"])
    assert member.get(reverse("dues:report")).status_code == 404
