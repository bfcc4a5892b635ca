"""Zoom and reflow (WCAG 2.1 1.4.10): at 320 CSS px wide (a 1280 px screen at 400 %), at 200 %
zoom (640 CSS px), and at 195 CSS px (a 390 px phone at 200 %) the trainee pages, the exam page and
the exam's result page never scroll sideways: the document is no wider than the window."""

import pytest
from django.core.management import call_command

from tests.browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Demo-Pass-2026"
# (CSS width, height, device scale): 1280×1024 at 400 % and at 200 %; a 390×844 phone at 200 %.
ZOOMS = {"400%": (320, 256, 4), "200%": (640, 512, 2), "phone 200%": (195, 422, 4)}

WIDER = """() => {
  const doc = document.documentElement;
  const over = Array.from(document.querySelectorAll("body *"))
    .filter(el => el.getBoundingClientRect().right > doc.clientWidth + 1
                  && getComputedStyle(el).position !== "fixed"
                  && el.getClientRects().length);
  // Name the innermost overflowing elements: they are what makes the page wide.
  const wide = over.filter(el => !over.some(other => other !== el && el.contains(other)))
    .slice(0, 8)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
               + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
               + " " + Math.round(el.getBoundingClientRect().right));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}"""


def _overflow(page, url: str) -> str | None:
    measured = page.evaluate(WIDER)
    if measured["scroll"] <= measured["client"]:
        return None
    return f"{url}: scrollWidth {measured['scroll']} > {measured['client']} ({measured['wide']})"


def test_trainee_pages_the_exam_and_its_result_reflow_at_400_and_200_percent(
    live_server, browser, monkeypatch
):
    from cms.pages.models import ArticleLessonPage, CoursePage
    from learning.quizzes.models import Quiz

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", "--no-video")
    course = CoursePage.objects.live().first()
    lesson = ArticleLessonPage.objects.live().first()
    exam = Quiz.objects.get(
        kind="exam", training_class__enrolments__trainee__user__username="candidate"
    )
    pages = [
        "/",
        "/me/",
        course.url,
        lesson.url,
        f"/quizzes/{exam.pk}/",
        "/search/?q=党章",
        # 我的: the account menu and each page it leads to.
        "/me/account/",
        "/me/records/",
        "/me/party/",
        "/me/dues/",
        "/accounts/password/change/",
    ]

    found: list[str] = []
    started = False
    for zoom, (width, height, scale) in ZOOMS.items():
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale
        )
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        for path in ("/accounts/login/", "/"):
            page.goto(live_server.url + path)
            found += [f"{zoom} {o}" for o in [_overflow(page, path)] if o]
        login(page, live_server.url, "candidate", PASSWORD)
        for path in pages:
            page.goto(live_server.url + path)
            found += [f"{zoom} {o}" for o in [_overflow(page, path)] if o]
        # The exam itself: one question per screen and the whole list.
        page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
        if not started:
            page.click("form[action$='/start/'] button[type=submit]")
            started = True
        else:
            page.click("a.btn[href*='/attempts/']")
        page.wait_for_selector("#attempt")
        found += [f"{zoom} {o}" for o in [_overflow(page, "exam")] if o]
        toggle = page.locator("#one-per-screen")
        before = toggle.is_checked()
        # By keyboard: at 256 px high the sticky exam bar covers a pointer's way to it.
        toggle.focus()
        page.keyboard.press("Space")
        assert toggle.is_checked() is not before
        found += [f"{zoom} {o}" for o in [_overflow(page, "exam, other view")] if o]
        sheet = page.locator("#answer-sheet")
        if sheet.get_attribute("open") is None:
            page.focus("#answer-sheet summary")
            page.keyboard.press("Enter")
            assert sheet.get_attribute("open") is not None
        found += [f"{zoom} {o}" for o in [_overflow(page, "exam, 答题卡 open")] if o]
        if zoom == list(ZOOMS)[-1]:
            # Hand it in (unanswered questions: the browser's confirm is accepted).
            page.locator(".attempt-actions .submit-attempt").focus()
            page.keyboard.press("Enter")
            page.wait_for_url("**/result/")
            result = page.url
        context.close()
    for zoom, (width, height, scale) in ZOOMS.items():
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale
        )
        page = context.new_page()
        login(page, live_server.url, "candidate", PASSWORD)
        page.goto(result)
        page.wait_for_selector("h1")
        found += [f"{zoom} {o}" for o in [_overflow(page, "result")] if o]
        context.close()
    assert found == [], "\n".join(found)
