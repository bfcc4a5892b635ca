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
from party.dues.values import month_span
from party.members.models import Member, MemberAccessLog, Stage, StageChange
from party.members.services import member_transfer
from tests.party.conftest import make_member
from tests.spreadsheets import assert_header_frozen

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
    assert_header_frozen(book["汇总"], "序号")
    assert_header_frozen(book["明细"], "序号")
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


def _from_ledger(books, members, unit, month):
    """A report cell recomputed from the members' ledger lines (the per-member rule in Python)."""
    lines = [books[m.pk].line(month) for m in members if m.unit_id == unit.pk]
    owing = [line for line in lines if line.owed > 0]
    return (
        sum((line.owed for line in lines), Decimal("0.00")),
        sum((line.paid for line in lines), Decimal("0.00")),
        len(owing),
        sum(1 for line in owing if line.paid >= line.owed),
    )


def test_sql_cells_equal_the_ledger_on_every_edge(ledger):
    """branch_report aggregates in SQL what `ledgers` computes per member: bases changing and
    corrected (same start, the later record wins), membership starting, ending and decided twice
    on one day (the later record wins), the current month counted on today, a month not yet
    come, under-, over- and non-member payments — equal cell by cell, to the 分."""
    units, users, members = ledger["units"], ledger["users"], ledger["members"]
    t = users["treasurer"]
    # A base change in April (0.5% of 4000.02 = 20.00) and a correction of it (later record wins).
    services.base_set(
        by_user=t,
        member=members["law_b1"],
        starts_on=APR,
        category=Category.SALARIED,
        declared_base="4000.02",
    )
    services.base_set(
        by_user=t,
        member=members["law_b1"],
        starts_on=APR,
        category=Category.SALARIED,
        declared_base="5000.00",
    )  # 40.00 (1% of 4000.02), corrected to 50.00 (1% of 5000.00)
    # The 宣传委员 has a base, then stops being a member on 2026-04-20 and is set back the same
    # day by a later record: still a member (ties go to the later record).
    pub = members["publicity"]
    services.base_set(by_user=t, member=pub, starts_on=JAN, category=Category.STUDENT)
    StageChange.objects.create(
        member=pub,
        stage=Stage.PROBATION_CANCELLED,
        decided_on=date(2026, 4, 20),
        decided_by="records",
    )
    StageChange.objects.create(
        member=pub, stage=Stage.FULL_MEMBER, decided_on=date(2026, 4, 20), decided_by="records"
    )
    # The 组织委员 paid March, then a cancellation on 2026-03-05 was recorded: owes January and
    # February only; the March payment still counts as paid (by someone not owing it).
    services.base_set(
        by_user=t, member=members["treasurer"], starts_on=JAN, category=Category.STUDENT
    )
    services.payment_record(by_user=t, member=members["treasurer"], months=[MAR], amount="3.00")
    StageChange.objects.create(
        member=members["treasurer"],
        stage=Stage.PROBATION_CANCELLED,
        decided_on=date(2026, 3, 5),
        decided_by="records",
    )
    # The probationary member underpays April.
    services.payment_record(by_user=t, member=members["probationary"], months=[APR], amount="0.10")
    services.payment_record(by_user=t, member=pub, months=[MAY, JUN], amount="0.40")

    branches = [units["law_b1"], units["law_b2"], units["eng_b1"]]
    july = date(2026, 7, 1)  # not yet come: counted on today, as the ledger does
    cells = selectors.branch_report(units=branches, first=JAN, last=july)
    people = list(Member.objects.filter(unit__in=branches))
    books = selectors.ledgers(members=people, first=JAN, last=july)
    assert len(cells) == 3 * 7
    for cell in cells:
        expected = _from_ledger(books, people, cell.unit, cell.month)
        assert (cell.owed, cell.paid, cell.members, cell.paid_members) == expected, cell
        assert str(cell.owed) == f"{cell.owed:.2f}" and str(cell.paid) == f"{cell.paid:.2f}"
    # And the edges by hand, in the ledger the cells equal:
    line = books[members["law_b1"].pk].line
    assert (line(MAR).owed, line(APR).owed) == (Decimal("33.33"), Decimal("50.00"))
    line = books[members["treasurer"].pk].line
    assert [line(m).owed for m in (FEB, MAR)] == [Decimal("0.20"), Decimal("0.00")]
    assert line(MAR).paid == Decimal("3.00")
    assert books[pub.pk].line(MAY).owed == Decimal("0.20")
    assert books[members["probationary"].pk].line(FEB).owed == Decimal("0.00")
    totals = selectors.month_totals(cells=cells, first=JAN, last=july)
    assert [t.month for t in totals] == month_span(JAN, july)
    assert sum((t.paid for t in totals), Decimal("0.00")) == sum(
        (c.paid for c in cells), Decimal("0.00")
    )


