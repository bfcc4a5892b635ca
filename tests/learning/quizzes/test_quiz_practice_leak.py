"""Issue 12, practice quizzes leak exam keys: a practice quiz with answer review showed the keys of
questions the class exam also draws. Those questions' keys, grades and explanations stay out of
practice review; the admin warns when a practice quiz would have shown them."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from cms.roles import TRAINERS
from learning.quizzes.models import Question, QuestionBank, Quiz, QuizDrawRule, QuizQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaky(quiz_lesson, quiz_bank, quiz_class_factory):
    """The exam draws single-choice questions from quiz_bank; the practice quiz fixes one of them and
    one question of a practice-only bank, with answers and explanations shown after submit."""
    exam = Quiz.objects.create(title="结业考试", kind="exam", training_class=quiz_class_factory())
    QuizDrawRule.objects.create(quiz=exam, bank=quiz_bank, type="single", count=1, score=10)
    practice = Quiz.objects.create(
        title="课后练习",
        kind="practice",
        lesson=quiz_lesson,
        attempts_allowed=0,
        review_after_submit="explanations",
    )
    exam_question = quiz_bank.questions.filter(type="single").first()
    own_bank = QuestionBank.objects.create(name="练习专用题库")
    practice_question = Question.objects.create(
        bank=own_bank,
        type="true_false",
        stem="练习题",
        answer=False,
        explanation="练习解析",
        score=Decimal("1"),
    )
    QuizQuestion.objects.create(quiz=practice, question=exam_question, sort_order=0)
    QuizQuestion.objects.create(quiz=practice, question=practice_question, sort_order=1)
    return {"practice": practice, "exam_question": exam_question, "own": practice_question}


def test_practice_review_hides_the_keys_of_exam_questions(leaky, quiz_user_factory):
    client = APIClient()
    client.force_authenticate(quiz_user_factory())
    attempt = client.post(f"/api/v1/quizzes/{leaky['practice'].pk}/attempts/").json()
    client.post(f"/api/v1/attempts/{attempt['id']}/submit/")
    review = client.get(f"/api/v1/attempts/{attempt['id']}/").json()
    questions = {q["id"]: q for q in review["questions"]}
    from_exam = questions[leaky["exam_question"].pk]
    assert from_exam["key_hidden"] is True
    for secret in ("correct_answer", "correct_answer_text", "awarded", "explanation"):
        assert secret not in from_exam, secret
    own = questions[leaky["own"].pk]
    assert own["correct_answer"] is False and own["explanation"] == "练习解析"
    assert "key_hidden" not in own
    # The result page says why the answer is missing, and shows none of the exam's key.
    web = APIClient()
    web.force_login(quiz_user_factory("page-user"))
    started = web.post(f"/api/v1/quizzes/{leaky['practice'].pk}/attempts/").json()
    web.post(f"/api/v1/attempts/{started['id']}/submit/")
    page = web.get(f"/attempts/{started['id']}/result/").content.decode()
    assert "此题也用于考试" in page and "练习解析" in page
    assert leaky["exam_question"].explanation.startswith("1921年7月")
    assert "1921年7月" not in page


def test_the_admin_warns_when_a_practice_quiz_would_leak(client, leaky, quiz_user_factory):
    from learning.quizzes.selectors import practice_leaks

    assert practice_leaks(quiz=leaky["practice"])
    trainer = quiz_user_factory("leak-trainer")
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(trainer)
    page = client.get(f"/admin/quiz_admin/inspect/{leaky['practice'].pk}/").content.decode()
    assert "部分试题也用于考试" in page
    # Score-only review shows no key: nothing to warn about.
    leaky["practice"].review_after_submit = "score"
    leaky["practice"].review_after_close = "score"
    leaky["practice"].save()
    assert practice_leaks(quiz=leaky["practice"]) == []
