"""Rosters as 党校 staff really make them: 1,000 rows under a merged title with a typo and a
duplicate, the old .xls, GBK csv, refused formats; the admin's preview and background import with
progress. The question-bank files are in tests/learning/quizzes/test_spreadsheets_as_made.py."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from learning.classes.models import TraineeProfile
from learning.classes.roster import RosterError, roster_plan, trainees_import
from party.members.models import Member
from party.organisation.models import Unit
from tests.factories import make_branch_unit
from tests.spreadsheets import named, xlsx

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parents[1] / "spreadsheets"


ROSTER_HEADER = ["序号", "姓名", "学号", "学院", "党支部", "政治面貌", "联系电话", "备注"]
TYPO_ROW = 500  # the data row with 党支布 for 党支部


def big_roster(*, typo=True, duplicate=True) -> list[list]:
    """1,000 trainees under a merged title row, one misspelled 党支部 and one 学号 twice."""
    rows = [["2025年春季入党积极分子培训班学员名单"], ROSTER_HEADER]
    for i in range(1, 1001):
        branch = "本科生第一党支部" if i % 2 else "本科生第二党支部"
        if typo and i == TYPO_ROW:
            branch = "本科生第一党支布"
        number = 2025000000 + i
        if duplicate and i == 1000:
            number = 2025000000 + 17
        rows.append([i, f"学员{i}", number, "计算机学院", branch, "入党积极分子", "", ""])
    return rows


@pytest.fixture
def units(db):
    """The 党支部 big_roster names, in the Party tree: the rows write 计算机学院 for the tree's
    计算机学院党委 (an import never creates a unit, issue 15)."""
    return {
        name: make_branch_unit("计算机学院党委", name)
        for name in ("本科生第一党支部", "本科生第二党支部")
    }


def _written() -> tuple[int, ...]:
    return (
        TraineeProfile.objects.count(),
        Member.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
    )


def test_a_1000_row_roster_with_a_duplicate_is_refused_naming_both_rows(units):
    with pytest.raises(RosterError) as info:
        roster_plan(xlsx(big_roster()))
    # Data row 1000 is sheet row 1002 (title, header); 学号 …017 was on data row 17 = sheet row 19.
    assert [(e.row, e.column, e.message) for e in info.value.errors] == [
        (1002, "学号/工号", "与第 19 行重复。")
    ]
    assert not TraineeProfile.objects.exists()


def test_a_misspelled_branch_is_a_row_error_before_anything_is_created(units):
    before = _written()
    with pytest.raises(RosterError) as info:
        roster_plan(xlsx(big_roster(duplicate=False), name="名单.xlsx"))
    assert [(e.row, e.column, e.message) for e in info.value.errors] == [
        (
            TYPO_ROW + 2,
            "党支部",
            "「计算机学院党委」下没有党支部「本科生第一党支布」（相近：本科生第一党支部）。"
            "导入不会新建党组织：请核对拼写；党支部由组织部在「党组织」中维护。",
        )
    ]
    with pytest.raises(RosterError, match="本科生第一党支布"):
        trainees_import(file=xlsx(big_roster(duplicate=False)))
    assert _written() == before


def test_the_corrected_1000_row_roster_imports_with_progress_from_the_command(
    units, tmp_path, capsys
):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx(big_roster(typo=False, duplicate=False)).getvalue())
    sheet = tmp_path / "初始密码.xlsx"
    call_command("import_trainees", str(path), "--passwords-out", str(sheet))
    out = capsys.readouterr()
    assert "已处理 50/1000" in out.err and "已处理 1000/1000" in out.err
    assert "党员档案：关联已有档案 0 人，新建档案 1000 人" in out.out
    assert TraineeProfile.objects.count() == 1000
    assert Member.objects.get(student_no="2025000001").unit == units["本科生第一党支部"]
    assert Member.objects.get(student_no="2025000002").unit == units["本科生第二党支部"]


def test_old_excel_roster_reads_numbers_as_student_numbers(db):
    marx = make_branch_unit("马克思主义学院党委", "本科生第一党支部")
    make_branch_unit("外国语学院党委", "研究生党支部")
    data = (HERE / "roster_old_excel.xls").read_bytes()
    result = trainees_import(file=named(data, "名单.xls"))
    assert (result.created, result.new_records) == (3, 3)
    assert Member.objects.get(student_no="2025010001").unit == marx
    assert TraineeProfile.objects.get(student_no="2025010003").stage_now() == "candidate"


def test_gbk_csv_roster(db):
    office = make_branch_unit("机关党委", "机关第一党支部")
    text = (
        "姓名,学号/工号,学院,党支部,培养阶段\r\n张三,2025001,机关党委,机关第一党支部,发展对象\r\n"
    )
    result = trainees_import(file=named(text.encode("gbk"), "名单.csv"))
    assert result.created == 1 and Member.objects.get(student_no="2025001").unit == office


def test_roster_refused_formats_never_say_row_0(db):
    with pytest.raises(RosterError) as info:
        trainees_import(file=named(b"<html><table></table></html>", "名单.xls"))
    assert info.value.errors[0].row is None
    text = str(info.value.errors[0])
    assert "网页" in text and "另存为" in text and "第 0 行" not in text


# --- the web pages: preview, background import with progress ------------------------------------


def test_roster_preview_names_the_typo_and_the_corrected_file_imports(
    client, training_office, units
):
    client.force_login(training_office)
    rows = big_roster(duplicate=False)[:2] + [
        [1, "甲", "S1", "计算机学院", "本科生第一党支布", "入党积极分子"],
        [2, "乙", "S2", "计算机学院", "本科生第一党支部", "入党积极分子"],
    ]
    response = client.post("/admin/trainee_import/", {"file": xlsx(rows, name="名单.xlsx")})
    preview_url = response["Location"]
    html = client.get(preview_url).content.decode()
    assert "「计算机学院党委」下没有党支部「本科生第一党支布」（相近：本科生第一党支部）" in html
    assert "确认导入" not in html
    # Posting the preview of a file with errors imports nothing.
    client.post(preview_url)
    assert not TraineeProfile.objects.exists() and not Unit.objects.filter(name__endswith="支布")

    rows[2][4] = "本科生第一党支部"
    response = client.post("/admin/trainee_import/", {"file": xlsx(rows, name="名单.xlsx")})
    preview_url = response["Location"]
    html = client.get(preview_url).content.decode()
    assert "第 2 行是表头" in html and "已忽略列：序号" in html and "确认导入" in html
    assert "<td>计算机学院党委</td><td>本科生第一党支部</td>" in html
    result_url = client.post(preview_url)["Location"]
    html = client.get(result_url).content.decode()
    assert "新建学员 2 人" in html and "新建档案 2 人" in html
    # The staged file (personal data) is dropped once imported.
    from tabular.models import TableUpload

    assert bytes(TableUpload.objects.get(pk=int(result_url.split("/")[-3])).data) == b""
    # A second confirmation does not import again: it shows the result.
    assert client.post(preview_url)["Location"] == result_url


def test_a_running_import_shows_progress(client, trainer):
    from tabular import services
    from tabular.models import TableUpload

    client.force_login(trainer)
    upload = TableUpload.objects.create(owner=trainer, kind="roster", filename="名单.xlsx")
    assert services.upload_claim(upload_id=upload.pk)
    services.upload_start(upload_id=upload.pk, total=1000)
    services.upload_progress(upload_id=upload.pk, done=350, total=1000)
    html = client.get(f"/admin/trainee_import/{upload.pk}/result/").content.decode()
    assert (
        "已处理 350 / 1000" in html and '<progress aria-labelledby="import-progress-label"' in html
    )
    assert 'http-equiv="refresh"' in html


def test_a_roster_past_the_row_cap_is_refused_with_one_message(settings, units):
    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(RosterError) as info:
        roster_plan(xlsx(big_roster()))
    assert [str(e) for e in info.value.errors] == ["文件超过 100 行数据，请分成几个文件导入。"]
