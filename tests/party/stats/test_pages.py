"""The statistics dashboard page, each table's xlsx and the year-end workbook from the site."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.spreadsheets import assert_header_frozen


def test_office_sees_the_university_in_charts_with_tables(client, people, tree):
    client.force_login(tree["users"]["office"])
    response = client.get(reverse("stats:dashboard"), {"date": "2025-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "示范大学党委 党员数据统计" in html
    for key in ("stages", "pipeline", "compliance", "dues", "appraisal", "development", "age"):
        assert f'id="panel-{key}"' in html and f'id="table-{key}"' in html
    assert html.count('<svg class="report-chart"') == 10
    assert 'id="sum-members">5<' in html
    assert "法学院党委" in html and "工学院党委" in html
    assert 'id="stuck-probation_overdue"' in html and ">overdue</a>" in html


def test_secretary_sees_the_branch_and_nothing_above(client, people, tree):
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    assert "法学本科生党支部 党员数据统计" in response.content.decode()
    other = client.get(reverse("stats:dashboard"), {"unit": tree["units"]["law"].pk})
    assert other.status_code == 404
    client.force_login(tree["users"]["member"])
    assert client.get(reverse("stats:dashboard")).status_code == 404


def test_a_bad_date_says_so(client, people, tree):
    client.force_login(tree["users"]["office"])
    response = client.get(reverse("stats:dashboard"), {"date": "2025-02-30"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_each_table_exports_as_xlsx_with_who_and_when(client, people, tree):
    client.force_login(tree["users"]["office"])
    uni = tree["units"]["uni"]
    url = reverse("stats:table-xlsx", kwargs={"pk": uni.pk, "key": "stages"})
    response = client.get(url, {"date": "2025-12-31"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "单位：示范大学党委" and rows[3][0] == "导出人：office"
    assert rows[-1][0] == "合计" and rows[-1][-1] == 5
    missing = reverse("stats:table-xlsx", kwargs={"pk": uni.pk, "key": "nothing"})
    assert client.get(missing).status_code == 404
    year_end = client.get(reverse("stats:year-end-xlsx", kwargs={"pk": uni.pk}), {"year": 2025})
    book = load_workbook(io.BytesIO(year_end.content))
    assert len(book.sheetnames) == 6
    for each in [sheet, *book.worksheets]:
        # title, unit, period, who and when, a blank row, then the header, frozen (issue 21)
        assert each.cell(row=5, column=1).value is None, each.title
        assert_header_frozen(each, each.cell(row=6, column=1).value)
