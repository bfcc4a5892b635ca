"""Spreadsheets as 党校 staff really make them, each with the outcome a clerk would expect.

WPS full-width headers with units, merged title rows, options in one cell, the old .xls, GBK csv,
disguised and foreign files, an "xlsx bomb", and a 1,000-row roster with a typo and a duplicate.
"""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from learning.classes.models import TraineeProfile
from learning.classes.roster import RosterError, roster_plan, trainees_import
from learning.quizzes import excel
from learning.quizzes.models import Question, QuestionBank
from party.members.models import Member
from party.organisation.models import Unit
from tests.factories import make_branch_unit

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parents[1] / "spreadsheets"


def xlsx(rows, *, merge: list[str] = (), name="file.xlsx") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


# --- question banks ------------------------------------------------------------------------------

WPS_HEADER = [
    "题型",
    "题干",
    "选项Ａ",
    "选项Ｂ",
    "选项Ｃ",
    "选项Ｄ",
    "答案",
    "分值（分）",
    "难度（1-3）",
    "备注",
    "出题人",
]


def wps_bank() -> list[list]:
    """14 questions as WPS writes them: full-width letters in headers, units in brackets."""
    rows = [WPS_HEADER]
    for i in range(10):
        rows.append(
            ["单选题", f"第{i + 1}题：党的根本宗旨是？", "为人民服务", "甲", "乙", "丙", "A", 2, 1]
            + ["", "王老师"]
        )
    rows.append(["多选题", "党的纪律包括？", "政治纪律", "组织纪律", "廉洁纪律", "", "ABC", 3, 2])
    rows.append(["判断题", "预备期为一年。", "", "", "", "", "正确", 1, 1])
    rows.append(["填空题", "党的最高理想是（ ）。", "", "", "", "", "共产主义", 2, 2])
    rows.append(["简答题", "简述如何端正入党动机。", "", "", "", "", "要点……", 10, 3])
    return rows


def test_wps_headers_with_units_keep_every_score_and_name_the_unused_columns():
    result = excel.import_questions(file=xlsx(wps_bank()), bank_name="WPS 题库")
    assert result.imported and result.created == 14
    assert result.ignored == ["备注", "出题人"] and result.warnings == []
    bank = QuestionBank.objects.get(name="WPS 题库")
    short = bank.questions.get(type="short")
    assert short.score == Decimal("10") and short.difficulty == "hard"
    assert sum(q.score for q in bank.questions.all()) == 10 * 2 + 3 + 1 + 2 + 10
    assert bank.questions.get(type="multiple").difficulty == "medium"


def test_half_width_unit_brackets_are_matched_too():
    header = [h.replace("（分）", "(分)").replace("（1-3）", "(1-3)") for h in WPS_HEADER]
    result = excel.parse_file(xlsx([header] + wps_bank()[1:]))
    assert result.ok and {q.score for q in result.questions} == {1, 2, 3, 10}


def test_a_missing_score_column_is_a_warning_to_confirm_not_silent_one_point():
    rows = [[c for i, c in enumerate(r) if i != 7] for r in wps_bank()]
    result = excel.import_questions(file=xlsx(rows), bank_name="缺分值")
    assert result.ok and not result.imported
    assert "没有「分值」列" in result.warnings[0] and "14 道" in result.warnings[0]
    assert not QuestionBank.objects.filter(name="缺分值").exists()
    result = excel.import_questions(file=xlsx(rows), bank_name="缺分值", accept_warnings=True)
    assert result.imported and result.created == 14


def test_merged_title_and_instructions_above_the_header():
    rows = [
        ["2025年入党积极分子培训班结业考试题库"],
        ["填写说明：题型写单选题/多选题/判断题；答案写字母。"],
        ["题型", "题干", "选项A", "选项B", "答案", "分值"],
        ["单选题", "题一", "甲", "乙", "A", 2],
        ["单选题", "题二", "甲", "乙", "C", 2],
    ]
    result = excel.parse_file(xlsx(rows, merge=["A1:F1", "A2:F2"]))
    assert result.header_row == 3
    # Row numbers are the sheet's own, so the clerk finds the row.
    assert [(e.row, e.column) for e in result.errors] == [(5, "答案")]
    assert "第 5 行" in str(result.errors[0])


