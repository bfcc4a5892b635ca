"""Trainee pages: a quiz's landing page, taking an attempt (autosaved through the API) and its review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.quizzes import selectors, services
from learning.quizzes.exceptions import NotAllowed, QuizNotAvailable
from learning.quizzes.models import Attempt, AttemptState, Quiz, ReviewLevel
from learning.quizzes.scoring import pass_mark_for


def _visible_quiz(request, quiz_id: int) -> Quiz:
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    try:
        services.quiz_check_may_start(quiz=quiz, user=request.user)
    except NotAllowed as exc:
        raise Http404 from exc
    return quiz


@login_required
def quiz_detail(request, quiz_id: int):
    quiz = _visible_quiz(request, quiz_id)
    attempts = list(Attempt.objects.filter(quiz=quiz, user=request.user).order_by("number"))
    in_progress = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    rows = []
    for attempt in attempts:
        attempt.quiz = quiz
        level = selectors.review_level(attempt=attempt)
        rows.append(
            {
                "attempt": attempt,
                "show_score": level != ReviewLevel.NOTHING,
                "percent": selectors.percent(attempt.score, attempt.max_score),
            }
        )
    used = len(attempts)
    can_start = quiz.is_open() and (not quiz.attempts_allowed or used < quiz.attempts_allowed)
    makeup_closed = ""
    if can_start and quiz.makeup_of_id:
        try:
            services.makeup_check_open(quiz=quiz, user=request.user)
        except NotAllowed as exc:
            can_start, makeup_closed = False, str(exc)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "rows": rows,
            "in_progress": in_progress,
            "can_start": can_start or in_progress is not None,
            "attempts_used": used,
            "makeup_closed": makeup_closed,
            "pass_mark": pass_mark_for(quiz),
        },
    )


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = _visible_quiz(request, quiz_id)
    try:
        attempt, _created = services.attempt_start(quiz=quiz, user=request.user)
    except QuizNotAvailable as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:quiz", quiz_id=quiz.pk)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("quiz"), pk=attempt_id, user=request.user
    )


@login_required
def attempt_take(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if services.attempt_close_if_overdue(attempt_id=attempt.pk):
        messages.info(request, _("考试时间已到，系统已按截止前保存的答案自动交卷。"))
        attempt = _own_attempt(request, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect("quizzes:result", attempt_id=attempt.pk)
    detail = selectors.attempt_detail(attempt=attempt)
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "detail": detail,
            # Only what review allows, which for an open attempt is the questions without keys.
            "questions": detail["questions"],
            "client_state": {
                "attempt": attempt.pk,
                "remaining": detail["remaining_seconds"],
                "answers": detail["answers"],
                "focusLosses": detail["focus_losses"],
                "maxFocusLosses": detail["max_focus_losses"],
                "questions": [
                    {"id": q["id"], "type": q["type"], "blanks": q.get("blanks", 1)}
                    for q in detail["questions"]
                ],
            },
        },
    )


@login_required
def attempt_result(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    services.attempt_close_if_overdue(attempt_id=attempt.pk)
    attempt = _own_attempt(request, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect("quizzes:attempt", attempt_id=attempt.pk)
    detail = selectors.attempt_detail(attempt=attempt)
    answers = detail["answers"]
    for question in detail["questions"]:
        question["given"] = answers.get(str(question["id"]))
    quiz = attempt.quiz
    # Whether the answers are published when the quiz closes: the result page says so, and when.
    answers_later = quiz.review_after_close in (ReviewLevel.ANSWERS, ReviewLevel.EXPLANATIONS)
    return render(
        request,
        "quizzes/result.html",
        {"attempt": attempt, "quiz": quiz, "detail": detail, "answers_later": answers_later},
    )
