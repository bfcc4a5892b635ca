"""Item statistics on a known data set: facility, discrimination (27% groups), mean/median/sd, histogram."""

from decimal import Decimal

import pytest

from learning.quizzes import selectors, services
from learning.quizzes.models import Question, QuestionBank

pytestmark = pytest.mark.django_db


def test_item_analysis_on_a_known_data_set(
    quiz_exam_factory, quiz_class_factory, quiz_user_factory
):
    bank = QuestionBank.objects.create(name="分析题库")
    easy = Question.objects.create(
        bank=bank, type="true_false", stem="人人都会", answer=True, score=Decimal("50")
    )
    hard = Question.objects.create(
        bank=bank, type="true_false", stem="少数人会", answer=True, score=Decimal("50")
    )
    users = [quiz_user_factory() for _ in range(4)]
    exam = quiz_exam_factory(
        quiz_class_factory(trainees=users), fixed=[easy, hard], shuffle_questions=False
    )
    # Trainees 0–1 answer only the easy one (50), 2 both (100), 3 nothing (0).
    plan = [(True, False), (True, False), (True, True), (False, False)]
    for user, (get_easy, get_hard) in zip(users, plan, strict=True):
        attempt, _ = services.attempt_start(quiz=exam, user=user)
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=user, question_id=easy.pk, answer=get_easy
        )
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=user, question_id=hard.pk, answer=get_hard
        )
        services.attempt_submit(attempt_id=attempt.pk, user=user)
    result = selectors.item_analysis(quiz=exam)
    assert result["count"] == 4
    assert result["mean"] == 50.0 and result["median"] == 50.0
    assert result["stdev"] == pytest.approx(35.36, abs=0.01)  # population sd of 50, 50, 100, 0
    counts = {bar["low"]: bar["count"] for bar in result["histogram"]}
    assert counts[0] == 1 and counts[50] == 2 and counts[90] == 1  # 100 lands in the top bin
    stats = {q["id"]: q for q in result["questions"]}
    assert stats[easy.pk]["facility"] == 0.75 and stats[hard.pk]["facility"] == 0.25
    # 27% of 4 rounds to 1: upper = the 100 scorer, lower = the 0 scorer.
    assert stats[easy.pk]["discrimination"] == 1.0 and stats[hard.pk]["discrimination"] == 1.0


def test_item_analysis_counts_each_trainee_once_by_grading_method(
    quiz_exam_factory, quiz_class_factory, quiz_user_factory
):
    bank = QuestionBank.objects.create(name="分析题库2")
    question = Question.objects.create(
        bank=bank, type="true_false", stem="题", answer=True, score=Decimal("10")
    )
    user = quiz_user_factory()
    exam = quiz_exam_factory(
        quiz_class_factory(trainees=[user]), fixed=[question], attempts_allowed=0
    )
    for answer in (False, True):
        attempt, _ = services.attempt_start(quiz=exam, user=user)
        services.attempt_answer_save(
            attempt_id=attempt.pk, user=user, question_id=question.pk, answer=answer
        )
        services.attempt_submit(attempt_id=attempt.pk, user=user)
    result = selectors.item_analysis(quiz=exam)
    assert result["count"] == 1 and result["mean"] == 100.0
