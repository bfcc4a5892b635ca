"""Reads of the quiz engine: what a trainee may see of an attempt, results, grading queue, item analysis."""

import statistics
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from hot_sql import JSONArrayAgg, db_json
from learning.classes.models import Enrolment
from learning.classes.selectors import can_view_all_classes
from learning.quizzes import grading
from learning.quizzes.drawing import draw_plan_annotations
from learning.quizzes.keys import corrected_key, key_as_bank, snapshot_perm
from learning.quizzes.models import (
    REVIEW_ORDER,
    Attempt,
    AttemptState,
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
from learning.quizzes.scoring import percent

PUBLIC_QUESTION_FIELDS = ("id", "type", "stem", "options", "score", "blanks")
TWO = Decimal("0.01")


def public_question(question: dict) -> dict:
    """A snapshot question without anything that gives the answer away."""
    return {key: question[key] for key in PUBLIC_QUESTION_FIELDS if key in question}


def user_enrolments(user_id) -> QuerySet:
    """The user's enrolments: an exam is for the trainees enrolled in its class (DOMAIN.md)."""
    return Enrolment.objects.filter(trainee__user_id=user_id)


# quiz_for_start's statement, compiled once per database vendor: building and compiling the
# queryset (three subqueries, JSON objects) costs ~5 ms of CPU, more than running it. Compiled
# with these two ids in its parameters, which each call replaces by the quiz's and the user's.
_START_SQL: dict[str, tuple[str, tuple]] = {}
_QUIZ_SENTINEL = -7_700_000_001
_USER_SENTINEL = -7_700_000_002


def _quiz_for_start_queryset(quiz_id: int, user_id: int) -> QuerySet:
    previous = (
        Attempt.objects.filter(quiz=OuterRef("pk"), user_id=user_id)
        .order_by()
        .values("quiz")
        .annotate(
            items=JSONArrayAgg(
                JSONObject(id="id", state="state", number="number", deadline="deadline")
            )
        )
        .values("items")
    )
    enrolled = user_enrolments(user_id).filter(training_class_id=OuterRef("training_class_id"))
    return Quiz.objects.filter(pk=quiz_id).annotate(
        start_user=Value(user_id),
        start_enrolled=Exists(enrolled),
        start_previous=Subquery(previous, output_field=JSONField()),
        **draw_plan_annotations(),
    )


def _quiz_for_start_sql(quiz_id: int, user_id: int) -> tuple[str, list]:
    compiled = _START_SQL.get(connection.vendor)
    if compiled is None:
        sql, params = _quiz_for_start_queryset(
            _QUIZ_SENTINEL, _USER_SENTINEL
        ).query.sql_with_params()
        compiled = _START_SQL[connection.vendor] = (sql, tuple(params))
    sql, params = compiled
    swap = {_QUIZ_SENTINEL: quiz_id, _USER_SENTINEL: user_id}
    return sql, [swap.get(p, p) if isinstance(p, int) else p for p in params]


def quiz_for_start(*, quiz_id: int, user) -> Quiz | None:
    """The quiz a user is starting, with all a start reads in the same row (one statement): the
    user (`start_user`), whether they are enrolled in its class (`start_enrolled`; the rule: an
    exam is for its class's trainees, user_enrolments), their attempts so far (`start_previous`,
    a list of dicts) and the draw plan (drawing.draw_plan_annotations). attempts.attempt_start
    uses them when the quiz was read for the same user, else reads them."""
    sql, params = _quiz_for_start_sql(quiz_id, user.pk)
    quiz = next(iter(Quiz.objects.raw(sql, params)), None)
    if quiz is not None:
        # A raw query converts the model's fields only: the annotations as the ORM gives them.
        quiz.start_enrolled = bool(quiz.start_enrolled)
        for name in ("start_previous", "plan_fixed", "plan_rules"):
            setattr(quiz, name, db_json(getattr(quiz, name)))
    return quiz


def review_level(*, attempt: Attempt, now: datetime | None = None) -> str:
    """How much of a finished attempt its trainee may see now (after submit / after the quiz closes)."""
    if attempt.state == AttemptState.IN_PROGRESS:
        return ReviewLevel.NOTHING
    quiz = attempt.quiz
    level = quiz.review_after_submit
    if quiz.is_closed(now or timezone.now()):
        level = max(level, quiz.review_after_close, key=REVIEW_ORDER.index)
    return level


def _at_least(level: str, wanted: str) -> bool:
    return REVIEW_ORDER.index(level) >= REVIEW_ORDER.index(wanted)


def remaining_seconds(*, attempt: Attempt, now: datetime | None = None) -> float | None:
    if attempt.state != AttemptState.IN_PROGRESS or attempt.deadline is None:
        return None if attempt.state == AttemptState.IN_PROGRESS else 0.0
    return max(0.0, (attempt.deadline - (now or timezone.now())).total_seconds())


def exam_question_ids(question_ids) -> set[int]:
    """Those of `question_ids` that an exam may show: fixed questions of an exam, and every
    question of a bank an exam draws from. Their keys stay out of practice-quiz review, or a
    practice quiz would hand out the class exam's answers (issue 12)."""
    ids = {int(pk) for pk in question_ids}
    if not ids:
        return set()
    fixed = QuizQuestion.objects.filter(quiz__kind=QuizKind.EXAM, question_id__in=ids)
    drawn = Question.objects.filter(
        pk__in=ids, bank__in=QuizDrawRule.objects.filter(quiz__kind=QuizKind.EXAM).values("bank")
    )
    return set(fixed.values_list("question_id", flat=True)) | set(
        drawn.values_list("pk", flat=True)
    )


def practice_leaks(*, quiz: Quiz) -> list[str]:
    """Why this quiz would show exam keys: a practice quiz whose review shows answers and whose
    questions (fixed, or the banks it draws from) an exam also uses; [] when it would not."""
    if quiz.kind != QuizKind.PRACTICE or not any(
        _at_least(level, ReviewLevel.ANSWERS)
        for level in (quiz.review_after_submit, quiz.review_after_close)
    ):
        return []
    pool = set(quiz.fixed_questions.values_list("question_id", flat=True)) | set(
        Question.objects.filter(bank__in=quiz.draw_rules.values("bank")).values_list(
            "pk", flat=True
        )
    )
    if not exam_question_ids(pool):
        return []
    return [
        _(
            "这个课后练习的部分试题也用于考试：练习交卷后不会显示这些题的答案和解析。"
            "如需显示，请改用不被考试使用的题库。"
        )
    ]


def attempt_detail(
    *, attempt: Attempt, now: datetime | None = None, answers: list | None = None
) -> dict:
    """Everything the trainee may see of their attempt, as plain data for the API and the page.

    `answers`: the attempt's saved answers when the caller knows them (a new attempt has none),
    else they are read.
    """
    now = now or timezone.now()
    level = review_level(attempt=attempt, now=now)
    rows = {row.question_id: row for row in (attempt.answers.all() if answers is None else answers)}
    data = {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "remaining_seconds": remaining_seconds(attempt=attempt, now=now),
        "review": level,
        # The trainee's own record, shown whatever the review level (they were told on the page).
        "focus_losses": attempt.focus_losses,
        "max_focus_losses": attempt.quiz.max_focus_losses,
        "closed_by_focus_loss": attempt.closed_by_focus_loss,
        "answers": {str(qid): row.answer for qid, row in rows.items() if row.answer is not None},
        "questions": [],
    }
    show_score = _at_least(level, ReviewLevel.SCORE)
    show_answers = _at_least(level, ReviewLevel.ANSWERS)
    show_explanations = _at_least(level, ReviewLevel.EXPLANATIONS)
    if show_score:
        data.update(
            score=attempt.score,
            max_score=attempt.max_score,
            percent=percent(attempt.score, attempt.max_score),
            passed=attempt.passed,
            closed_by_deadline=attempt.closed_by_deadline,
        )
    hidden = (
        exam_question_ids(q["id"] for q in attempt.questions)
        if show_answers and attempt.quiz.kind == QuizKind.PRACTICE
        else set()
    )
    for question in attempt.questions:
        item = public_question(question)
        row = rows.get(question["id"])
        if question["id"] in hidden:
            # An exam uses this question: neither its key nor its grade (a 0 on a true/false
            # question gives the key away) nor its explanation.
            item["key_hidden"] = True
            data["questions"].append(item)
            continue
        if show_answers:
            item["correct_answer"] = question.get("answer")
            item["correct_answer_text"] = grading.display_answer(question)
            item["awarded"] = (
                row.awarded
                if row
                else (None if question["type"] == QuestionType.SHORT else Decimal("0.00"))
            )
            if row and row.comment:
                item["comment"] = row.comment
        if show_explanations:
            item["explanation"] = question.get("explanation", "")
        data["questions"].append(item)
    return data


def counted_attempt(attempts: list[Attempt], method: str) -> Attempt | None:
    """The attempt a grading method counts: the best or the last graded one."""
    graded = [a for a in attempts if a.state == AttemptState.GRADED and a.score is not None]
    if not graded:
        return None
    if method == GradingMethod.LAST:
        return max(graded, key=lambda a: a.number)
    return max(graded, key=lambda a: (percent(a.score, a.max_score) or 0, -a.number))


def quiz_result(*, quiz: Quiz, user) -> Attempt | None:
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user))
    return counted_attempt(attempts, quiz.grading_method)


