"""A trainee on a phone: the home page, a course, a lesson, logging in, switching language."""

import pytest

from tests.browser import login
from tests.factories import make_article, make_course, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_trainee_browses_on_a_phone(live_server, phone):
    course = make_course("党章学习")
    make_article(
        course, "认识党章", body=[{"type": "paragraph", "value": "<p>党章是党的根本大法。</p>"}]
    )
    make_user("xiaoming", password="Pass-Word-123")

    page = phone.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("h2", has_text="学习专题").is_visible()
    page.click("text=党章学习")
    page.click("text=认识党章")
    assert page.locator(".lesson-body").inner_text().startswith("党章是党的根本大法")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    login(page, live_server.url, "xiaoming", "Pass-Word-123")
    # Signed in on a phone, the account and the language switch are under 我的 in the tab bar.
    page.click("nav.tab-bar a[href='/me/account/']")
    assert "xiaoming" in page.locator("main h2").inner_text()

    page.click("main button[value=en]")
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/")
    assert page.locator("h2", has_text="Courses").is_visible()
