"""Path (issue 18's done-when): a branch's 书记 (a finance role, like the 组织委员) imports last
month's 缴费明细 from an Excel file with a title row, confirms the preview and sees who is behind
(one member flagged); a member opens 我的党费 from 我的 on a phone; the 院系党委's 组织员 opens the
report, whose totals equal the ledger's sums to the 分."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl import Workbook

from cms.roles import ORGANISERS, TRAINEES
from party.dues import selectors, services
from party.dues.models import PaymentMonth
from party.dues.rules import Category
from party.dues.values import add_months
from party.members.models import Gender, Member, Stage
from party.members.services import stage_history_import
from party.organisation.models import OrganiserAssignment, PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def dues_branch():
    this_month = selectors.this_month()
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="党费大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="党费学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="党费党支部", parent=college)
    keeper = make_user("zuzhi", role=TRAINEES, password="Zuzhi-Pass-1")
    xiaowu = make_user("xiaowu", role=TRAINEES, password="Xiaowu-Pass-1")
    organiser = make_user("zuzhiyuan", role=ORGANISERS, password="Zuzhiyuan-Pass-1")
    OrganiserAssignment.objects.create(user=organiser, unit=college, starts_on=date(2024, 1, 1))

    def person(name, no, user=None):
        member = Member.objects.create(
            name=name, student_no=no, gender=Gender.MALE, unit=branch, user=user
        )
        stage_history_import(
            member=member, entries=[(Stage.FULL_MEMBER, date(2015, 7, 1))], by_user=None
        )
        return member

    secretary = person("周书记", "B0", keeper)
    post_assign(unit=branch, member=secretary, role=PostRole.SECRETARY, starts_on=date(2024, 9, 1))
    wu, zhao = person("小吴", "B1", xiaowu), person("老赵", "B2")
    first = add_months(this_month, -8)
    for member, declared in ((secretary, "6000"), (wu, None), (zhao, None)):
        services.base_set(
            by_user=keeper,
            member=member,
            starts_on=first,
            category=Category.SALARIED if declared else Category.STUDENT,
            declared_base=declared,
        )
    # Paid up to two months ago; last month comes from the statement; 老赵 never pays.
    paid_months = [add_months(first, i) for i in range(7)]
    services.payment_record(by_user=keeper, member=secretary, months=paid_months, amount="630")
    services.payment_record(by_user=keeper, member=wu, months=paid_months, amount="1.40")
    return {"branch": branch, "college": college, "last": add_months(this_month, -1)}


def statement(last: date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([f"党费党支部{last.year}年{last.month}月党费收缴明细表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["序号", "姓名", "学号", "金额（元）", "缴费日期"])
    sheet.append([1, "周书记", "B0", 90, last.isoformat()])
    sheet.append([2, "小吴", "B1", "０.２０", last.isoformat()])
    sheet.append(["合计", None, None, 90.2, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_behind_my_dues_on_phone_and_report(
    live_server, desktop, phone, dues_branch, tmp_path
):
    branch, last = dues_branch["branch"], dues_branch["last"]
    path = tmp_path / "明细.xlsx"
    path.write_bytes(statement(last))
    page = desktop.new_page()
    login(page, live_server.url, "zuzhi", "Zuzhi-Pass-1")
    page.goto(f"{live_server.url}/party/dues/units/{branch.pk}/")
    page.click("#import-link")
    page.set_input_files("#id_file", str(path))
    page.fill("#id_month", last.strftime("%Y-%m"))
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("#preview-table")
    assert "90.20" in page.locator("#import-counts").inner_text()
    page.click("#confirm-import")
    page.wait_for_selector("#behind-table")
    behind = page.locator("#behind-table").inner_text()
    assert "老赵" in behind and "小吴" not in behind
    assert page.locator(".behind-row:has-text('老赵') .flag").count() == 1

    mobile = phone.new_page()
    login(mobile, live_server.url, "xiaowu", "Xiaowu-Pass-1")
    mobile.click('.tab-bar >> text="我的"')
    mobile.click(".account-links >> text=我的党费")
    mobile.wait_for_selector("h1:has-text('我的党费')")
    assert mobile.locator("#receipts li").count() >= 1
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390

    report = desktop.new_page()
    login(report, live_server.url, "zuzhiyuan", "Zuzhiyuan-Pass-1")
    report.goto(
        f"{live_server.url}/party/dues/report/?unit={dues_branch['college'].pk}&year={last.year}"
    )
    report.wait_for_selector("#report-paid")
    first = date(last.year, 1, 1)
    report_last = min(date(last.year, 12, 1), selectors.this_month())
    members = list(Member.objects.filter(unit=branch))
    paid = PaymentMonth.objects.filter(
        member__in=members, month__range=(first, report_last)
    ).aggregate(total=Sum("amount"))["total"]
    books = selectors.ledgers(members=members, first=first, last=report_last)
    owed = sum((b.owed for b in books.values()), Decimal("0.00"))
    assert Decimal(report.locator("#report-paid").inner_text()) == paid.quantize(Decimal("0.01"))
    assert Decimal(report.locator("#report-owed").inner_text()) == owed
