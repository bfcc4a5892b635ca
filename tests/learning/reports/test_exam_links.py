"""The trainee's pages point at the exam that is left: the 补考 when 待补考, the 结业考试 with
"可以重考" when 待重考 (the templates ask the standing, not a raw status string; issue 13)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from learning.reports.selectors import completion_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def exams(report_factory):
    tc = report_factory.klass(required_hours="1")
    retaker, makeup_taker = report_factory.trainees(tc, 2)
    final = report_factory.exam(tc, attempts_allowed=2)
    makeup = report_factory.exam(tc, makeup_of=final, attempts_allowed=1)
    for profile in (retaker, makeup_taker):
        report_factory.hours(profile, tc, 1)
    report_factory.attempt(final, retaker, 50)
    report_factory.attempt(final, makeup_taker, 50)
    report_factory.attempt(final, makeup_taker, 55)
    return tc, final, makeup, retaker, makeup_taker


def _next_steps(profile, tc) -> str:
    steps = completion_steps(user=profile.user, training_class_id=tc.pk)
    return render_to_string("reports/includes/next_steps.html", {"steps": steps})


def test_next_steps_name_the_retake_or_the_makeup(exams):
    tc, final, makeup, retaker, makeup_taker = exams
    retake = _next_steps(retaker, tc)
    assert "结业考试未及格，可以重考" in retake
    assert reverse("quizzes:quiz", args=[final.pk]) in retake
    assert "通过结业考试的补考" not in retake
    left = _next_steps(makeup_taker, tc)
    assert "通过结业考试的补考" in left and reverse("quizzes:quiz", args=[makeup.pk]) in left
    assert "可以重考" not in left


def test_my_learning_links_the_makeup_when_it_is_what_is_left(exams, client):
    tc, final, makeup, retaker, makeup_taker = exams
    client.force_login(makeup_taker.user)
    page = client.get("/me/").content.decode()
    assert reverse("quizzes:quiz", args=[makeup.pk]) in page
    client.force_login(retaker.user)
    page = client.get("/me/").content.decode()
    assert reverse("quizzes:quiz", args=[final.pk]) in page
    assert reverse("quizzes:quiz", args=[makeup.pk]) not in page
