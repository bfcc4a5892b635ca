"""The member registry from and to Excel: header synonyms, title rows, GBK CSV, full-width; row
errors with near-matches; all or nothing; scoped by unit_scope; preview of ignored columns and
defaulted values; the export through spreadsheet_safety, carrying who and when, access-logged."""

import io
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from party.members.models import Member, MemberAccessLog, Stage, StageChange
from party.members.registry import RegistryError, parse_date, registry_import, registry_read
from party.members.services import stage_history_import
from tabular.models import TableUpload
from tests.spreadsheets import assert_header_frozen

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "性别", "学号", "党支部", "党小组", "申请入党日期", "确定为积极分子日期"]


def xlsx(rows, *, title_rows=()) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in title_rows:
        sheet.append(row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "名册.xlsx"
    return buffer


def csv_gbk(text: str) -> io.BytesIO:
    buffer = io.BytesIO(text.encode("gbk"))
    buffer.name = "名册.csv"
    return buffer


def test_dates_as_people_type_them():
    assert parse_date("2023-09-01") == (date(2023, 9, 1), False)
    assert parse_date("2023/9/1") == (date(2023, 9, 1), False)
    assert parse_date("２０２３．９．１") == (date(2023, 9, 1), False)  # full-width
    assert parse_date("2023年9月1日") == (date(2023, 9, 1), False)
    assert parse_date("20230901") == (date(2023, 9, 1), False)
    assert parse_date("2023-09-01 00:00:00") == (date(2023, 9, 1), False)
    assert parse_date("45170") == (date(2023, 9, 1), False)  # an .xls serial number
    assert parse_date("2023.09") == (date(2023, 9, 1), True)
    assert parse_date("") == (None, False)
    with pytest.raises(ValueError):
        parse_date("去年秋天")


def test_organiser_imports_a_registry_with_a_title_row_synonyms_and_history(tree):
    file = xlsx(
        [
            HEADER + ["备注"],
            [
                "赵一",
                "男",
                "2023001",
                "法学本科生党支部",
                "第一党小组",
                "2023-10-08",
                "2024-04-15",
                "x",
            ],
            [
                "钱二",
                "女",
                "2023002",
                "示范大学党委 / 法学院党委 / 法学研究生党支部",
                "",
                "",
                "",
                "",
            ],
        ],
        title_rows=[["法学院党委 2025 年党员名册"], []],
    )
    organiser = tree["users"]["organiser"]
    plan = registry_read(file, user=organiser)
    assert plan.header_row == 3 and plan.ignored == ["备注"]
    assert (plan.to_create, plan.to_update, plan.histories) == (2, 0, 1)
    assert [(d.column, d.rows) for d in plan.defaulted] == [("民族", [4, 5])]
    result = registry_import(file=file, by_user=organiser)
    assert (result.created, result.histories) == (2, 1)
    zhao = Member.objects.get(student_no="2023001")
    assert zhao.group == tree["units"]["law_g1"] and zhao.ethnicity == "汉族"
    assert list(zhao.stage_changes.values_list("stage", "decided_on", "decided_by")) == [
        (Stage.APPLICANT, date(2023, 10, 8), "records"),
        (Stage.ACTIVIST, date(2024, 4, 15), "records"),
    ]
    assert Member.objects.get(student_no="2023002").unit == tree["units"]["law_b2"]


def test_gbk_csv_from_wps_with_full_width_text(tree):
    file = csv_gbk(
        "姓名,性别,学工号,所在党支部,民族,出生年月,手机\r\n"
        "孙三,女,Ａ2023003,法学本科生党支部,回,2004.05,138-0000-0000\r\n"
    )
    plan = registry_read(file, user=tree["users"]["secretary"])
    (row,) = plan.rows
    assert (row.student_no, row.ethnicity, row.birth_date, row.phone) == (
        "A2023003",
        "回族",
        date(2004, 5, 1),
        "13800000000",
    )
    assert {d.column for d in plan.defaulted} == {"民族", "出生日期"}


def test_every_bad_row_is_reported_with_near_matches_and_nothing_is_written(tree):
    file = xlsx(
        [
            HEADER,
            ["赵一", "男", "2023001", "法学本科生党支布", "", "", ""],  # typo: 部 → 布
            ["钱二", "未知", "2023002", "法学研究生党支部", "第九党小组", "", ""],
            ["孙三", "女", "2023001", "法学本科生党支部", "", "", "2024-01-01"],
            ["李四", "女", "2023004", "法学本科生党支部", "", "2025-01-01", "2024-01-01"],
            ["周五", "女", "2023005", "法学本科生党支部", "", "明天", ""],
        ]
    )
    with pytest.raises(RegistryError) as caught:
        registry_import(file=file, by_user=tree["users"]["office"])
    messages = [str(e) for e in caught.value.errors]
    assert any(
        "第 2 行【党支部】" in m and "法学本科生党支部" in m and "相近" in m for m in messages
    )
    assert any("第 3 行【性别】" in m for m in messages)
    assert any("第 3 行【党小组】" in m and "第一党小组" not in m for m in messages)
    assert any("第 4 行【学号/工号】：与第 2 行重复" in m for m in messages)
    assert any("第 4 行" in m and "缺少「申请入党日期」" in m for m in messages)
    assert any("第 5 行" in m and "早于「申请入党日期」" in m for m in messages)
    assert any("第 6 行【申请入党日期】" in m and "不是日期" in m for m in messages)
    assert Member.objects.filter(student_no__startswith="2023").count() == 0


def test_a_secretary_may_only_name_their_branch_and_only_update_their_members(tree):
    secretary = tree["users"]["secretary"]
    other = xlsx([HEADER, ["赵一", "男", "2023001", "机械党支部", "", "", ""]])
    with pytest.raises(RegistryError) as caught:
        registry_read(other, user=secretary)
    assert "不是您管理范围内的党支部" in str(caught.value.errors[0])
    # 王五 (S003) is in another college's branch: not updated, not moved.
    taken = xlsx([HEADER, ["王五", "男", "S003", "法学本科生党支部", "", "", ""]])
    with pytest.raises(RegistryError) as caught:
        registry_import(file=taken, by_user=secretary)
    assert "不在您的管理范围内" in str(caught.value.errors[0])
    assert Member.objects.get(student_no="S003").unit == tree["units"]["eng_b1"]


def test_an_existing_member_is_updated_and_a_conflicting_history_is_refused(tree):
    zhang = tree["members"]["law_b1"]
    stage_history_import(member=zhang, entries=[(Stage.APPLICANT, date(2023, 3, 1))], by_user=None)
    same = xlsx([HEADER, ["张三丰", "男", "S001", "法学本科生党支部", "", "2023-03-01", ""]])
    result = registry_import(file=same, by_user=tree["users"]["secretary"])
    assert (result.created, result.updated, result.histories) == (0, 1, 0)
    zhang.refresh_from_db()
    assert zhang.name == "张三丰" and zhang.group is None
    other = xlsx([HEADER, ["张三丰", "男", "S001", "法学本科生党支部", "", "2023-04-01", ""]])
    with pytest.raises(RegistryError) as caught:
        registry_import(file=other, by_user=tree["users"]["secretary"])
    assert "与档案中已有的阶段记录不一致（入党申请人）" in str(caught.value.errors[0])
    assert StageChange.objects.filter(member=zhang).count() == 1


def test_same_branch_name_in_two_colleges_needs_the_path(tree):
    from party.organisation.models import UnitKind
    from party.organisation.services import unit_create

    unit_create(kind=UnitKind.BRANCH, name="法学本科生党支部", parent=tree["units"]["eng"])
    bare = xlsx([HEADER, ["赵一", "男", "2023001", "法学本科生党支部", "", "", ""]])
    with pytest.raises(RegistryError) as caught:
        registry_read(bare, user=tree["users"]["office"])
    assert "有 2 个同名党支部" in str(caught.value.errors[0])
    path = xlsx([HEADER, ["赵一", "男", "2023001", "工学院党委＞法学本科生党支部", "", "", ""]])
    (row,) = registry_read(path, user=tree["users"]["office"]).rows
    assert row.unit.parent_path == tree["units"]["eng"].path


@override_settings(IMPORT_MAX_ROWS=2)
def test_row_cap(tree):
    rows = [["x", "男", f"N{i}", "法学本科生党支部", "", "", ""] for i in range(3)]
    with pytest.raises(RegistryError) as caught:
        registry_read(xlsx([HEADER, *rows]), user=tree["users"]["office"])
    assert "超过 2 行" in str(caught.value.errors[0])


def test_missing_required_column_is_named(tree):
    with pytest.raises(RegistryError) as caught:
        registry_read(
            xlsx([["姓名", "学号", "党支部"], ["x", "1", "y"]]), user=tree["users"]["office"]
        )
    assert [e.column for e in caught.value.errors] == ["性别"]


# --- pages -----------------------------------------------------------------------------------


def test_upload_preview_confirm_on_the_site(client, tree):
    client.force_login(tree["users"]["secretary"])
    file = xlsx(
        [HEADER + ["政治面貌"], ["赵一", "男", "2023001", "法学本科生党支部", "", "", "", "群众"]]
    )
    response = client.post(reverse("party:registry_upload"), {"file": file})
    upload = TableUpload.objects.get()
    assert response.url == reverse("party:registry_preview", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "已忽略列：政治面貌" in page and "空白，按“汉族”登记" in page and "新建 1 人" in page
    assert not Member.objects.filter(student_no="2023001").exists()
    client.post(reverse("party:registry_preview", args=[upload.pk]))
    assert Member.objects.filter(student_no="2023001", unit=tree["units"]["law_b1"]).exists()
    upload.refresh_from_db()
    assert upload.data == b"" and upload.result["created"] == 1
    # A second confirm (double click) imports nothing more.
    client.post(reverse("party:registry_preview", args=[upload.pk]))
    assert Member.objects.filter(student_no="2023001").count() == 1


def test_preview_with_errors_has_no_confirm(client, tree):
    client.force_login(tree["users"]["secretary"])
    file = xlsx([HEADER, ["赵一", "男", "2023001", "机械党支部", "", "", ""]])
    response = client.post(reverse("party:registry_upload"), {"file": file}, follow=True)
    page = response.content.decode()
    assert "不是您管理范围内的党支部" in page and "确认导入" not in page
    upload = TableUpload.objects.get()
    client.post(reverse("party:registry_preview", args=[upload.pk]))
    assert not Member.objects.filter(student_no="2023001").exists()


def test_another_users_upload_is_404(client, tree):
    client.force_login(tree["users"]["secretary"])
    client.post(reverse("party:registry_upload"), {"file": xlsx([HEADER])})
    upload = TableUpload.objects.get()
    client.force_login(tree["users"]["office"])
    assert client.get(reverse("party:registry_preview", args=[upload.pk])).status_code == 404


def test_export_carries_who_and_when_is_formula_safe_and_logged(client, tree):
    zhang = tree["members"]["law_b1"]
    zhang.name = '=HYPERLINK("http://evil","x")'
    zhang.save()
    stage_history_import(member=zhang, entries=[(Stage.APPLICANT, date(2023, 3, 1))], by_user=None)
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party:registry_export", args=[tree["units"]["law_b1"].pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "导出人：sec1" in rows[0] and any(str(c).startswith("导出时间：") for c in rows[0])
    assert rows[1][:4] == ("姓名", "性别", "民族", "出生日期")
    assert_header_frozen(sheet, "姓名")
    template = client.get(reverse("party:registry_template"))
    assert_header_frozen(load_workbook(io.BytesIO(template.content)).active, "姓名")
    names = {r[4]: r for r in rows[2:]}
    assert set(names) == {"S001", "T001"}  # 李四 and 王五 are in other branches
    assert names["S001"][0] == '=HYPERLINK("http://evil","x")'
    assert sheet.cell(row=3, column=1).data_type == "s"  # text, never a formula
    assert names["S001"][5] == "法学院党委/法学本科生党支部"
    assert names["S001"][8].date() == date(2023, 3, 1)
    logged = MemberAccessLog.objects.filter(action="export")
    assert {row.member.student_no for row in logged} == {"S001", "T001"}
    # An exported registry imports again unchanged.
    again = io.BytesIO(response.content)
    again.name = "export.xlsx"
    plan = registry_read(again, user=tree["users"]["secretary"])
    assert plan.to_update == 2 and plan.histories == 0


def test_export_outside_the_scope_is_404(client, tree):
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:registry_export", args=[tree["units"]["eng_b1"].pk])
    assert client.get(url).status_code == 404
    assert not MemberAccessLog.objects.exists()


# --- API -------------------------------------------------------------------------------------


def test_api_preview_then_commit(tree):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(tree["users"]["organiser"])
    url = reverse("api-members-import")
    rows = [HEADER, ["赵一", "男", "2023001", "法学本科生党支部", "第一党小组", "2023-10-08", ""]]
    response = client.post(url, {"file": xlsx(rows)}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["to_create"] == 1 and body["rows"][0]["action"] == "create"
    assert body["rows"][0]["history"] == [{"stage": "applicant", "date": "2023-10-08"}]
    assert body["defaulted"][0]["column"] == "民族"
    assert not Member.objects.filter(student_no="2023001").exists()
    response = client.post(url, {"file": xlsx(rows), "commit": "true"}, format="multipart")
    assert response.status_code == 201 and response.json()["created"] == 1
    assert Member.objects.filter(student_no="2023001").exists()


def test_api_row_errors_are_400_and_nothing_is_written(tree):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(tree["users"]["organiser"])
    rows = [
        HEADER,
        ["赵一", "男", "2023001", "法学本科生党支部", "", "", ""],
        ["钱二", "男", "2023002", "机械党支部", "", "", ""],  # 工学院: not the 组织员's
    ]
    response = client.post(
        reverse("api-members-import"), {"file": xlsx(rows), "commit": "true"}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows" and body["total"] == 1
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "党支部"
    assert not Member.objects.filter(student_no__in=["2023001", "2023002"]).exists()


def test_api_export_is_logged(tree):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(tree["users"]["organiser"])
    response = client.get(reverse("api-unit-members-export", args=[tree["units"]["law"].pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[4] for r in rows[2:]} == {"S001", "S002", "T001"}
    assert MemberAccessLog.objects.filter(action="export").count() == 3
    other = reverse("api-unit-members-export", args=[tree["units"]["eng_b1"].pk])
    assert client.get(other).status_code == 404
