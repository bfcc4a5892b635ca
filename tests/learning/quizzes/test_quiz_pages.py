"""Trainee pages: the quiz page, the attempt page without answers in its source, the review page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.quizzes import services
from learning.quizzes.models import Attempt, Quiz, QuizKind, QuizQuestion

pytestmark = pytest.mark.django_db

EXPLANATION = "1921年7月，中国共产党第一次全国代表大会召开。"


@pytest.fixture
def trainee(quiz_user_factory):
    return quiz_user_factory("page-trainee")


@pytest.fixture
def exam(quiz_exam_factory, quiz_class_factory, trainee, quiz_bank):
    klass = quiz_class_factory(trainees=[trainee])
    return quiz_exam_factory(
        klass,
        fixed=list(quiz_bank.questions.all()),
        time_limit_minutes=90,
        review_after_submit="score",
        review_after_close="explanations",
    )


def test_quiz_page_start_and_attempt_page_has_no_answers(client, trainee, exam):
    client.force_login(trainee)
    page = client.get(f"/quizzes/{exam.pk}/")
    assert page.status_code == 200 and "开始考试" in page.content.decode()
    started = client.post(f"/quizzes/{exam.pk}/start/")
    attempt = Attempt.objects.get()
    assert started.url == f"/attempts/{attempt.pk}/"
    html = client.get(started.url).content.decode()
    assert "countdown" in html and "交卷" in html
    for question in attempt.questions:
        assert question["stem"].split("：")[0] in html
    assert EXPLANATION not in html
    assert "全心全意为人民服务" not in html and '"answer"' not in html and "perm" not in html
    assert "端正入党动机" not in html  # the 简答 reference answer


def test_others_and_strangers_get_404(client, trainee, exam, quiz_user_factory):
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    client.force_login(quiz_user_factory())
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/attempts/{attempt.pk}/result/").status_code == 404
    assert client.get(f"/quizzes/{exam.pk}/").status_code == 404


def test_result_page_follows_review_rules(client, trainee, exam):
    client.force_login(trainee)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    services.attempt_submit(attempt_id=attempt.pk, user=trainee)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert "得分" in html and EXPLANATION not in html and "正确答案" not in html
    assert client.get(f"/attempts/{attempt.pk}/").url == f"/attempts/{attempt.pk}/result/"
    Quiz.objects.filter(pk=exam.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert EXPLANATION in html and "正确答案" in html


def test_overdue_attempt_page_closes_it(client, trainee, exam):
    client.force_login(trainee)
    attempt, _ = services.attempt_start(quiz=exam, user=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/attempts/{attempt.pk}/")
    assert response.url == f"/attempts/{attempt.pk}/result/"
    assert Attempt.objects.get(pk=attempt.pk).closed_by_deadline


def test_lesson_quiz_link_include(rf, quiz_lesson, quiz_bank):
    from django.template.loader import render_to_string

    assert "课后练习" not in render_to_string(
        "quizzes/includes/lesson_quiz_link.html", {"lesson": quiz_lesson}
    )
    practice = Quiz.objects.create(title="第一课练习", kind=QuizKind.PRACTICE, lesson=quiz_lesson)
    QuizQuestion.objects.create(quiz=practice, question=quiz_bank.questions.first())
    html = render_to_string("quizzes/includes/lesson_quiz_link.html", {"lesson": quiz_lesson})
    assert "第一课练习" in html and f"/quizzes/{practice.pk}/" in html


def test_class_exam_link_include(exam):
    from django.template.loader import render_to_string

    html = render_to_string(
        "quizzes/includes/class_exam_link.html", {"exam_id": exam.pk, "passed": True}
    )
    assert f"/quizzes/{exam.pk}/" in html and "已通过" in html
    assert (
        render_to_string("quizzes/includes/class_exam_link.html", {"exam_id": None}).strip() == ""
    )
