"""REST API of reports: class list, report JSON with filters and paging, xlsx/csv, scoping."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.learning.conftest import make_trainer

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


@pytest.fixture
def klass(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer], required_hours="2", name="第九期积极分子班")
    north = report_factory.org(branch_name="一支部")
    south = report_factory.org(branch_name="二支部")
    a, b = report_factory.trainees(tc, 2, branch=north)
    (c,) = report_factory.trainees(tc, 1, branch=south, stage="candidate")
    report_factory.hours(a, tc, 2)
    report_factory.hours(b, tc, "0.5")
    tc.people = {"a": a, "b": b, "c": c, "south": south}
    return tc


def test_class_list_is_scoped(klass, trainer, trainer2, report_factory):
    report_factory.klass(trainers=[trainer2])
    data = api(trainer).get("/api/v1/classes/").json()
    assert [c["id"] for c in data["results"]] == [klass.pk]
    assert data["results"][0]["trainee_count"] == 3
    staff = make_trainer("staff")
    staff.user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    assert api(staff).get("/api/v1/classes/").json()["count"] == 2
    assert api().get("/api/v1/classes/").status_code == 401


def test_report_json(klass, trainer):
    response = api(trainer).get(f"/api/v1/classes/{klass.pk}/report/")
    assert response.status_code == 200
    data = response.json()
    assert data["class"]["name"] == "第九期积极分子班"
    assert data["count"] == 3
    a = klass.people["a"]
    row = next(r for r in data["rows"] if r["trainee"]["id"] == a.pk)
    assert row["trainee"]["student_no"] == a.student_no
    assert row["earned_hours"] == "2.00" and row["required_hours"] == "2.00"
    assert row["status"] == "completed" and row["status_display"] == "已达结业条件"
    assert row["exam_best_score"] is None and row["exam_passed"] is None
    assert row["certificate_no"] is None
    # The schema says the class's trainee_count is never null (issue 23): it is counted.
    assert data["class"]["trainee_count"] == 3


def test_report_paging_parameters_are_strict(klass, trainer):
    url = f"/api/v1/classes/{klass.pk}/report/"
    for bad in ({"page": "0"}, {"page": ""}, {"page": 1, "page_size": "null"}, {"page_size": -2}):
        response = api(trainer).get(url, bad)
        assert response.status_code == 400, bad
        assert set(response.json()) == {"detail", "errors"}


def test_report_filters_and_paging(klass, trainer):
    client = api(trainer)
    url = f"/api/v1/classes/{klass.pk}/report/"
    south = klass.people["south"]
    assert client.get(url, {"branch": south.pk}).json()["count"] == 1
    assert client.get(url, {"stage": "candidate"}).json()["count"] == 1
    assert client.get(url, {"status": "in_progress"}).json()["count"] == 1
    page = client.get(url, {"page": 1, "page_size": 2, "sort": "-earned"}).json()
    assert page["count"] == 3 and len(page["rows"]) == 2 and page["next"]
    assert page["rows"][0]["earned_hours"] == "2.00"
    second = client.get(page["next"]).json()
    assert len(second["rows"]) == 1 and second["previous"]
    bad = client.get(url, {"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    assert client.get(url, {"page": 9}).status_code == 404


def test_report_xlsx(klass, trainer):
    response = api(trainer).get(
        f"/api/v1/classes/{klass.pk}/report.xlsx", {"branch": klass.people["south"].pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert "第九期积极分子班" in values[0][0]
    assert any("党支部=" in (line[0] or "") for line in values[1:5])
    header_index = next(i for i, line in enumerate(values) if line[0] == "姓名")
    header = values[header_index]
    assert header[:6] == ["姓名", "学号/工号", "学院", "党支部", "发展阶段", "已修学时"]
    data = values[header_index + 1 :]
    assert len(data) == 1
    assert data[0][1] == klass.people["c"].student_no
    assert data[0][4] == "发展对象"
    earned = ws.cell(row=header_index + 2, column=6)
    assert earned.data_type == "n" and earned.number_format == "0.00"
    assert Decimal(str(earned.value)) == Decimal("0")


def test_report_csv_has_bom(klass, trainer):
    response = api(trainer).get(f"/api/v1/classes/{klass.pk}/report.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("姓名,学号/工号,学院,党支部")
    assert len(lines) == 4


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/classes/{pk}/report/",
        "/api/v1/classes/{pk}/report.xlsx",
        "/api/v1/classes/{pk}/report.csv",
    ],
)
def test_another_trainer_gets_404(klass, trainer2, url):
    assert api(trainer2).get(url.format(pk=klass.pk)).status_code == 404
    assert api().get(url.format(pk=klass.pk)).status_code == 401


def test_trainee_cannot_see_report(klass):
    assert api(klass.people["a"].user).get(f"/api/v1/classes/{klass.pk}/report/").status_code == 404


def test_report_query_count_constant(klass, trainer, report_factory, django_assert_max_num_queries):
    client = api(trainer)
    url = f"/api/v1/classes/{klass.pk}/report/"
    client.get(url)  # warm the permission cache of this user object
    with django_assert_max_num_queries(8) as small:
        client.get(url)
    report_factory.trainees(klass, 30)
    with django_assert_max_num_queries(8) as large:
        assert client.get(url).json()["count"] == 33
    assert len(small.captured_queries) == len(large.captured_queries)


def test_schema_describes_report_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/classes/{id}/report/", "/api/v1/classes/{id}/report.xlsx"):
        assert path in body or path.replace("{id}", "{pk}") in body


def test_exports_stay_chinese_for_a_trainer_browsing_in_english(klass, trainer):
    client = api(trainer)
    xlsx = client.get(f"/api/v1/classes/{klass.pk}/report.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    values = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows()
    ]
    assert any(line[0] == "姓名" for line in values)
    csv_body = client.get(f"/api/v1/classes/{klass.pk}/report.csv", HTTP_ACCEPT_LANGUAGE="en")
    text = b"".join(csv_body.streaming_content).decode("utf-8-sig")
    assert text.startswith("姓名,学号/工号")
    assert "Name" not in text


def test_export_names_what_is_missing_for_completion(klass, trainer):
    """The xlsx and csv carry 未达结业条件 (issue 14): the report page's words, per trainee."""
    response = api(trainer).get(f"/api/v1/classes/{klass.pk}/report.xlsx")
    values = [
        [c.value for c in row]
        for row in load_workbook(
            io.BytesIO(b"".join(response.streaming_content))
        ).active.iter_rows()
    ]
    header_index = next(i for i, line in enumerate(values) if line[0] == "姓名")
    header = values[header_index]
    column = header.index("未达结业条件")
    assert "请假计入学时" in header
    by_no = {line[1]: line[column] for line in values[header_index + 1 :]}
    assert by_no[klass.people["b"].student_no] == "学时未修满"
    assert by_no[klass.people["a"].student_no] in ("", None)
    csv_text = b"".join(
        api(trainer).get(f"/api/v1/classes/{klass.pk}/report.csv").streaming_content
    ).decode("utf-8-sig")
    assert "未达结业条件" in csv_text.splitlines()[0] and "学时未修满" in csv_text


