"""Excel import/export of question banks: synonyms, every bad row reported, all or nothing, round trip."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from learning.quizzes import excel
from learning.quizzes.models import Question, QuestionBank

pytestmark = pytest.mark.django_db


def xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


GOOD = [
    [
        "题型",
        "题干",
        "选项A",
        "选项B",
        "选项C",
        "选项D",
        "答案",
        "解析",
        "分值",
        "难度",
        "分类",
        "标签",
    ],
    [
        "单选",
        "党的最高领导机关是？",
        "全国代表大会和中央委员会",
        "政治局",
        "书记处",
        "军委",
        "A",
        "党章",
        2,
        "易",
        "党章",
        "组织",
    ],
    [
        "多选题",
        "党的纪律包括？",
        "政治纪律",
        "组织纪律",
        "廉洁纪律",
        "娱乐纪律",
        "A、B、C",
        "",
        3,
        "中等",
        "党章",
        "",
    ],
    ["判断题", "发展党员必须经过党支部。", "", "", "", "", "√", "", 1, "简单", "", ""],
    [
        "填空题",
        "党的根本宗旨是（ ）。",
        "",
        "",
        "",
        "",
        "全心全意为人民服务|为人民服务",
        "",
        "",
        "困难",
        "",
        "",
    ],
    ["问答题", "谈谈入党动机。", "", "", "", "", "", "", 10, "难", "", ""],
]


def test_good_file_imports_every_type(tmp_path):
    result = excel.import_questions(file=xlsx(GOOD), bank_name="党章题库")
    assert result.ok and result.created == 5
    bank = QuestionBank.objects.get(name="党章题库")
    by_type = {q.type: q for q in bank.questions.all()}
    assert (
        by_type["single"].answer == "A"
        and by_type["single"].options[0] == "全国代表大会和中央委员会"
    )
    assert (
        by_type["multiple"].answer == ["A", "B", "C"] and by_type["multiple"].difficulty == "medium"
    )
    assert by_type["true_false"].answer is True and by_type["true_false"].options == []
    assert by_type["fill"].answer == [["全心全意为人民服务", "为人民服务"]]
    assert str(by_type["fill"].score) == "1.00" and by_type["fill"].difficulty == "hard"
    assert by_type["short"].type == "short"
    assert all(q.stem_key for q in bank.questions.all())


def test_header_synonyms_and_letter_option_columns():
    rows = [
        ["题目类型", "试题", "A", "B", "C", "正确答案", "答案解析", "分数", "知识点"],
        ["单项选择题", "题一", "甲", "乙", "丙", "B", "因为", 2, "章节一"],
        ["多项选择题", "题二", "甲", "乙", "丙", "A B C", "", 2, ""],
        ["判断", "题三", "", "", "", "错", "", 1, ""],
    ]
    result = excel.import_questions(file=xlsx(rows), bank_name="同义列名")
    assert result.ok, result.errors
    questions = {q.stem: q for q in Question.objects.all()}
    assert questions["题一"].answer == "B" and questions["题一"].category == "章节一"
    assert questions["题一"].explanation == "因为"
    assert questions["题二"].answer == ["A", "B", "C"]
    assert questions["题三"].answer is False


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["单选择", "题", "甲", "乙", "", "", "A"], "题型", "无法识别的题型"),
        (["单选", "", "甲", "乙", "", "", "A"], "题干", "题干不能为空"),
        (["单选", "题", "甲", "", "", "", "A"], "选项B", "至少需要两个选项"),
        (["单选", "题", "甲", "", "丙", "", "A"], "选项B", "选项B为空"),
        (["单选", "题", "甲", "乙", "", "", "C"], "答案", "选项 C 不存在"),
        (["单选", "题", "甲", "乙", "", "", "AB"], "答案", "只能有一个"),
        (["多选", "题", "甲", "乙", "丙", "", "A"], "答案", "至少要有两个"),
        (["判断", "题", "", "", "", "", "可能"], "答案", "判断题答案"),
        (["填空", "题", "", "", "", "", ""], "答案", "答案不能为空"),
        (["单选", "题", "甲", "乙", "", "", "A", "", "两分"], "分值", "不是数字"),
        (["单选", "题", "甲", "乙", "", "", "A", "", -1], "分值", "大于 0"),
        (["单选", "题", "甲", "乙", "", "", "A", "", 1, "超难"], "难度", "无法识别的难度"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_row_column_and_reason(row, column, reason):
    header = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值", "难度"]
    result = excel.import_questions(file=xlsx([header, GOOD[1][:10], row]), bank_name="坏文件")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert reason in result.errors[0].reason
    assert "第 3 行" in str(result.errors[0])


def test_all_or_nothing_and_every_bad_row_listed():
    rows = GOOD + [["单选", "", "甲", "乙", "", "", "A"], ["未知", "题", "", "", "", "", "A"]]
    result = excel.import_questions(file=xlsx(rows), bank_name="全有或全无")
    assert [e.row for e in result.errors] == [7, 8]
    assert (
        not Question.objects.exists()
        and not QuestionBank.objects.filter(name="全有或全无").exists()
    )


def test_missing_required_column_and_not_an_excel_file():
    result = excel.import_questions(file=xlsx([["题干", "答案"], ["题", "A"]]), bank_name="x")
    assert [(e.row, e.column) for e in result.errors] == [(1, "题型")]
    result = excel.import_questions(file=io.BytesIO(b"not a workbook"), bank_name="x")
    assert ".xlsx" in result.errors[0].reason


def test_export_writes_the_template_and_imports_back(quiz_bank):
    data = excel.export_xlsx(quiz_bank.questions.all())
    result = excel.import_questions(file=io.BytesIO(data), bank_name="回导")
    assert result.ok, result.errors
    original = sorted(
        (q.type, q.stem, q.options, q.answer, q.score) for q in quiz_bank.questions.all()
    )
    again = sorted(
        (q.type, q.stem, q.options, q.answer, q.score)
        for q in QuestionBank.objects.get(name="回导").questions.all()
    )
    assert original == again


def test_template_is_a_valid_import():
    result = excel.parse_file(io.BytesIO(excel.template_xlsx()))
    assert result.ok and {q.type for q in result.questions} == {
        "single",
        "multiple",
        "true_false",
        "fill",
        "short",
    }


def test_management_command(tmp_path, capsys):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(xlsx(GOOD).getvalue())
    call_command("import_questions", str(path), "--bank", "命令行题库")
    assert QuestionBank.objects.get(name="命令行题库").questions.count() == 5
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(GOOD + [["单选", "", "", "", "", "", ""]]).getvalue())
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_questions", str(bad), "--bank", "坏题库")
    assert "第 7 行" in capsys.readouterr().err


def test_a_big_file_is_inserted_in_batches_not_row_by_row(django_assert_max_num_queries):
    rows = [GOOD[0]] + [
        ["单选", f"第{i}题", "甲", "乙", "丙", "丁", "ABCD"[i % 4], "", 1, "中", "", ""]
        for i in range(1000)
    ]
    file = xlsx(rows)
    # The bank, then batched INSERTs (SQLite's variable limit makes batches of ~70 rows).
    with django_assert_max_num_queries(25):
        result = excel.import_questions(file=file, bank_name="大题库")
    assert result.created == 1000 and Question.objects.count() == 1000
