"""axe-core on every trainee page (on a phone), the admin class report and the editors' report of
lessons without captions (with its dashboard panel): no serious or critical violation (WCAG 2.1 AA
rules). axe-playwright-python ships axe-core and injects it into the page."""

import pytest
from django.core.management import call_command

from tests.browser import admin_login, login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Demo-Pass-2026"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_trainee_pages_and_the_class_report_pass_axe(live_server, phone, desktop, monkeypatch):
    from cms.pages.models import ArticleLessonPage, CoursePage
    from learning.quizzes.models import Quiz

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", "--no-video")
    course = CoursePage.objects.live().first()
    lesson = ArticleLessonPage.objects.live().first()
    exam = Quiz.objects.get(
        kind="exam", training_class__enrolments__trainee__user__username="candidate"
    )

    page = phone.new_page()
    found: list[str] = []
    for path in ("/", "/accounts/login/", course.url, lesson.url):
        page.goto(live_server.url + path)
        found += serious_violations(page)
    login(page, live_server.url, "candidate", PASSWORD)
    for path in (
        "/",
        "/me/",
        course.url,
        lesson.url,
        f"/quizzes/{exam.pk}/",
        "/search/?q=党章",
        "/me/account/",
        "/me/records/",
        "/me/party/",
        "/me/dues/",
        "/accounts/password/change/",
    ):
        page.goto(live_server.url + path)
        found += serious_violations(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/quizzes/{exam.pk}/")
    page.click("form[action$='/start/'] button[type=submit]")
    page.wait_for_selector("#attempt")
    found += serious_violations(page)

    admin = desktop.new_page()
    admin_login(admin, live_server.url, "trainer", PASSWORD)
    from learning.classes.models import TrainingClass

    for training_class in TrainingClass.objects.all():
        admin.goto(f"{live_server.url}/admin/reports/classes/{training_class.pk}/")
        found += serious_violations(admin)
    assert found == [], "\n".join(found)


def test_the_missing_captions_report_and_its_dashboard_panel_pass_axe(live_server, desktop):
    from cms.roles import EDITORS
    from media_pipeline.models import Video
    from tests.factories import make_course, make_user, make_video_lesson

    make_user("editor_axe", role=EDITORS, password=PASSWORD)
    course = make_course("党史学习")
    for n in range(3):
        video = Video.objects.create(
            title=f"第{n + 1}讲.mp4", original="videos/originals/x.mp4", status=Video.Status.READY
        )
        make_video_lesson(course, f"第{n + 1}讲", video=video)
    admin = desktop.new_page()
    admin_login(admin, live_server.url, "editor_axe", PASSWORD)
    assert admin.locator("#missing-captions-section").count() == 1  # the dashboard panel
    found = serious_violations(admin)
    admin.goto(f"{live_server.url}/admin/missing-captions/")
    assert admin.locator("a[href$='#id_captions']").count() == 3  # a row per lesson
    found += serious_violations(admin)
    assert found == [], "\n".join(found)


def test_skip_link_focus_ring_and_chinese_content_in_english(live_server, phone):
    from tests.factories import make_article, make_course

    course = make_course("党章学习")
    lesson = make_article(
        course, "认识党章", body=[{"type": "paragraph", "value": "<p>党章是党的根本大法。</p>"}]
    )
    page = phone.new_page()
    page.goto(live_server.url + lesson.url)
    # The first Tab reaches the skip link; Enter moves focus past the header to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # A nav link's focus ring is drawn inside the scrolling nav, so overflow does not clip it.
    page.focus(".site-nav a")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineOffset]; })()"
    )
    assert ring == ["solid", "3px", "-3px"]
    # Breadcrumb links are underlined, not told apart by colour alone.
    assert "underline" in page.evaluate(
        "getComputedStyle(document.querySelector('.breadcrumb a')).textDecorationLine"
    )
    # With the interface in English, the Chinese lesson text keeps its language for screen readers.
    page.click("button[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator(".lesson-body").get_attribute("lang") == "zh-Hans"