@pytest.mark.parametrize(
    "cell",
    [
        "A.为人民服务 B.为党员服务 C.为干部服务 D.为自己服务",
        "A、为人民服务 B、为党员服务 C、为干部服务 D、为自己服务",
        "Ａ．为人民服务　Ｂ．为党员服务　Ｃ．为干部服务　Ｄ．为自己服务",
        "A.为人民服务\nB.为党员服务\nC.为干部服务\nD.为自己服务",
        "(A)为人民服务 (B)为党员服务 (C)为干部服务 (D)为自己服务",
        "A.为人民服务B.为党员服务C.为干部服务D.为自己服务",
    ],
)
def test_options_in_one_cell_are_split(cell):
    rows = [["题型", "题干", "选项", "答案", "分值"], ["单选题", "党的根本宗旨是？", cell, "A", 2]]
    result = excel.parse_file(xlsx(rows))
    assert result.ok, [str(e) for e in result.errors]
    assert result.questions[0].options == ["为人民服务", "为党员服务", "为干部服务", "为自己服务"]


def test_a_letter_inside_an_option_is_not_the_next_option():
    assert excel.split_options("A.维生素B.族 B.维生素C") == ["维生素B.族", "维生素C"]


def test_unsplittable_options_name_the_files_own_column():
    rows = [["题型", "题干", "备选项", "答案"], ["单选题", "题", "为人民服务；为党员服务", "A"]]
    result = excel.parse_file(xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "备选项")]
    text = str(result.errors[0])
    assert "A.内容" in text and "选项B" not in text and "可选 –" not in text


def test_a_choice_question_without_any_option_column():
    rows = [["题型", "题干", "答案"], ["单选题", "题", "A"]]
    result = excel.parse_file(xlsx(rows))
    assert len(result.errors) == 1 and "没有选项列" in result.errors[0].reason
    assert "可选 –" not in str(result.errors[0])


def test_old_excel_xls_from_an_exam_tool():
    data = (HERE / "questions_exam_tool.xls").read_bytes()
    result = excel.import_questions(
        file=named(data, "题库.xls"), bank_name="旧版 Excel", accept_warnings=False
    )
    assert result.imported, [str(e) for e in result.errors]
    assert result.header_row == 3 and result.ignored == ["出题人"]
    assert "97-2003" in result.format_label
    bank = QuestionBank.objects.get(name="旧版 Excel")
    single = bank.questions.get(type="single")
    assert single.options[0] == "党的全国代表大会和中央委员会" and len(single.options) == 4
    assert bank.questions.get(type="multiple").options[3] == "群众纪律"
    assert bank.questions.get(type="short").score == 10
    assert bank.questions.get(type="single").difficulty == "easy"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_as_excel_in_china_saves_it(encoding):
    text = "题型,题干,选项A,选项B,答案,分值\r\n单选题,党的根本宗旨是？,为人民服务,为自己,A,2\r\n"
    result = excel.import_questions(
        file=named(text.encode(encoding), "题库.csv"), bank_name=f"CSV {encoding}"
    )
    assert result.imported and result.format_label == "CSV"
    assert Question.objects.get(bank__name=f"CSV {encoding}").options == ["为人民服务", "为自己"]


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"<html><body><table><tr><td>x</td></tr></table></body></html>", "a.xls", "网页"),
        (b"%PDF-1.7 binary", "a.pdf", "PDF"),
        (b"\x00\x01\x02\x03binary", "a.et", "et"),
    ],
)
def test_other_formats_are_refused_with_how_to_save_as_xlsx(data, name, says):
    result = excel.import_questions(file=named(data, name), bank_name="x")
    message = str(result.errors[0])
    assert says in message and "另存为" in message and ".xlsx" in message
    assert "第 0 行" not in message and result.errors[0].row is None


def test_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    result = excel.import_questions(file=named(buffer.getvalue(), "a.docx"), bank_name="x")
    assert "Word" in str(result.errors[0])


