"""The exam by keyboard alone, on a phone (one question per screen): Tab, Shift+Tab, Space, Enter and
the arrow keys (and typing into the fill-in blanks). Moving to a question puts focus on its heading and
announces "第 n 题，共 N 题"; one question is flagged and found again through the 答题卡; the time
left is announced at 10, 5 and 1 minute only; the exam is handed in with Enter, and axe finds no
serious or critical violation on the exam page or the result page."""

import pytest
from django.core.management import call_command

from tests.browser import login
from tests.e2e.test_accessibility import serious_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Demo-Pass-2026"

ACTIVE = "document.activeElement"


def tab_to(page, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        if page.evaluate(f"{ACTIVE} && {ACTIVE}.matches({selector!r})"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def focused(page, expression: str):
    return page.evaluate(f"(el => {expression})({ACTIVE})")


def test_a_whole_exam_by_keyboard(live_server, phone, monkeypatch):
    from learning.quizzes.models import Attempt, Quiz

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", "--no-video")
    exam = Quiz.objects.get(
        kind="exam", training_class__enrolments__trainee__user__username="candidate"
    )

    page = phone.new_page()
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    login(page, live_server.url, "candidate", PASSWORD)
    # The page's clock is Playwright's, so the 90-minute timer can be moved on below.
    page.clock.install()
    page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
    tab_to(page, "form[action$='/start/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#attempt")

    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == exam.title
    sections = page.locator("section[data-question]")
    total = sections.count()
    assert total == 27
    # Every question's answers are a fieldset named by its stem.
    assert (
        page.locator("section[data-question] fieldset > legend > h2.question-stem").count() == total
    )
    assert page.evaluate(
        "Array.from(document.querySelectorAll('section[data-question] input, section[data-question] textarea'))"
        ".every(i => i.closest('fieldset') && i.closest('fieldset').querySelector('legend'))"
    )
    # Live regions log what they were told: the timer's must not speak every second.
    page.evaluate(
        """() => {
          window.__spoken = [];
          for (const id of ["question-position", "timer-notice", "timer-alert"]) {
            const el = document.getElementById(id);
            new MutationObserver(() => window.__spoken.push([id, el.textContent]))
              .observe(el, {childList: true, characterData: true, subtree: true});
          }
        }"""
    )
    assert page.get_attribute("#countdown", "aria-live") == "off"
    assert page.get_attribute("#question-position", "aria-live") == "polite"

    typed = {"single": 0, "multiple": 0, "true_false": 0, "fill": 0}
    flagged_number = 3
    for n in range(1, total + 1):
        current = page.locator("section[data-question].current")
        qid = current.get_attribute("data-question")
        kind = current.get_attribute("data-type")
        if n > 1:
            # 下一题 moved focus to this question's heading and said where we are.
            assert focused(page, "el.id") == f"q{qid}-stem"
            assert page.inner_text("#question-position") == f"第 {n} 题，共 {total} 题"
        if n == flagged_number:
            # The 标记 button comes before the stem: Shift+Tab from the heading, then Space.
            tab_to(page, f"[data-flag='{qid}']", back=True)
            page.keyboard.press("Space")
            assert current.locator("[data-flag]").get_attribute("aria-pressed") == "true"
        tab_to(page, f"#q{qid} input, #q{qid} textarea")
        if kind in ("single", "true_false"):
            # Arrow keys move through a radio group and choose as they go.
            page.keyboard.press("ArrowDown")
            assert focused(page, "el.type") == "radio" and focused(page, "el.checked")
        elif kind == "multiple":
            page.keyboard.press("Space")
            page.keyboard.press("Tab")
            page.keyboard.press("Space")
            assert current.locator("input:checked").count() == 2
        else:
            page.keyboard.type("为人民服务")
            while page.evaluate(
                f"{ACTIVE}.matches('#q{qid} input') && !!{ACTIVE}.closest('label').nextElementSibling"
            ):
                page.keyboard.press("Tab")
                page.keyboard.type("为人民服务")
        typed[kind] += 1
        page.wait_for_function(
            f"document.querySelector('[data-status-for=\"{qid}\"]').textContent.includes('已保存')"
        )
        if n < total:
            tab_to(page, f"#q{qid} button.next")
            page.keyboard.press("Enter")
    assert typed == {"single": 10, "multiple": 5, "true_false": 10, "fill": 2}
    assert page.inner_text("#answered") == f"已答 {total} / {total}"

    # Back to the flagged question through the 答题卡: Enter opens it, the square says its state.
    tab_to(page, "#answer-sheet summary", back=True)
    page.keyboard.press("Enter")
    square = page.locator(".sheet-item[data-goto]").nth(flagged_number - 1)
    assert square.get_attribute("aria-label") == f"第 {flagged_number} 题，已答，已标记"
    flagged_qid = square.get_attribute("data-goto")
    tab_to(page, f".sheet-item[data-goto='{flagged_qid}']")
    page.keyboard.press("Enter")
    assert focused(page, "el.id") == f"q{flagged_qid}-stem"
    assert page.inner_text("#question-position") == f"第 {flagged_number} 题，共 {total} 题"

    found = serious_violations(page)

    # The time left: moved on to 10, 5 and 1 minute before the end, each said once.
    remaining = page.evaluate(
        "JSON.parse(document.getElementById('attempt-state').textContent).remaining"
    )
    assert remaining > 600
    page.clock.fast_forward((remaining - 600 + 2) * 1000)
    page.wait_for_function("document.getElementById('timer-notice').textContent === '剩余 10 分钟'")
    page.clock.run_for(20_000)
    page.clock.fast_forward(280 * 1000)
    page.wait_for_function("document.getElementById('timer-notice').textContent === '剩余 5 分钟'")
    page.clock.fast_forward(240 * 1000)
    page.wait_for_function(
        "document.getElementById('timer-alert').textContent.startsWith('剩余 1 分钟')"
    )
    page.clock.run_for(10_000)
    timer_spoken = [
        text for region, text in page.evaluate("window.__spoken") if region != "question-position"
    ]
    assert timer_spoken == ["剩余 10 分钟", "剩余 5 分钟", "剩余 1 分钟，时间到将自动交卷"]

    # 交卷 by keyboard: every question answered, one still flagged — the confirm says so.
    tab_to(page, ".attempt-actions .submit-attempt")
    page.keyboard.press("Enter")
    page.wait_for_url("**/result/")
    assert dialogs[-1] == "还有标记待检查的题目，确定交卷吗？"
    assert page.locator("h1").count() == 1
    found += serious_violations(page)
    assert found == [], "\n".join(found)

    attempt = Attempt.objects.get(quiz=exam, user__username="candidate")
    assert attempt.state == "graded" and attempt.answers.count() == total
