"""Path 3: a trainee takes the class exam on a phone, loses the network mid-way, keeps answering, comes
back online and submits with every answer kept."""

import pytest
from django.core.management import call_command

from tests.browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Demo-Pass-2026"


def _answer(section) -> None:
    kind = section.get_attribute("data-type")
    if kind in ("single", "true_false"):
        section.locator("input").first.check()
    elif kind == "multiple":
        inputs = section.locator("input")
        inputs.nth(0).check()
        inputs.nth(1).check()
    elif kind == "fill":
        for i in range(section.locator("input").count()):
            section.locator("input").nth(i).fill("为人民服务")
            section.locator("input").nth(i).dispatch_event("change")
    else:
        section.locator("textarea").fill("坚持理论学习，在班级工作中发挥带头作用。")
        section.locator("textarea").dispatch_event("change")
    # On a phone the exam shows one question per screen: go on to the next one.
    following = section.locator("button.next")
    if following.is_visible():
        following.click()


def test_exam_survives_a_network_loss(live_server, phone, monkeypatch):
    from learning.quizzes.models import Attempt, Quiz

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", "--no-video")
    exam = Quiz.objects.get(
        kind="exam", training_class__enrolments__trainee__user__username="candidate"
    )

    page = phone.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server.url, "candidate", PASSWORD)
    page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
    page.click("form[action$='/start/'] button[type=submit]")
    page.wait_for_selector("#attempt")
    sections = page.locator("section[data-question]")
    total = sections.count()
    assert total >= 10
    half = total // 2

    for i in range(half):
        _answer(sections.nth(i))
    page.wait_for_function(
        f"document.querySelectorAll('[data-status-for].saved, [data-status-for][data-state=saved]').length >= {half}"
        f" || Array.from(document.querySelectorAll('[data-status-for]')).filter(e => e.textContent.includes('已保存')).length >= {half}"
    )

    phone.set_offline(True)
    for i in range(half, total):
        _answer(sections.nth(i))
    assert page.locator("#network-warning").is_visible()
    attempt = Attempt.objects.get(quiz=exam, user__username="candidate")
    from learning.quizzes.selectors import attempt_detail

    saved_offline = attempt_detail(attempt=attempt)["answers"]
    assert len([a for a in saved_offline.values() if a not in (None, "", [])]) == half

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        f"Array.from(document.querySelectorAll('[data-status-for]')).filter(e => e.textContent.includes('已保存')).length >= {total}",
        timeout=20_000,
    )
    page.click("#submit-attempt")
    page.wait_for_url("**/result/")

    attempt.refresh_from_db()
    assert attempt.state in ("submitted", "graded", "needs_grading")
    answers = attempt_detail(attempt=attempt)["answers"]
    assert len([a for a in answers.values() if a not in (None, "", [])]) == total
