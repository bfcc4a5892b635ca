"""Importing a 缴费明细 statement as a 组织委员 makes it: a WPS-style merged title row above the
header, 金额（元） with full-width digits, a quarter written as a range, a 合计 row, GBK CSV; row
errors for bad amounts, future months, people outside the branch or not Party members; one bad row
imports nothing; the preview names ignored columns and defaulted values."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from party.dues import services
from party.dues.models import Payment, PaymentMonth, PaymentSource, StatementImport
from party.dues.rules import Category

pytestmark = pytest.mark.django_db
HEADER = ["序号", "姓名", "学号", "金额（元）", "所属月份", "缴费日期", "备注", "联系电话"]


def xlsx(rows, title="法学本科生党支部2026年5月党费收缴明细表") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(["填表人：赵委员", None, None, None, None, "填表日期：2026-06-01"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def branch(dues):
    treasurer, members = dues["users"]["treasurer"], dues["members"]
    for key in ("law_b1", "secretary", "treasurer", "publicity"):
        services.base_set(
            by_user=treasurer,
            member=members[key],
            starts_on=date(2026, 1, 1),
            category=Category.SALARIED if key == "law_b1" else Category.STUDENT,
            declared_base="4000" if key == "law_b1" else None,
        )
    return dues


def upload(client, unit, content, name="明细.xlsx", month="2026-05"):
    return client.post(
        reverse("dues:import", args=[unit.pk]),
        {"file": SimpleUploadedFile(name, content), "month": month},
    )


def treasurer_client(branch) -> Client:
    client = Client()
    client.force_login(branch["users"]["treasurer"])
    return client


GOOD_ROWS = [
    [1, "张三", "S001", "１２０.００", "2026-04至2026-06", "2026-05-20", "按季度", "13800000000"],
    [2, "李书记", "T001", 0.2, None, None, None, None],
    [3, "赵委员", "t010", "¥0.20", "2026年5月", "2026/5/21", None, None],
    ["合计", None, None, 120.4, None, None, None, None],
]


def test_wps_statement_preview_then_import(branch):
    unit, client = branch["units"]["law_b1"], treasurer_client(branch)
    response = upload(client, unit, xlsx(GOOD_ROWS))
    assert response.status_code == 302
    staged = StatementImport.objects.get()
    assert Payment.objects.count() == 0  # nothing written before the confirmation
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "已忽略列：联系电话" in page  # ignored columns are named
    assert "【月份】2026-05" in page and "【缴费日期】2026-06-15" in page  # defaulted, row 5
    assert "合计 120.40 元" in page.replace("，", " ")
    assert preview.context["info"]["skipped"] == [7]
    client.post(reverse("dues:import_preview", args=[staged.pk]))
    payments = Payment.objects.filter(source=PaymentSource.STATEMENT)
    assert payments.count() == 3
    quarter = payments.get(member=branch["members"]["law_b1"])
    assert (
        quarter.paid_on == date(2026, 5, 20) and quarter.recorded_by == branch["users"]["treasurer"]
    )
    assert [(m.month.month, m.amount) for m in quarter.months.all()] == [
        (4, Decimal("40.00")),
        (5, Decimal("40.00")),
        (6, Decimal("40.00")),
    ]
    staged.refresh_from_db()
    assert staged.imported_at and staged.rows == []
    # Confirming twice does not import twice.
    again = client.post(reverse("dues:import_preview", args=[staged.pk]))
    assert again.status_code == 404 and payments.count() == 3


@pytest.mark.parametrize(
    "row, column, words",
    [
        ([9, "张三", "S001", "-40", "2026-05", None, None, None], "金额", "大于 0"),
        ([9, "张三", "S001", "四十元", "2026-05", None, None, None], "金额", "不是数字"),
        ([9, "张三", "S001", "40", "2026-09", None, None, None], "交纳记录", "还没到"),
        (
            [9, "王五", "S003", "0.2", "2026-05", None, None, None],
            "学号/工号",
            "不是法学本科生党支部的党员",
        ),
        ([9, "周积极", "A010", "0.2", "2026-05", None, None, None], "交纳记录", "不是党员"),
        (
            [9, "李四", None, "0.2", "2026-05", None, None, None],
            "姓名",
            "不是法学本科生党支部的党员",
        ),
        ([9, "张三", "S001", "40", "2026-05", "2026-07-01", None, None], "缴费日期", "晚于今天"),
    ],
)
def test_one_bad_row_imports_nothing(branch, row, column, words):
    unit, client = branch["units"]["law_b1"], treasurer_client(branch)
    response = upload(client, unit, xlsx([*GOOD_ROWS[:3], row]))
    assert response.status_code == 400
    errors = response.context["result"]["errors"]
    assert [(e.row, e.column) for e in errors] == [(7, column)], errors
    assert words in errors[0].message
    assert not StatementImport.objects.exists() and not Payment.objects.exists()


def test_gbk_csv_with_title_row(branch):
    unit, client = branch["units"]["law_b1"], treasurer_client(branch)
    text = "法学本科生党支部党费交纳明细\r\n姓名,工号,缴纳金额,交纳月份,流水号\r\n张三,S001,40.00,2026年5月,WX0001\r\n"
    response = upload(client, unit, text.encode("gbk"), name="明细.csv", month="")
    assert response.status_code == 302
    client.post(response["Location"])
    payment = Payment.objects.get()
    assert payment.reference == "WX0001" and payment.amount == Decimal("40.00")
    assert PaymentMonth.objects.get().month == date(2026, 5, 1)
    # The same 流水号 again is that row's error.
    response = upload(client, unit, text.encode("gbk"), name="明细.csv", month="")
    assert response.status_code == 400 and "WX0001" in response.content.decode()


def test_missing_columns_and_scope(branch):
    unit, client = branch["units"]["law_b1"], treasurer_client(branch)
    response = upload(client, unit, "姓名,月份\r\n张三,2026-05\r\n".encode(), name="a.csv")
    assert response.status_code == 400 and "金额" in response.content.decode()
    no_month = upload(client, unit, "姓名,金额\r\n张三,40\r\n".encode(), name="a.csv", month="")
    assert no_month.status_code == 400 and "没有填写月份" in no_month.content.decode()
    organiser = Client()
    organiser.force_login(branch["users"]["organiser"])  # reads the branch, does not keep it
    assert upload(organiser, unit, xlsx(GOOD_ROWS)).status_code == 404
    other = upload(client, branch["units"]["eng_b1"], xlsx(GOOD_ROWS))
    assert other.status_code == 404 and not Payment.objects.exists()
