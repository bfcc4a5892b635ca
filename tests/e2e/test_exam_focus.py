"""切屏检测 in a real browser: a trainee on a phone leaves the exam page (one departure reported while
offline and sent later), sees the warning and the counter, and the sixth departure hands the exam in."""

import pytest
from django.core.management import call_command

from tests.browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Demo-Pass-2026"

# Headless Chromium never hides a page by itself: override document.visibilityState and fire the
# event the way a phone does when the trainee switches to another app and back.
OVERRIDE = """() => {
  window.__visibility = "visible";
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => window.__visibility
  });
  Object.defineProperty(document, "hidden", {
    configurable: true, get: () => window.__visibility === "hidden"
  });
}"""
HIDE = """() => {
  window.__visibility = "hidden";
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  window.__visibility = "visible";
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def _server_count(attempt) -> int:
    attempt.refresh_from_db()
    return attempt.focus_losses


def test_leaving_the_exam_page_too_often_hands_it_in(live_server, phone, monkeypatch):
    from learning.quizzes.demo import DEMO_MAX_FOCUS_LOSSES
    from learning.quizzes.models import Attempt, Quiz

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", "--no-video")
    exam = Quiz.objects.get(
        kind="exam", training_class__enrolments__trainee__user__username="candidate"
    )
    limit = exam.max_focus_losses
    assert limit == DEMO_MAX_FOCUS_LOSSES == 5

    page = phone.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server.url, "candidate", PASSWORD)
    page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
    assert f"离开考试页面超过 {limit} 次将自动交卷" in page.content()
    page.click("form[action$='/start/'] button[type=submit]")
    page.wait_for_selector("#attempt")
    assert page.locator(".focus-rule").is_visible()
    assert page.locator("#focus-counter").inner_text() == f"已离开 0/{limit} 次"
    attempt = Attempt.objects.get(quiz=exam, user__username="candidate")
    queue = f"dangke-attempt-{attempt.pk}-focus"  # the page's departures not yet confirmed

    # One answer saved before leaving: it must be kept and graded.
    # (the whole list rather than one question per screen, so any question can be reached)
    page.uncheck("#one-per-screen")
    single = page.locator("section[data-question][data-type=single]").first
    single.locator("input").first.check()
    qid = single.get_attribute("data-question")
    page.wait_for_function(
        f"document.querySelector('[data-status-for=\"{qid}\"]').textContent.includes('已保存')"
    )

    page.evaluate(OVERRIDE)

    def leave_and_return(n: int) -> None:
        page.evaluate(HIDE)
        page.evaluate(SHOW)
        warning = page.locator("#focus-warning")
        warning.wait_for(state="visible")
        assert f"已离开 {n}/{limit} 次" in warning.inner_text()
        assert page.locator("#focus-counter").inner_text() == f"已离开 {n}/{limit} 次"
        page.click("#focus-warning-ok")
        assert not warning.is_visible()

    for n in (1, 2):
        leave_and_return(n)
    page.wait_for_function(f"!localStorage.getItem('{queue}')")
    assert _server_count(attempt) == 2

    # Offline: the departure is queued on the phone and counted (once) when the network returns.
    phone.set_offline(True)
    leave_and_return(3)
    assert page.evaluate(f"localStorage.getItem('{queue}')")
    assert _server_count(attempt) == 2
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(f"!localStorage.getItem('{queue}')")
    assert _server_count(attempt) == 3

    for n in (4, 5):
        leave_and_return(n)
    assert "再离开一次将自动交卷" in page.locator("#focus-warning-text").inner_text()
    page.wait_for_function(f"!localStorage.getItem('{queue}')")
    assert _server_count(attempt) == 5
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"

    # The sixth departure exceeds the limit: handed in, and the page goes to the result.
    page.evaluate(HIDE)
    page.wait_for_url("**/result/")
    body = page.locator("body").inner_text()
    assert "离开考试页面次数超过限制，已自动交卷。" in body
    assert f"离开考试页面 6 次（上限 {limit} 次）" in body

    attempt.refresh_from_db()
    assert attempt.state in ("graded", "needs_grading") and attempt.closed_by_focus_loss
    assert attempt.focus_losses == 6 and attempt.focus_loss_events.count() == 6
    assert attempt.answers.count() == 1 and attempt.answers.get().awarded is not None
