"""Demo quiz content for `load_demo`: the demo bank (its questions are in demo_questions.py), a
practice quiz, exams."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from wagtail.models import Page

from learning.classes.models import TrainingClass, lesson_pages_q
from learning.quizzes import grading
from learning.quizzes.demo_questions import BANK_NAME, SCORES, question_rows
from learning.quizzes.models import (
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


def demo_bank_ensure() -> QuestionBank:
    bank, _ = QuestionBank.objects.get_or_create(
        name=BANK_NAME,
        defaults={"description": "演示用原创试题：党章、党史、发展党员、党的纪律等基本知识。"},
    )
    existing = set(bank.questions.values_list("stem_key", flat=True))
    for row in question_rows():
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