def lesson_quiz(*, lesson_id: int) -> Quiz | None:
    """The practice quiz of a lesson page, if it has one."""
    return Quiz.objects.filter(kind=QuizKind.PRACTICE, lesson_id=lesson_id).order_by("id").first()


def trainer_classes_filter(*, user) -> dict | None:
    """Filter kwargs limiting quizzes to the user's classes; None when the user sees all."""
    if user.is_superuser or user.has_perm("classes.view_all_classes"):
        return None
    return {"training_class__trainers": user}


# --- question banks: shared read-only, editable by their owner, their class's trainers, staff ----


def banks_editable_by(*, user) -> QuerySet:
    """Banks whose questions (and so answer keys) the user may add, change or delete: their own,
    their classes', those staff shared for editing; every bank for staff (who may see all
    classes). The one selector for the bank and question admin, their choice lists and imports;
    other banks are read-only to the user (they may still view, export and draw from them)."""
    qs = QuestionBank.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if can_view_all_classes(user):
        return qs
    return qs.filter(
        Q(owner=user) | Q(training_class__trainers=user) | Q(shared_for_editing=True)
    ).distinct()


def bank_is_editable(*, user, bank_id) -> bool:
    return banks_editable_by(user=user).filter(pk=bank_id).exists()


def grading_queue(*, user) -> QuerySet:
    """Attempts with 简答 answers waiting for a grade: exams of the classes this user trains, and
    practice quizzes (which belong to no class)."""
    qs = Attempt.objects.filter(state=AttemptState.NEEDS_GRADING).select_related("quiz", "user")
    if trainer_classes_filter(user=user) is not None:
        qs = qs.filter(
            Q(quiz__training_class__isnull=True) | Q(quiz__training_class__trainers=user)
        ).distinct()
    return qs.order_by("submitted_at", "id")


