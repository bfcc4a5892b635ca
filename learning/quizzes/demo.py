"""Demo quiz content for `load_demo`: a bank of original Party-basics questions, a practice quiz, exams."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from wagtail.models import Page

from learning.classes.models import TrainingClass, lesson_pages_q
from learning.quizzes import grading
from learning.quizzes.models import (
    Difficulty,
    GradingMethod,
    Question,
    QuestionBank,
    QuestionType,
    Quiz,
    QuizDrawRule,
    QuizKind,
    QuizQuestion,
    ReviewLevel,
)

BANK_NAME = "党的基本知识题库（演示）"
E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

# (stem, options, answer, explanation, difficulty, category)
SINGLE = [
    (
        "中国共产党第一次全国代表大会于哪一年召开？",
        ["1919年", "1921年", "1927年", "1935年"],
        "B",
        "1921年7月，党的一大召开，宣告中国共产党正式成立。",
        E,
        "党史",
    ),
    (
        "党的最高领导机关是（ ）。",
        [
            "党的全国代表大会和它所产生的中央委员会",
            "中央政治局",
            "中央书记处",
            "中央纪律检查委员会",
        ],
        "A",
        "党章规定：党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。",
        E,
        "党章",
    ),
    (
        "党的根本组织原则是（ ）。",
        ["集体领导", "民主集中制", "个人分工负责", "少数服从多数"],
        "B",
        "民主集中制是党的根本组织原则和领导制度。",
        E,
        "党章",
    ),
    (
        "预备党员的预备期为（ ）。",
        ["半年", "一年", "两年", "三年"],
        "B",
        "党章规定预备党员的预备期为一年。",
        E,
        "发展党员",
    ),
    (
        "申请加入中国共产党须年满（ ）。",
        ["十六岁", "十八岁", "二十岁", "二十二岁"],
        "B",
        "年满十八岁的先进分子，可以申请加入中国共产党。",
        E,
        "党章",
    ),
    (
        "凡是有正式党员（ ）以上的单位，都应当成立党的基层组织。",
        ["二人", "三人", "五人", "七人"],
        "B",
        "党章规定：凡是有正式党员三人以上的，都应当成立党的基层组织。",
        M,
        "党章",
    ),
    (
        "发展党员时，入党介绍人一般为（ ）正式党员。",
        ["一名", "两名", "三名", "五名"],
        "B",
        "发展党员必须有两名正式党员作介绍人。",
        E,
        "发展党员",
    ),
    (
        "党员没有正当理由，连续（ ）不参加党的组织生活、不交纳党费或不做党所分配的工作，就被认为是自行脱党。",
        ["三个月", "六个月", "九个月", "十二个月"],
        "B",
        "党章规定为连续六个月。",
        M,
        "党章",
    ),
    (
        "遵义会议召开于（ ）。",
        ["1934年", "1935年", "1936年", "1937年"],
        "B",
        "遵义会议于1935年1月召开。",
        M,
        "党史",
    ),
    (
        "中国共产党的根本宗旨是（ ）。",
        ["实现共产主义", "全心全意为人民服务", "解放和发展生产力", "建设现代化强国"],
        "B",
        "全心全意为人民服务是党的根本宗旨；实现共产主义是党的最高理想和最终目标。",
        E,
        "党章",
    ),
    (
        "入党积极分子经过（ ）以上的培养教育和考察，基本具备党员条件的，可列为发展对象。",
        ["三个月", "半年", "一年", "两年"],
        "C",
        "依据《中国共产党发展党员工作细则》。",
        M,
        "发展党员",
    ),
    (
        "党员的党龄从（ ）算起。",
        [
            "递交入党申请书之日",
            "支部大会通过其为预备党员之日",
            "预备期满转为正式党员之日",
            "上级党委谈话之日",
        ],
        "C",
        "党员的党龄，从预备期满转为正式党员之日算起。",
        M,
        "发展党员",
    ),
    (
        "党的纪律处分共有（ ）。",
        ["三种", "四种", "五种", "六种"],
        "C",
        "警告、严重警告、撤销党内职务、留党察看、开除党籍五种。",
        M,
        "党的纪律",
    ),
    (
        "留党察看最长不超过（ ）。",
        ["一年", "两年", "三年", "五年"],
        "B",
        "党章规定留党察看最长不超过两年。",
        H,
        "党的纪律",
    ),
    (
        "中华人民共和国成立于（ ）。",
        ["1945年", "1949年", "1954年", "1956年"],
        "B",
        "1949年10月1日中华人民共和国成立。",
        E,
        "党史",
    ),
    (
        "开启改革开放历史新时期的会议是（ ）。",
        ["党的八大", "党的十一届三中全会", "党的十二大", "党的十四大"],
        "B",
        "1978年12月召开的党的十一届三中全会。",
        M,
        "党史",
    ),
]

MULTIPLE = [
    (
        "党的纪律处分包括（ ）。",
        ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍", "罚款"],
        "ABCDE",
        "罚款不是党的纪律处分。",
        M,
        "党的纪律",
    ),
    (
        "党的三大优良作风是（ ）。",
        ["理论联系实际", "密切联系群众", "批评与自我批评", "勤俭节约"],
        "ABC",
        "理论联系实际、密切联系群众、批评与自我批评。",
        E,
        "党的建设",
    ),
    (
        "《中国共产党纪律处分条例》规定的党的纪律包括（ ）。",
        ["政治纪律", "组织纪律", "廉洁纪律", "群众纪律", "工作纪律", "生活纪律", "宣传纪律"],
        "ABCDEF",
        "即“六项纪律”。",
        H,
        "党的纪律",
    ),
    (
        "发展党员工作包括以下哪些阶段？",
        [
            "入党积极分子的确定和培养教育",
            "发展对象的确定和考察",
            "预备党员的接收",
            "预备党员的教育考察和转正",
            "民主评议党员",
        ],
        "ABCD",
        "民主评议党员是对党员的日常管理，不是发展阶段。",
        M,
        "发展党员",
    ),
    (
        "党的基本路线中“两个基本点”是指（ ）。",
        ["坚持四项基本原则", "坚持改革开放", "以经济建设为中心", "坚持独立自主"],
        "AB",
        "“一个中心”是以经济建设为中心。",
        M,
        "理论",
    ),
    (
        "四项基本原则包括（ ）。",
        [
            "坚持社会主义道路",
            "坚持人民民主专政",
            "坚持中国共产党的领导",
            "坚持马克思列宁主义毛泽东思想",
            "坚持改革开放",
        ],
        "ABCD",
        "改革开放是“两个基本点”之一，不在四项基本原则之列。",
        M,
        "理论",
    ),
    (
        "预备期满，支部大会讨论预备党员转正时可以作出的决定有（ ）。",
        ["按期转为正式党员", "延长预备期", "取消预备党员资格", "给予严重警告处分"],
        "ABC",
        "转正讨论的结论只有这三种。",
        H,
        "发展党员",
    ),
    (
        "入党誓词包括以下哪些内容？",
        ["拥护党的纲领", "遵守党的章程", "保守党的秘密", "永不叛党", "维护个人利益"],
        "ABCD",
        "入党誓词中没有“维护个人利益”。",
        E,
        "党章",
    ),
    (
        "“三会一课”中的“三会”是指（ ）。",
        ["支部党员大会", "支部委员会", "党小组会", "团支部大会"],
        "ABC",
        "“一课”是按时上好党课。",
        E,
        "党的建设",
    ),
    (
        "党员应增强的“四个意识”是（ ）。",
        ["政治意识", "大局意识", "核心意识", "看齐意识", "忧患意识"],
        "ABCD",
        "政治意识、大局意识、核心意识、看齐意识。",
        M,
        "理论",
    ),
]

TRUE_FALSE = [
    ("入党积极分子须经过一年以上的培养教育和考察，才能被列为发展对象。", True, "", E, "发展党员"),
    (
        "预备党员享有表决权、选举权和被选举权。",
        False,
        "预备党员没有表决权、选举权和被选举权。",
        M,
        "党章",
    ),
    ("党的最高理想和最终目标是实现共产主义。", True, "", E, "党章"),
    (
        "党员的党龄从支部大会通过其为预备党员之日算起。",
        False,
        "从预备期满转为正式党员之日算起。",
        M,
        "发展党员",
    ),
    (
        "入党介绍人一般由培养联系人担任。",
        True,
        "依据《中国共产党发展党员工作细则》。",
        M,
        "发展党员",
    ),
    ("申请入党的人必须年满十八岁。", True, "", E, "党章"),
    ("民主集中制是党的根本组织原则。", True, "", E, "党章"),
    ("党员有退党的自由。", True, "党章规定：党员有退党的自由。", M, "党章"),
    ("遵义会议确立了毛泽东同志在党中央和红军的领导地位。", True, "", M, "党史"),
    (
        "为完成发展指标，可以集中突击发展党员。",
        False,
        "发展党员应坚持标准、保证质量，防止突击发展。",
        E,
        "发展党员",
    ),
    (
        "预备期可以延长，延长时间最长为两年。",
        False,
        "延长预备期的时间不能少于半年，最长不超过一年。",
        H,
        "发展党员",
    ),
]

FILL = [
    (
        "中国共产党是中国工人阶级的先锋队，同时是（ ）和中华民族的先锋队。",
        "中国人民",
        "",
        M,
        "党章",
    ),
    ("党的根本宗旨是（ ）。", "全心全意为人民服务", "", E, "党章"),
    ("党的最高理想和最终目标是实现（ ）。", "共产主义", "", E, "党章"),
    ("“三会一课”中的“一课”是指按时上好（ ）。", "党课", "", E, "党的建设"),
    ("预备党员的预备期为（ ）年。", "一|1", "", E, "发展党员"),
    (
        "党的纪律处分有警告、严重警告、撤销党内职务、（ ）和（ ）五种。",
        "留党察看；开除党籍",
        "",
        M,
        "党的纪律",
    ),
    ("党的一大最后一天的会议转移到浙江嘉兴（ ）的一条游船上举行。", "南湖", "", M, "党史"),
]

SHORT = [
    (
        "简述入党积极分子应如何端正入党动机。",
        "要点：认清入党是为了全心全意为人民服务、为共产主义事业奋斗；在学习和工作中自觉接受党组织教育考察；"
        "以实际行动体现先进性。",
        H,
        "党性修养",
    ),
    (
        "结合自身实际，谈谈新时代大学生党员应如何发挥先锋模范作用。",
        "要点：理论学习走在前，专业学习作表率，服务同学做榜样，遵守纪律守底线。",
        H,
        "党性修养",
    ),
    (
        "简述发展党员的主要程序。",
        "要点：递交入党申请书、确定入党积极分子并培养考察、确定发展对象并政治审查和集中培训、"
        "支部大会讨论接收预备党员并报上级党委审批、预备期教育考察、按期转正。",
        H,
        "发展党员",
    ),
]

SCORES = {
    QuestionType.SINGLE: Decimal("2"),
    QuestionType.MULTIPLE: Decimal("3"),
    QuestionType.TRUE_FALSE: Decimal("1"),
    QuestionType.FILL: Decimal("2"),
    QuestionType.SHORT: Decimal("10"),
}


def _row(type_, stem, options, answer, explanation, difficulty, category) -> dict:
    return {
        "type": type_,
        "stem": stem,
        "options": options,
        "answer": answer,
        "explanation": explanation,
        "difficulty": difficulty,
        "category": category,
    }


def _question_rows() -> list[dict]:
    rows = []
    for stem, options, answer, explanation, difficulty, category in SINGLE + MULTIPLE:
        type_ = QuestionType.SINGLE if len(answer) == 1 else QuestionType.MULTIPLE
        rows.append(_row(type_, stem, options, answer, explanation, difficulty, category))
    for stem, answer, explanation, difficulty, category in TRUE_FALSE:
        rows.append(
            _row(QuestionType.TRUE_FALSE, stem, [], answer, explanation, difficulty, category)
        )
    for stem, answer, explanation, difficulty, category in FILL:
        rows.append(_row(QuestionType.FILL, stem, [], answer, explanation, difficulty, category))
    for stem, answer, difficulty, category in SHORT:
        rows.append(_row(QuestionType.SHORT, stem, [], answer, "", difficulty, category))
    return rows


def demo_bank_ensure() -> QuestionBank:
    bank, _ = QuestionBank.objects.get_or_create(
        name=BANK_NAME,
        defaults={"description": "演示用原创试题：党章、党史、发展党员、党的纪律等基本知识。"},
    )
    existing = set(bank.questions.values_list("stem_key", flat=True))
    for row in _question_rows():
        if grading.stem_key(row["type"], row["stem"]) in existing:
            continue
        Question.objects.create(
            bank=bank,
            type=row["type"],
            stem=row["stem"],
            options=row["options"],
            answer=grading.normalise_key(
                row["type"], row["answer"], option_count=len(row["options"])
            ),
            explanation=row["explanation"],
            score=SCORES[row["type"]],
            difficulty=row["difficulty"],
            category=row["category"],
            tags="演示",
        )
    return bank


def _first_live_lesson() -> Page | None:
    return Page.objects.live().filter(lesson_pages_q()).order_by("path").first()


def demo_practice_ensure(bank: QuestionBank) -> Quiz | None:
    lesson = _first_live_lesson()
    if lesson is None:
        return None
    quiz, created = Quiz.objects.get_or_create(
        kind=QuizKind.PRACTICE,
        lesson=lesson,
        defaults={
            "title": f"课后练习：{lesson.title}",
            "description": "学完本课后做几道题检验一下，可反复练习，交卷后即可查看答案和解析。",
            "attempts_allowed": 0,
            "review_after_submit": ReviewLevel.EXPLANATIONS,
            "review_after_close": ReviewLevel.EXPLANATIONS,
        },
    )
    if created:
        picks = list(
            bank.questions.filter(
                category="党章", type__in=[QuestionType.SINGLE, QuestionType.TRUE_FALSE]
            ).order_by("id")[:5]
        )
        for order, question in enumerate(picks):
            QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    return quiz


# 切屏检测 on the demo exam: the sixth time the page is left, the attempt is handed in.
DEMO_MAX_FOCUS_LOSSES = 5

# 10 单选 × 4 + 5 多选 × 6 + 10 判断 × 2 + 2 填空 × 5 = 100 points.
EXAM_RULES = [
    (QuestionType.SINGLE, 10, Decimal("4")),
    (QuestionType.MULTIPLE, 5, Decimal("6")),
    (QuestionType.TRUE_FALSE, 10, Decimal("2")),
    (QuestionType.FILL, 2, Decimal("5")),
]


def demo_exams_ensure(bank: QuestionBank) -> list[Quiz]:
    exams = []
    for training_class in TrainingClass.objects.order_by("id"):
        quiz, created = Quiz.objects.get_or_create(
            kind=QuizKind.EXAM,
            training_class=training_class,
            is_final_exam=True,
            defaults={
                "title": f"{training_class.name}结业考试",
                "description": (
                    "闭卷考试，限时 90 分钟，满分 100 分，60 分及格；可参加两次，取最高分。"
                    "作答中离开考试页面超过 5 次将自动交卷。"
                ),
                "time_limit_minutes": settings.DANGKE["EXAM_TIME_LIMIT_MINUTES"],
                "attempts_allowed": 2,
                "grading_method": GradingMethod.HIGHEST,
                # The class's 及格分 decides its 结业考试 (scoring.pass_mark_for).
                "pass_mark": training_class.pass_mark,
                "review_after_submit": ReviewLevel.SCORE,
                "review_after_close": ReviewLevel.EXPLANATIONS,
                "class_hours_credit": Decimal(settings.DANGKE["EXAM_PASS_CLASS_HOURS"]),
                "max_focus_losses": DEMO_MAX_FOCUS_LOSSES,
            },
        )
        if created:
            for order, (type_, count, score) in enumerate(EXAM_RULES):
                QuizDrawRule.objects.create(
                    quiz=quiz, bank=bank, type=type_, count=count, score=score, sort_order=order
                )
        exams.append(quiz)
    # The first class's 结业考试 has a 补考 (one attempt), open to whoever fails or misses it.
    if exams:
        final = exams[0]
        makeup, created = Quiz.objects.get_or_create(
            makeup_of=final,
            defaults={
                "title": f"{final.training_class.name}结业考试（补考）",
                "kind": QuizKind.EXAM,
                "training_class": final.training_class,
                "description": "结业考试未通过（两次机会用完）或未参加的学员可参加一次补考。",
                "time_limit_minutes": settings.DANGKE["EXAM_TIME_LIMIT_MINUTES"],
                "attempts_allowed": 1,
                "pass_mark": final.training_class.pass_mark,
                "review_after_submit": ReviewLevel.SCORE,
                "review_after_close": ReviewLevel.EXPLANATIONS,
                "max_focus_losses": DEMO_MAX_FOCUS_LOSSES,
            },
        )
        if created:
            for order, (type_, count, score) in enumerate(EXAM_RULES):
                QuizDrawRule.objects.create(
                    quiz=makeup, bank=bank, type=type_, count=count, score=score, sort_order=order
                )
    return exams


def demo_quizzes_ensure() -> None:
    """The demo bank, a practice quiz on the first live lesson and a final exam per class (idempotent)."""
    with transaction.atomic():
        bank = demo_bank_ensure()
        demo_practice_ensure(bank)
        demo_exams_ensure(bank)