def test_bulk_issue_preview_lists_who_gets_one_and_who_is_skipped(klass, trainer, report_factory):
    """GET …/certificates/ previews POST {all: true} with the admin confirmation page's function,
    and writes nothing."""
    from learning.reports.models import Certificate
    from learning.reports.services import certificate_issue_preview

    client = api(trainer)
    url = f"/api/v1/classes/{klass.pk}/certificates/"
    body = client.get(url).json()
    assert [row["trainee"]["id"] for row in body["to_issue"]] == [klass.people["a"].pk]
    skipped = {item["row"]["trainee"]["id"]: item for item in body["skipped"]}
    assert set(skipped) == {klass.people["b"].pk, klass.people["c"].pk}
    assert "学时未修满" in skipped[klass.people["b"].pk]["reason"]
    assert skipped[klass.people["b"].pk]["row"]["missing"] == ["hours"]
    same = certificate_issue_preview(training_class=klass)
    assert [str(reason) for _row, reason in same.skipped] == [i["reason"] for i in body["skipped"]]
    assert not Certificate.objects.exists()
    # Then issuing issues exactly the previewed ones.
    issued = client.post(url, {"all": True}, format="json").json()
    assert [c["trainee"] for c in issued] == [klass.people["a"].pk]
    again = client.get(url).json()
    assert again["to_issue"] == []
    assert (
        "已有结业证书"
        in {i["row"]["trainee"]["id"]: i for i in again["skipped"]}[klass.people["a"].pk]["reason"]
    )


def test_bulk_issue_preview_is_scoped(klass, trainer2):
    url = f"/api/v1/classes/{klass.pk}/certificates/"
    assert api(trainer2).get(url).status_code == 404
    assert api(klass.people["a"].user).get(url).status_code == 404
    assert api().get(url).status_code == 401