def duplicate_groups(*, bank_id: int | None = None) -> list[list[Question]]:
    """Questions sharing type + normalised stem inside a bank, grouped."""
    from django.db.models import Count

    qs = Question.objects.all()
    if bank_id:
        qs = qs.filter(bank_id=bank_id)
    keys = (
        qs.values("bank_id", "stem_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("bank_id", "stem_key")
    )
    groups: dict[tuple, list[Question]] = defaultdict(list)
    pairs = list(keys)
    if not pairs:
        return []
    for question in (
        Question.objects.filter(stem_key__in={k for _b, k in pairs})
        .select_related("bank")
        .order_by("bank_id", "stem_key", "id")
    ):
        if (question.bank_id, question.stem_key) in pairs:
            groups[(question.bank_id, question.stem_key)].append(question)
    return list(groups.values())


def item_analysis(*, quiz: Quiz) -> dict:
    """Per question facility and discrimination (upper/lower 27%), score mean/median/sd/histogram.

    Each trainee counts once, with the attempt the quiz's grading method counts. Facility is the
    mean share of the question's points earned; discrimination is the facility in the upper 27%
    of trainees by total score minus that in the lower 27%.
    """
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(quiz=quiz, state=AttemptState.GRADED).prefetch_related(
        "answers"
    ):
        by_user[attempt.user_id].append(attempt)
    counted = [a for a in (counted_attempt(v, quiz.grading_method) for v in by_user.values()) if a]
    scores = [float(percent(a.score, a.max_score) or 0) for a in counted]
    result = {
        "count": len(counted),
        "mean": round(statistics.fmean(scores), 2) if scores else None,
        "median": round(statistics.median(scores), 2) if scores else None,
        "stdev": round(statistics.pstdev(scores), 2) if scores else None,
        "histogram": histogram(scores),
        "questions": [],
    }
    if not counted:
        return result
    # Share of points earned per (attempt, question); questions absent from an attempt are skipped.
    shares: dict[int, dict[int, float]] = defaultdict(dict)
    stems: dict[int, dict] = {}
    for attempt in counted:
        awarded = {row.question_id: row.awarded for row in attempt.answers.all()}
        for question in attempt.questions:
            stems.setdefault(question["id"], question)
            full = Decimal(question["score"])
            got = awarded.get(question["id"]) or Decimal("0")
            shares[question["id"]][attempt.pk] = float(got / full) if full else 0.0
    ranked = sorted(counted, key=lambda a: (percent(a.score, a.max_score) or 0, -a.pk))
    group = max(1, round(len(ranked) * 0.27))
    lower = {a.pk for a in ranked[:group]}
    upper = {a.pk for a in ranked[-group:]}
    for qid, per_attempt in shares.items():
        values = list(per_attempt.values())
        up = [v for aid, v in per_attempt.items() if aid in upper]
        low = [v for aid, v in per_attempt.items() if aid in lower]
        discrimination = (
            round(statistics.fmean(up) - statistics.fmean(low), 2) if up and low else None
        )
        result["questions"].append(
            {
                "id": qid,
                "type": stems[qid]["type"],
                "stem": stems[qid]["stem"],
                "answered": len(values),
                "facility": round(statistics.fmean(values), 2),
                "discrimination": discrimination,
            }
        )
    result["questions"].sort(key=lambda q: q["facility"])
    return result


def focus_loss_attempts(*, quiz: Quiz, limit: int = 100) -> list[Attempt]:
    """Attempts of a quiz whose page was left at least once (切屏), most departures first."""
    return list(
        Attempt.objects.filter(quiz=quiz, focus_losses__gt=0)
        .select_related("user__trainee_profile")
        .only(
            "id",
            "number",
            "state",
            "submitted_at",
            "score",
            "max_score",
            "focus_losses",
            "closed_by_focus_loss",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__trainee_profile__name",
            "user__trainee_profile__student_no",
        )
        .order_by("-focus_losses", "-id")[:limit]
    )


def histogram(scores: list[float], *, bins: int = 10) -> list[dict]:
    """Counts of scores (百分制) in 10-point bins: 0–9, 10–19, …, 90–100."""
    counts = [0] * bins
    width = 100 / bins
    for score in scores:
        index = min(bins - 1, max(0, int(score // width)))
        counts[index] += 1
    return [
        {"low": int(i * width), "high": int((i + 1) * width), "count": c}
        for i, c in enumerate(counts)
    ]


def quiz_key_changes(*, quiz: Quiz) -> dict[int, dict]:
    """Questions whose bank key now differs from the key some attempts of the quiz snapshotted.

    Per question id: how many attempts (finished and in progress) hold another key, how many
    cannot take the new key (type or number of options changed), and both keys as a person reads
    them, in the bank's own option letters. Scores are not compared: an attempt's points per
    question come from the quiz (fixed score or draw rule), not from the bank.
    """
    attempts = list(Attempt.objects.filter(quiz=quiz).values_list("questions", flat=True))
    ids = {
        item["id"]
        for questions in attempts
        for item in questions
        if item["type"] != QuestionType.SHORT
    }
    bank = Question.objects.in_bulk(ids)
    changes: dict[int, dict] = {}
    for questions in attempts:
        for item in questions:
            question = bank.get(item["id"])
            if question is None or item["type"] == QuestionType.SHORT:
                continue
            new = corrected_key(question, item)
            if new == item.get("answer"):
                continue
            entry = changes.setdefault(
                item["id"],
                {
                    "id": item["id"],
                    "stem": item["stem"],
                    "attempts": 0,
                    "unmappable": 0,
                    "current": grading.display_answer(
                        {"type": question.type, "answer": question.answer}
                    ),
                    "snapshot": [],
                },
            )
            if new is None:
                entry["unmappable"] += 1
            else:
                entry["attempts"] += 1
            old = grading.display_answer(
                {
                    "type": item["type"],
                    "answer": key_as_bank(item["type"], item.get("answer"), snapshot_perm(item)),
                }
            )
            if old not in entry["snapshot"]:
                entry["snapshot"].append(old)
    return changes


def regrade_logs(*, quiz: Quiz, limit: int = 20) -> list:
    """The latest regrades of a quiz, newest first, for the item analysis page."""
    return list(quiz.regrade_logs.select_related("by")[:limit])
