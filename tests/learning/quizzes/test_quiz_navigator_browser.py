"""The exam page as a trainee uses it (issue 21): a minimal exam header with no site links, the
答题卡 (answered / unanswered / flagged, jump to any question), 标记 per question, a reload that
reopens at the question the trainee was on without counting as 切屏 while leaving for another page
still counts, and a result page that says what is still needed for 结业."""

import pytest

from learning.quizzes.models import Attempt, QuestionType
from tests.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Pass-Word-123"


@pytest.fixture
def exam_setup(quiz_exam_factory, quiz_class_factory, quiz_bank, quiz_lesson):
    from django.contrib.auth.models import User

    trainee = User.objects.create_user("daohang", password=PASSWORD)
    klass = quiz_class_factory(trainees=[trainee])
    klass.required_lessons.add(quiz_lesson)
    exam = quiz_exam_factory(
        klass,
        fixed=list(
            quiz_bank.questions.filter(
                type__in=[
                    QuestionType.SINGLE,
                    QuestionType.MULTIPLE,
                    QuestionType.TRUE_FALSE,
                    QuestionType.FILL,
                ]
            ).order_by("pk")
        ),
        time_limit_minutes=60,
        shuffle_questions=False,
        max_focus_losses=3,
    )
    return trainee, klass, exam, quiz_lesson


def _start(page, base_url, exam):
    login(page, base_url, "daohang", PASSWORD, next_url=f"/quizzes/{exam.pk}/")
    page.click("form[action$='/start/'] button[type=submit]")
    page.wait_for_selector("#attempt")
    return Attempt.objects.get(quiz=exam, user__username="daohang")


def _focus_queue_empty(page, attempt):
    page.wait_for_function(f"!localStorage.getItem('dangke-attempt-{attempt.pk}-focus')")


