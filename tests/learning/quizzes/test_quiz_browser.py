"""A trainee on a phone takes an exam: autosave with "已保存", offline answers kept and sent later, resume.

The browser runs in its own thread with its own Playwright, so this module can share a session with
tests/e2e (whose session-wide Playwright owns the main thread's event loop).
"""

import threading

import pytest

from learning.quizzes.models import Attempt, AttemptAnswer, QuestionType
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_browser(scenario) -> None:
    """Run scenario(context) with a phone-sized Chromium context in a thread; re-raise its error."""
    if not CHROMIUM:
        pytest.skip("Debian's chromium is not installed (`make browser` installs it as root)")
    errors = []

    def run():
        from django.db import connection
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
                context.set_default_timeout(15_000)
                try:
                    scenario(context)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — handed back to the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(180)
    if errors:
        raise errors[0]


def test_exam_on_a_phone_survives_a_lost_network(
    live_server, quiz_exam_factory, quiz_class_factory, quiz_bank
):
    from django.contrib.auth.models import User

    trainee = User.objects.create_user("kaoshi", password="Pass-Word-123")
    klass = quiz_class_factory(trainees=[trainee])
    exam = quiz_exam_factory(
        klass,
        fixed=list(
            quiz_bank.questions.filter(type__in=[QuestionType.SINGLE, QuestionType.TRUE_FALSE])
        ),
        time_limit_minutes=90,
        shuffle_questions=False,
    )

    def scenario(context):
        page = context.new_page()
        login(page, live_server.url, "kaoshi", "Pass-Word-123", next_url=f"/quizzes/{exam.pk}/")
        page.click("text=开始考试")
        page.wait_for_selector("#countdown")
        assert ":" in page.inner_text("#countdown")
        attempt = Attempt.objects.get(user=trainee)
        first, second = attempt.questions[0], attempt.questions[1]

        # One question per screen on a phone; answering saves at once.
        page.locator(f"#q{first['id']} .option").nth(1).click()
        page.wait_for_selector(f'[data-status-for="{first["id"]}"].saved')
        assert AttemptAnswer.objects.get(attempt=attempt, question_id=first["id"]).answer == "B"

        # The network drops: the page warns and keeps the answer in the browser.
        context.set_offline(True)
        page.click(f"#q{first['id']} .next")
        page.locator(f"#q{second['id']} .option").nth(1).click()
        page.wait_for_selector("#network-warning:not([hidden])")
        assert not AttemptAnswer.objects.filter(attempt=attempt, question_id=second["id"]).exists()
        kept = page.evaluate(f"localStorage.getItem('dangke-attempt-{attempt.pk}')")
        assert str(second["id"]) in kept

        # Back online: the kept answer is sent by itself.
        context.set_offline(False)
        page.wait_for_selector(f'[data-status-for="{second["id"]}"].saved')
        assert AttemptAnswer.objects.filter(attempt=attempt, question_id=second["id"]).exists()

        # Reopening resumes the same attempt with its answers.
        page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
        page.click("text=继续作答")
        page.wait_for_selector("#countdown")
        assert page.url.endswith(f"/attempts/{attempt.pk}/")
        assert page.locator(f"#q{first['id']} input[value=B]").is_checked()

        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#submit-attempt")
        page.wait_for_url(f"**/attempts/{attempt.pk}/result/")
        assert "得分" in page.inner_text("main")
        attempt.refresh_from_db()
        assert attempt.state == "graded"

    in_browser(scenario)
