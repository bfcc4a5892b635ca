"""The 党费 API v2: a branch's month, the behind list, payments and 冲正, a statement import
(preview, then commit, all or nothing), the report and 我的党费 — amounts as two-decimal strings,
scope as on the pages (outside → 404), refusals with a code and nothing written."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from party.dues import services
from party.dues.models import Payment
from party.dues.rules import Category

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = (date(2026, m, 1) for m in range(1, 4))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def books(zhang_pays_january):
    dues = zhang_pays_january
    services.base_set(
        by_user=dues["users"]["treasurer"],
        member=dues["members"]["secretary"],
        starts_on=JAN,
        category=Category.STUDENT,
    )
    return dues


def test_month_and_behind(books):
    unit = books["units"]["law_b1"]
    rows = (
        api(books["users"]["organiser"]).get(f"/api/v1/units/{unit.pk}/dues/?month=2026-01").json()
    )
    zhang = next(r for r in rows if r["name"] == "张三")
    assert zhang == {**zhang, "owed": "40.00", "paid": "40.00", "outstanding": "0.00"}
    behind = api(books["users"]["treasurer"]).get(f"/api/v1/units/{unit.pk}/dues/behind/").json()
    zhang = next(b for b in behind if b["name"] == "张三")
    assert (zhang["late_months"][0], zhang["outstanding"], zhang["flagged"]) == (
        "2026-02",
        "160.00",
        False,
    )
    assert (
        api(books["users"]["secretary2"]).get(f"/api/v1/units/{unit.pk}/dues/").status_code == 404
    )


def test_payment_reverse_and_refusals(books):
    member = books["members"]["law_b1"]
    client = api(books["users"]["treasurer"])
    bad = client.post(
        "/api/v1/dues/payments/",
        {"member": member.pk, "months": ["2026-02"], "amount": "-1"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "amount_not_positive"
    future = client.post(
        "/api/v1/dues/payments/",
        {"member": member.pk, "months": ["2026-08"], "amount": "40"},
        format="json",
    )
    assert future.json()["code"] == "month_future"
    assert Payment.objects.count() == 1
    created = client.post(
        "/api/v1/dues/payments/",
        {"member": member.pk, "months": ["2026-02", "2026-03"], "amount": "80.00"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["amount"] == "80.00" and [m["month"] for m in body["months"]] == [
        "2026-02",
        "2026-03",
    ]
    reversal = client.post(
        f"/api/v1/dues/payments/{body['id']}/reverse/", {"note": "重复登记"}, format="json"
    )
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-80.00"
    again = client.post(
        f"/api/v1/dues/payments/{body['id']}/reverse/", {"note": "x"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_reversed"
    other = api(books["users"]["organiser"]).post(
        "/api/v1/dues/payments/",
        {"member": member.pk, "months": ["2026-02"], "amount": "40"},
        format="json",
    )
    assert other.status_code == 404


def test_import_preview_then_commit(books):
    unit = books["units"]["law_b1"]
    client = api(books["users"]["treasurer"])
    csv = "姓名,学号,金额,月份\r\n张三,S001,40,2026-02\r\n李书记,T001,0.20,2026-02\r\n".encode(
        "gbk"
    )
    url = f"/api/v1/units/{unit.pk}/dues/import/"
    preview = client.post(url, {"file": SimpleUploadedFile("m.csv", csv)}, format="multipart")
    assert preview.status_code == 200 and preview.json()["committed"] is False
    assert len(preview.json()["rows"]) == 2 and Payment.objects.count() == 1
    bad = "姓名,学号,金额,月份\r\n张三,S001,40,2026-02\r\n王五,S003,0.20,2026-02\r\n".encode("gbk")
    refused = client.post(
        url, {"file": SimpleUploadedFile("m.csv", bad), "commit": "true"}, format="multipart"
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["row"] == 3
    assert Payment.objects.count() == 1
    done = client.post(
        url, {"file": SimpleUploadedFile("m.csv", csv), "commit": "true"}, format="multipart"
    )
    assert done.status_code == 201 and done.json()["payments"] == 2
    assert Payment.objects.count() == 3


def test_report_and_my_dues(books):
    units = books["units"]
    report = (
        api(books["users"]["office"])
        .get(f"/api/v1/units/{units['law'].pk}/dues-report/?year=2026")
        .json()
    )
    assert report["paid"] == "40.00" and report["owed"] == "241.20"  # 6 × 40.00 + 6 × 0.20
    assert {b["unit_name"] for b in report["branches"]} == {"法学本科生党支部", "法学研究生党支部"}
    mine = api(books["users"]["member"]).get("/api/v1/me/dues/").json()
    assert mine["monthly_amount"] == "40.00" and mine["outstanding"] == "200.00"
    assert [r["amount"] for r in mine["receipts"]] == ["40.00"]
    assert api(books["users"]["organiser"]).get("/api/v1/me/dues/").status_code == 404


def test_months_are_yyyy_mm_in_the_body_and_in_the_schema(books, client):
    """Every month of a dues body is "YYYY-MM", and the schema says so (a string with that
    pattern, not `format: date`, which "2026-01" breaks): found when trainees, now members,
    reached /api/v1/me/dues/ in the API fuzz (issue 15)."""
    import re

    month = re.compile(r"^\d{4}-\d{2}$")
    units = books["units"]
    mine = api(books["users"]["member"]).get("/api/v1/me/dues/").json()
    report = (
        api(books["users"]["office"])
        .get(f"/api/v1/units/{units['law'].pk}/dues-report/?year=2026")
        .json()
    )
    payment = api(books["users"]["treasurer"]).post(
        "/api/v1/dues/payments/",
        {"member": books["members"]["law_b1"].pk, "months": ["2026-02"], "amount": "40"},
        format="json",
    )
    assert payment.status_code == 201
    values = [
        *(m["month"] for m in mine["months"]),
        report["first"],
        report["last"],
        *(m["month"] for m in report["months"]),
        *(m["month"] for b in report["branches"] for m in b["months"]),
        *(m["month"] for m in payment.json()["months"]),
    ]
    assert values and all(month.match(v) for v in values), values
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    fields = [
        (name, field)
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if name.startswith(("MyMonth", "DuesReport", "PaymentMonth"))
        and field in ("month", "first", "last")
    ]
    assert {name for name, _f in fields} >= {
        "MyMonth",
        "DuesReport",
        "DuesReportMonth",
        "PaymentMonth",
    }
    for name, field in fields:
        spec = schemas[name]["properties"][field]
        assert spec.get("type") == "string" and "format" not in spec, (name, field, spec)
        assert spec["pattern"] == r"^\d{4}-\d{2}$", (name, field)