STAGE_PICKS = (
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.PROBATIONARY,
    Stage.PROBATION_EXTENDED,
    Stage.FULL_MEMBER,
    Stage.PROBATION_CANCELLED,
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_cells_equal_the_ledger_on_generated_data(dues, seed):
    """The SQL spans (base ranges × member-stage ranges over month indexes) give the per-member
    ledger's cells on random histories: bases starting, corrected on the same start and starting
    mid-month or after today; stages decided on month ends, twice on one day, after today and
    back and forth; payments under, at and over what is owed, reversed, and by non-members —
    over a span of months from before the first base to two months not yet come."""
    import random

    from party.dues.models import DuesBase, Payment

    rng = random.Random(seed)
    units, users = dues["units"], dues["users"]
    branches = [units["law_b1"], units["law_b2"], units["eng_b1"]]
    first, last = date(2025, 10, 1), date(2026, 8, 1)
    months = month_span(first, last)
    days = [date(2025, 9, 20), date(2025, 11, 30), date(2026, 6, 15), date(2026, 6, 16)]
    days += [date(2025, 9, 1) + (date(2026, 7, 31) - date(2025, 9, 1)) * k / 40 for k in range(41)]
    for n in range(24):
        member = make_member(branches[n % 3], f"随机{n}", f"R{seed}{n:03d}")
        for _ in range(rng.randint(0, 5)):
            StageChange.objects.create(
                member=member,
                stage=rng.choice(STAGE_PICKS),
                decided_on=rng.choice(days),
                decided_by="records",
            )
        for _ in range(rng.randint(0, 3)):
            start = rng.choice([*months[:9], date(2026, 3, 15)])
            DuesBase.objects.create(
                member=member,
                starts_on=start,
                category=Category.STUDENT,
                monthly_amount=Decimal(rng.choice(["0.20", "16.67", "33.33", "50.00"])),
                recorded_by=users["treasurer"],
            )
        for month in rng.sample(months[:9], rng.randint(0, 6)):
            amount = Decimal(rng.choice(["0.10", "0.20", "16.67", "16.66", "50.00", "60.00"]))
            for sign in (1, -1) if rng.random() < 0.2 else (1,):
                payment = Payment.objects.create(
                    member=member, amount=sign * amount, paid_on=date(2026, 6, 1), source="single"
                )
                PaymentMonth.objects.create(
                    payment=payment, member=member, month=month, amount=sign * amount
                )
    cells = selectors.branch_report(units=branches, first=first, last=last)
    people = list(Member.objects.filter(unit__in=branches))
    books = selectors.ledgers(members=people, first=first, last=last)
    assert len(cells) == 3 * len(months)
    assert any(cell.members for cell in cells) and any(cell.paid_members for cell in cells)
    for cell in cells:
        expected = _from_ledger(books, people, cell.unit, cell.month)
        assert (cell.owed, cell.paid, cell.members, cell.paid_members) == expected, cell


def test_a_member_who_moved_is_in_the_branch_of_each_month_on_both_sheets(ledger):
    """张三 moves from 法学本科生党支部 to 法学研究生党支部 on 10 April: on 汇总 and on 明细 alike his
    January–March are in the first branch and April–June in the second (one rule,
    selectors.branch_lines); each branch's rows on 明细 add up to its row on 汇总."""
    units, users, members = ledger["units"], ledger["users"], ledger["members"]
    member_transfer(
        member=members["law_b1"],
        to_unit=units["law_b2"],
        on=date(2026, 4, 10),
        by_user=users["office"],
    )
    client = Client()
    client.force_login(users["office"])
    response = client.get(reverse("dues:report_xlsx"), {"unit": units["law"].pk, "year": 2026})
    book = load_workbook(io.BytesIO(response.content))
    summary = {r[1]: r for r in list(book["汇总"].iter_rows(values_only=True))[3:-1]}
    detail = list(book["明细"].iter_rows(values_only=True))[3:]
    zhang = [(r[1], r[4:10]) for r in detail if r[2] == members["law_b1"].name]
    assert zhang == [
        ("法学本科生党支部", (33.33, 16.68, 0, None, None, None)),  # 50.01 as allocated
        ("法学研究生党支部", (None, None, None, 16.67, 0, 0)),
    ]
    for name in ("法学本科生党支部", "法学研究生党支部"):
        rows = [r for r in detail if r[1] == name]
        # 汇总: 序号, 党支部, then 应交 and 实交 per month, then the totals.
        assert Decimal(str(summary[name][-3])) == sum(Decimal(str(r[-3])) for r in rows)
        assert Decimal(str(summary[name][-2])) == sum(Decimal(str(r[-2])) for r in rows)
        for i in range(6):
            paid_in_month = sum(Decimal(str(r[4 + i] or 0)) for r in rows)
            assert Decimal(str(summary[name][3 + 2 * i])) == paid_in_month
    # The export is logged once per member, whatever the number of rows.
    assert MemberAccessLog.objects.filter(action="export", member=members["law_b1"]).count() == 1
