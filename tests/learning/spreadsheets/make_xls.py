"""Writes the Excel 97-2003 (.xls) fixtures beside this file, as a 党校 clerk's old Excel saves them.

The project only reads .xls (xlrd); writing needs xlwt, which is not a dependency. To regenerate:
    python -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt==1.3.0
    /tmp/xlwt/bin/python tests/learning/spreadsheets/make_xls.py
"""

from pathlib import Path

import xlwt

HERE = Path(__file__).parent


def questions() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("试题")
    # A merged title row and a 填写说明 row above the header, as exams tools export them.
    sheet.write_merge(0, 0, 0, 6, "2025年入党积极分子培训班结业考试题库")
    sheet.write_merge(1, 1, 0, 6, "填写说明：选项写在同一格，如 A.xxx B.xxx；分值填数字")
    for col, name in enumerate(
        ["题型", "题目", "选项", "正确答案", "分值（分）", "难度（1-3）", "出题人"]
    ):
        sheet.write(2, col, name)
    rows = [
        [
            "单选题",
            "党的最高领导机关是（ ）。",
            "A.党的全国代表大会和中央委员会 B.中央政治局 C.中央书记处 D.中央军委",
            "A",
            2,
            1,
            "王老师",
        ],
        [
            "多选题",
            "党的纪律包括（ ）。",
            "A、政治纪律 B、组织纪律 C、廉洁纪律 D、群众纪律",
            "ABCD",
            3,
            2,
            "王老师",
        ],
        ["判断题", "预备党员的预备期为一年。", "", "正确", 1, 1, "李老师"],
        ["简答题", "简述入党积极分子应如何端正入党动机。", "", "参考要点：……", 10, 3, "李老师"],
    ]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(HERE / "questions_exam_tool.xls"))


def roster() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    sheet.write_merge(0, 0, 0, 5, "2025年春季入党积极分子培训班学员名单")
    for col, name in enumerate(["序号", "姓名", "学号", "学院", "党支部", "政治面貌"]):
        sheet.write(1, col, name)
    rows = [
        [1, "张三", 2025010001, "马克思主义学院", "本科生第一党支部", "入党积极分子"],
        [2, "李四", 2025010002, "马克思主义学院", "本科生第一党支部", "入党积极分子"],
        [3, "王五", 2025010003, "外国语学院", "研究生党支部", "发展对象"],
    ]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(HERE / "roster_old_excel.xls"))


if __name__ == "__main__":
    questions()
    roster()
