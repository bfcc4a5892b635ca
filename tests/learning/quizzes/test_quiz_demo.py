"""The demo quiz content: a bank of every type, a practice quiz on a lesson, a drawable exam per class."""

import pytest

from learning.quizzes import services
from learning.quizzes.demo import BANK_NAME, demo_quizzes_ensure
from learning.quizzes.models import Question, QuestionBank, Quiz

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_idempotent(quiz_lesson, quiz_class_factory, quiz_user_factory):
    trainee = quiz_user_factory()
    klass = quiz_class_factory(trainees=[trainee])
    demo_quizzes_ensure()
    demo_quizzes_ensure()
    bank = QuestionBank.objects.get(name=BANK_NAME)
    assert bank.questions.count() >= 40
    assert set(bank.questions.values_list("type", flat=True)) == {
        "single",
        "multiple",
        "true_false",
        "fill",
        "short",
    }
    assert (
        Question.objects.filter(bank=bank).values("stem_key").distinct().count()
        == bank.questions.count()
    )
    practice = Quiz.objects.get(kind="practice")
    assert practice.lesson_id == quiz_lesson.pk and practice.fixed_questions.count() == 5
    exam = Quiz.objects.get(kind="exam", training_class=klass, is_final_exam=True)
    assert exam.time_limit_minutes == 90 and exam.pass_mark == 60
    assert services.quiz_problems(quiz=exam) == []
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    assert attempt.max_score == 100 and len(attempt.questions) == 27
    # The first class's 结业考试 has a 补考 (issue 14), drawable too, once.
    makeup = Quiz.objects.get(makeup_of=exam)
    assert makeup.training_class == klass and makeup.attempts_allowed == 1
    assert services.quiz_problems(quiz=makeup) == []
