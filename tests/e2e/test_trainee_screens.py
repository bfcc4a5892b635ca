"""Trainee screens as users see them (issue 21): reading progress in view with the time still
needed, anonymous readers told that signing in earns 学时, ticks on finished lessons, the page
title, the styled search button, the phone tab bar (首页 / 我的学习 / 学习档案 / 我的) with a
one-row header, and English labels that are never cut."""

from decimal import Decimal

import pytest

from cms.roles import TRAINEES
from tests.browser import login
from tests.factories import make_article, make_course, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Study-Pass-1"


@pytest.fixture
def reading_setup():
    course = make_course("党章学习")
    article = make_article(
        course,
        "图文：学习党章总纲",
        min_reading_seconds=30,
        class_hours=Decimal("0.25"),  # the most 30 s of reading earn (issue 14)
        body=[{"type": "paragraph", "value": "<p>" + "认真学习党章，" * 600 + "</p>"}],
    )
    finished = make_article(course, "图文：已经学完的一课", min_reading_seconds=10)
    trainee = make_user("dushu", role=TRAINEES, password=PASSWORD, first_name="王读书")
    return {"course": course, "article": article, "finished": finished, "trainee": trainee}


def _fits(locator) -> bool:
    """The element's text is not clipped: its content is no wider than its box."""
    return locator.evaluate("e => e.scrollWidth <= e.clientWidth + 1")


def test_reading_progress_is_in_view_and_counts_down(live_server, phone, reading_setup):
    page = phone.new_page()
    article = reading_setup["article"]

    # Anonymous: no tracker, but told that signing in earns the lesson's 学时.
    page.goto(live_server.url + article.url)
    hint = page.locator(".tracker-anonymous")
    assert "登录后学习本课可获得 0.25 学时" in hint.inner_text()
    assert "/accounts/login/?next=" in hint.locator("a").get_attribute("href")

    login(page, live_server.url, "dushu", PASSWORD, next_url=article.url)
    remaining = page.locator("[data-tracker-remaining]")
    assert remaining.inner_text() == "还需阅读 30 秒"
    # Deep in the article the box is still on screen, under the top edge.
    page.mouse.wheel(0, 4000)
    page.wait_for_function("window.scrollY > 1000")
    box = page.locator("[data-lesson-tracker]").bounding_box()
    assert 0 <= box["y"] < 200
    # A heartbeat later (10 s; the scroll made the reader active, idle only after 10 min) the
    # server has credited time and the count went down.
    page.wait_for_function(
        "document.querySelector('[data-tracker-remaining]').innerText.trim() !== '还需阅读 30 秒'",
        timeout=60_000,
    )
    text = remaining.inner_text()
    assert text.startswith("还需阅读 ") and text.endswith(" 秒") and text != "还需阅读 30 秒"


def test_course_ticks_title_tabs_and_account_on_a_phone(live_server, phone, reading_setup):
    from django.utils import timezone

    from learning.progress.models import LessonProgress

    LessonProgress.objects.create(
        user=reading_setup["trainee"],
        lesson=reading_setup["finished"],
        credited_seconds=10,
        completed_at=timezone.now(),
    )
    page = phone.new_page()
    login(page, live_server.url, "dushu", PASSWORD)
    assert page.title() == "党课 · 高校基层党建在线学习平台"

    # One-row header; the places are in the tab bar at the bottom.
    assert page.locator(".site-header").bounding_box()["height"] < 70
    tabs = page.locator("nav.tab-bar a")
    assert [t.split("\n")[-1] for t in tabs.all_inner_texts()] == [
        "首页",
        "我的学习",
        "学习档案",
        "我的",
    ]
    bar = page.locator("nav.tab-bar").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(844, abs=1)
    assert tabs.nth(0).get_attribute("aria-current") == "page"

    # Course page: a tick on the finished lesson only.
    page.goto(live_server.url + reading_setup["course"].url)
    done = page.locator("ol.lesson-list li.done")
    assert done.count() == 1 and "图文：已经学完的一课" in done.inner_text()
    assert "已完成" in done.inner_text()
    assert page.title() == "党章学习 · 党课"

    # 我的: who is signed in, password, language and sign-out.
    page.click("nav.tab-bar a[href='/me/account/']")
    page.wait_for_url("**/me/account/")
    body = page.locator("main").inner_text()
    assert "王读书" in body and "修改密码" in body and "退出登录" in body
    assert page.locator("nav.tab-bar a[aria-current=page]").inner_text().endswith("我的")

    # In English nothing in the header or the tab bar is cut.
    page.click("text=Switch to English")
    page.wait_for_load_state("networkidle")
    labels = [t.split("\n")[-1] for t in tabs.all_inner_texts()]
    assert labels == ["Home", "My learning", "Learning record", "Me"]
    for i in range(4):
        assert _fits(tabs.nth(i))


def test_search_button_and_english_header_on_a_desktop(live_server, desktop, reading_setup):
    page = desktop.new_page()
    login(page, live_server.url, "dushu", PASSWORD)
    assert page.locator("nav.tab-bar").is_hidden()
    page.goto(live_server.url + "/search/?q=党章")
    button = page.locator(".search-form button[type=submit]")
    colour = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(183, 28, 28)"  # the site's red (.btn), not the browser's grey

    page.click(".lang-switch button")
    page.wait_for_load_state("networkidle")
    links = page.locator(".site-nav a")
    assert "Learning record" in links.all_inner_texts()
    for i in range(links.count()):
        assert _fits(links.nth(i))
        box = links.nth(i).bounding_box()
        assert box["x"] + box["width"] <= 1366
