"""The question sheet's vocabulary, read and written alike: the columns and the names they go by
(docs/domain.md), the type and difficulty names, the score limits."""

from decimal import Decimal

from learning.quizzes.models import OPTION_KEYS, Difficulty, QuestionType

# Column names as real templates write them (docs/domain.md); the first of each is what export writes.
# Headers are compared without units or notes in brackets and without stars (tabular).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "type": ("题型", "题目类型", "试题类型"),
    "stem": ("题干", "题目", "题目内容", "试题", "试题内容"),
    **{f"option_{k}": (f"选项{k}", k) for k in OPTION_KEYS},
    # All options in one cell ("A.xxx B.xxx C.xxx D.xxx"), as 考试星/问卷星-style exports write.
    "options": ("选项", "备选项", "选项内容", "答案选项"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案"),
    "explanation": ("解析", "答案解析", "试题解析"),
    "score": ("分值", "分数", "每题分值"),
    "difficulty": ("难度", "难易程度", "难度等级"),
    "category": ("分类", "知识点", "章节"),
    "tags": ("标签",),
}
COLUMN_LABELS = {name: names[0] for name, names in HEADER_SYNONYMS.items()}
REQUIRED_COLUMNS = ("type", "stem", "answer")
EXPORT_COLUMNS = [name for name in HEADER_SYNONYMS if name != "options"]

TYPE_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("单选", "单选题", "单项选择题", "单项选择"), QuestionType.SINGLE),
    **dict.fromkeys(("多选", "多选题", "多项选择题", "多项选择"), QuestionType.MULTIPLE),
    **dict.fromkeys(("判断", "判断题"), QuestionType.TRUE_FALSE),
    **dict.fromkeys(("填空", "填空题"), QuestionType.FILL),
    **dict.fromkeys(("简答", "简答题", "问答题", "问答"), QuestionType.SHORT),
}
TYPE_EXPORT_NAMES = {
    QuestionType.SINGLE: "单选题",
    QuestionType.MULTIPLE: "多选题",
    QuestionType.TRUE_FALSE: "判断题",
    QuestionType.FILL: "填空题",
    QuestionType.SHORT: "简答题",
}
DIFFICULTY_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("易", "简单", "容易", "低", "1"), Difficulty.EASY),
    **dict.fromkeys(("中", "中等", "一般", "适中", "2"), Difficulty.MEDIUM),
    **dict.fromkeys(("难", "困难", "较难", "高", "3"), Difficulty.HARD),
}
DIFFICULTY_EXPORT_NAMES = {Difficulty.EASY: "易", Difficulty.MEDIUM: "中", Difficulty.HARD: "难"}
MAX_SCORE = Decimal("1000")
DEFAULT_SCORE = Decimal("1")