def test_exam_navigator_flags_reload_and_result_on_a_phone(live_server, phone, exam_setup):
    trainee, klass, exam, lesson = exam_setup
    page = phone.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    attempt = _start(page, live_server.url, exam)
    ids = [str(q["id"]) for q in attempt.questions]
    assert len(ids) == 12

    # A minimal exam header: title, timer, save state and 交卷 — no site links to leave by.
    header = page.locator("#exam-header")
    assert exam.title in header.inner_text()
    assert header.locator("#countdown").is_visible()
    assert header.locator("#save-status").count() == 1
    assert header.locator("#submit-attempt").is_visible()
    assert page.locator(".site-header").count() == 0
    assert page.locator("header a, nav.site-nav, .header-search").count() == 0
    assert "刷新本页不算" in page.locator(".focus-rule").inner_text()
    # Whatever the save state says, the sticky header keeps its height (no jump under a finger).
    height = header.bounding_box()["height"]
    page.evaluate(
        "document.getElementById('save-status').textContent = '已暂存在本机，待联网后保存（网络已断开）'"
    )
    assert header.bounding_box()["height"] == height

    # Answer question 1 (one question per screen on a phone); the 答题卡 shows it answered.
    page.locator(f"#q{ids[0]} .option").nth(1).click()
    page.wait_for_selector(f'[data-status-for="{ids[0]}"].saved')
    sheet = page.locator("#answer-sheet")
    assert sheet.get_attribute("open") is None  # folded away on a phone
    page.click("#answer-sheet summary")
    first = set(page.locator(f'.sheet-item[data-goto="{ids[0]}"]').get_attribute("class").split())
    assert {"answered", "current"} <= first and "unanswered" not in first
    for qid in ids[1:]:
        assert "unanswered" in page.locator(f'.sheet-item[data-goto="{qid}"]').get_attribute(
            "class"
        )
    assert "已答 1 / 12 · 标记 0" in page.inner_text("#sheet-summary")

    # Jump to question 4 from the sheet; the sheet folds away and question 4 is on screen.
    page.click(f'.sheet-item[data-goto="{ids[3]}"]')
    assert page.locator(f"#q{ids[3]}").is_visible()
    assert not page.locator(f"#q{ids[0]}").is_visible()
    assert page.locator("#answer-sheet").get_attribute("open") is None

    # 标记 question 4: the button says so and the sheet marks it.
    flag = page.locator(f'#q{ids[3]} [data-flag="{ids[3]}"]')
    flag.click()
    assert flag.get_attribute("aria-pressed") == "true"
    assert flag.inner_text() == "取消标记"
    assert "flagged" in page.locator(f'.sheet-item[data-goto="{ids[3]}"]').get_attribute("class")

    # A reload reopens at question 4, flag kept — and is not a departure.
    page.reload()
    page.wait_for_selector("#attempt")
    assert page.locator(f"#q{ids[3]}").is_visible()
    assert page.locator(f'[data-flag="{ids[3]}"]').get_attribute("aria-pressed") == "true"
    assert page.locator(f"#q{ids[0]} input[value=B]").is_checked()
    _focus_queue_empty(page, attempt)
    assert page.locator("#focus-warning").is_hidden()
    assert page.inner_text("#focus-counter") == "已离开 0/3 次"
    attempt.refresh_from_db()
    assert attempt.focus_losses == 0

    # Leaving for another page and coming back is a departure, reported on return.
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    page.wait_for_selector("#attempt")
    _focus_queue_empty(page, attempt)
    attempt.refresh_from_db()
    assert attempt.focus_losses == 1
    assert page.inner_text("#focus-counter") == "已离开 1/3 次"
    assert page.locator("#focus-warning").is_visible()
    page.click("#focus-warning-ok")

    # 交卷 from the header; the result page lists what is still needed for 结业, with links.
    page.click("#submit-attempt")
    page.wait_for_url(f"**/attempts/{attempt.pk}/result/")
    steps = page.locator("#next-steps")
    text = steps.inner_text()
    assert klass.name in text
    assert "还差" in text and "学时" in text
    assert steps.locator("a[href='/me/']").count() == 1
    assert steps.locator(f"a[href='{lesson.url}']").inner_text() == lesson.title
    if not Attempt.objects.get(pk=attempt.pk).passed:
        assert steps.locator(f"a[href='/quizzes/{exam.pk}/']").count() == 1
    assert "如设置" not in page.content()
    # The place and the flags of a finished attempt are forgotten.
    assert page.evaluate(f"localStorage.getItem('dangke-attempt-{attempt.pk}-flags')") is None


def test_exam_navigator_on_a_desktop(live_server, desktop, exam_setup):
    _trainee, _klass, exam, _lesson = exam_setup
    page = desktop.new_page()
    attempt = _start(page, live_server.url, exam)
    ids = [str(q["id"]) for q in attempt.questions]

    # The whole list, with the 答题卡 open beside it (attempt.js opens it on a wide screen once it
    # runs, which may be after #attempt is there: waited for, not read at once).
    sheet = page.locator("#answer-sheet")
    page.wait_for_selector("#answer-sheet[open]")
    assert page.locator(f"#q{ids[0]}").is_visible() and page.locator(f"#q{ids[8]}").is_visible()
    questions = page.locator("#attempt-form").bounding_box()
    assert sheet.bounding_box()["x"] >= questions["x"] + questions["width"]

    # A jump brings question 9 below the sticky header; a reload returns there.
    page.click(f'.sheet-item[data-goto="{ids[8]}"]')
    page.wait_for_function(
        f"document.querySelector('.sheet-item[data-goto=\"{ids[8]}\"]').classList.contains('current')"
    )
    header_bottom = page.locator("#exam-header").bounding_box()["height"]
    top = page.locator(f"#q{ids[8]}").bounding_box()["y"]
    assert header_bottom <= top < 300
    page.reload()
    page.wait_for_selector("#attempt")
    page.wait_for_function(
        f"document.querySelector('.sheet-item[data-goto=\"{ids[8]}\"]').classList.contains('current')"
    )
    assert page.evaluate("window.scrollY") > 0
    top = page.locator(f"#q{ids[8]}").bounding_box()["y"]
    assert 0 <= top < 300
    attempt.refresh_from_db()
    assert attempt.focus_losses == 0
