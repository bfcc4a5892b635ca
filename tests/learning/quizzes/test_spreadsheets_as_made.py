"""Question-bank spreadsheets as 党校 staff really make them, each with the outcome a clerk would
expect: WPS full-width headers with units, merged title rows, options in one cell, the old .xls,
GBK csv, disguised and foreign files, an "xlsx bomb". Rosters (a 1,000-row one with a typo and a
duplicate): tests/learning/classes/test_roster_spreadsheets.py.
"""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from learning.quizzes import excel
from learning.quizzes.models import Question, QuestionBank
from tests.spreadsheets import named, xlsx

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parents[1] / "spreadsheets"


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


# --- the web pages: preview, who may see an upload ----------------------------------------------


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