def _bomb(rows: int) -> bytes:
    """A real .xlsx whose sheet holds `rows` rows and packs to a few hundred KB."""
    data = xlsx([["题型", "题干", "选项A", "选项B", "答案"]]).getvalue()
    row = '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>单选</t></is></c></row>'
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>题型</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>题干</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>答案</t></is></c></row>'
        + "".join(row.format(n=n) for n in range(2, rows + 2))
        + "</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = sheet.encode()
            archive.writestr(info.filename, content)
    return out.getvalue()


def test_an_xlsx_bomb_stops_at_the_row_cap_with_one_message():
    bomb = _bomb(200_000)
    assert len(bomb) < 1024 * 1024
    result = excel.parse_file(named(bomb, "bomb.xlsx"))
    assert [str(e) for e in result.errors] == ["文件超过 5000 行数据，请分成几个文件导入。"]
    assert result.error_total == 1


def test_unpacked_and_upload_size_caps(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    result = excel.parse_file(named(_bomb(50_000), "bomb.xlsx"))
    assert "解压后过大" in str(result.errors[0])
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    result = excel.parse_file(xlsx(wps_bank()))
    assert "文件过大" in str(result.errors[0])


def test_errors_are_listed_up_to_200_and_counted(tmp_path, capsys):
    rows = [["题型", "题干", "选项A", "选项B", "答案", "分值"]] + [
        ["单选题", f"题{i}", "甲", "乙", "E", 1] for i in range(300)
    ]
    result = excel.parse_file(xlsx(rows))
    assert len(result.errors) == 200 and result.error_total == 300
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(rows).getvalue())
    with pytest.raises(CommandError, match="共 300 处错误"):
        call_command("import_questions", str(path), "--bank", "坏题库")
    assert "另有 100 处错误未列出" in capsys.readouterr().err


def test_command_shows_the_header_row_ignored_columns_and_needs_yes_for_warnings(tmp_path, capsys):
    rows = [["某某学院题库"], ["题型", "题干", "选项A", "选项B", "答案", "出题人"]]
    rows.append(["单选题", "题", "甲", "乙", "A", "张老师"])
    path = tmp_path / "bank.xlsx"
    path.write_bytes(xlsx(rows).getvalue())
    with pytest.raises(CommandError, match="--yes"):
        call_command("import_questions", str(path), "--bank", "命令行")
    out = capsys.readouterr()
    assert "表头：第 2 行" in out.out and "已忽略列：出题人" in out.out and "分值" in out.err
    call_command("import_questions", str(path), "--bank", "命令行", "--yes")
    assert QuestionBank.objects.get(name="命令行").questions.count() == 1


# --- rosters -------------------------------------------------------------------------------------

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


def test_an_upload_is_seen_only_by_its_owner(client, trainer, trainer2):
    from tabular.models import TableUpload

    upload = TableUpload.objects.create(owner=trainer, kind="roster", filename="名单.xlsx")
    client.force_login(trainer2)
    assert client.get(f"/admin/trainee_import/{upload.pk}/").status_code == 404
    assert client.get(f"/admin/trainee_import/{upload.pk}/result/").status_code == 404
    assert client.get(f"/admin/question_import/{upload.pk}/").status_code == 404


def test_question_preview_lists_rows_and_the_ignored_columns(client, trainer):
    client.force_login(trainer)
    trainer_client = client
    response = trainer_client.post(
        "/admin/question_import/",
        {"file": xlsx(wps_bank(), name="wps.xlsx"), "new_bank": "预览题库"},
    )
    html = trainer_client.get(response["Location"]).content.decode()
    assert "已忽略列：备注、出题人" in html and "14 道试题" in html and "确认导入" in html
    assert "简述如何端正入党动机" in html
    assert not QuestionBank.objects.filter(name="预览题库").exists()


def test_a_roster_past_the_row_cap_is_refused_with_one_message(settings, units):
    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(RosterError) as info:
        roster_plan(xlsx(big_roster()))
    assert [str(e) for e in info.value.errors] == ["文件超过 100 行数据，请分成几个文件导入。"]
