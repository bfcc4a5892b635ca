"""A trainer on a phone records a session: all ticked, 全不选 / a branch / a name, the live count.

The browser runs in its own thread with its own Playwright (as in test_quiz_browser.py).
"""

import pytest
from django.urls import reverse

from learning.classes.models import OfflineSession
from learning.progress.models import HoursLedgerEntry
from tests.browser import ARTIFACTS, admin_login
from tests.learning.quizzes.test_quiz_browser import in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_recording_a_session_on_a_phone(live_server, report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    teachers = report_factory.trainees(tc, 3, branch=report_factory.org(branch_name="教工党支部"))
    students = report_factory.trainees(tc, 4, branch=report_factory.org(branch_name="学生党支部"))

    def scenario(context):
        page = context.new_page()
        admin_login(page, live_server.url, "trainer", "pw-123456-x")
        page.goto(f"{live_server.url}/admin/training_classes/inspect/{tc.pk}/")
        page.click("text=记录线下培训")
        count = page.locator("[data-attendance-count]")
        assert count.inner_text() == "7"  # everyone ticked by default

        page.click("[data-attendance-all='0']")
        assert count.inner_text() == "0"
        page.locator("[data-attendance-group]", has_text="学生党支部").locator(
            "[data-attendance-branch]"
        ).check()
        assert count.inner_text() == "4"
        page.fill("[data-attendance-filter]", teachers[0].student_no)
        page.locator(f"input[value='{teachers[0].pk}']").check()
        assert count.inner_text() == "5"

        page.fill("#id_topic", "学习党的二十大精神")
        page.fill("#id_days", "1")
        page.fill("#id_amount", "")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("main form button[type=submit]").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "offline-session-phone.png"))
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已为 5 名学员记入 8 学时" in page.locator("body").inner_text()

    in_browser(scenario)
    session = OfflineSession.objects.get()
    credited = set(
        HoursLedgerEntry.objects.filter(reference=session.reference).values_list(
            "user_id", flat=True
        )
    )
    assert credited == {p.user_id for p in [*students, teachers[0]]}


# Each button with an icon and a label (Wagtail's `button bicolor button--icon` with a wrapped icon):
# the label sits inside the button, right of an icon of normal size (issue 21: `button--icon` alone is
# Wagtail's round icon-only button, 1.5 rem wide, and its icon covered the label).
ICON_BUTTONS = """els => els.map(b => {
    const text = [...b.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(text);
    const label = range.getBoundingClientRect();
    const icon = b.querySelector("svg").getBoundingClientRect();
    const box = b.getBoundingClientRect();
    return {
        label: text.textContent.trim(),
        iconBeforeLabel: icon.right <= label.left + 1,
        labelInside: label.left >= box.left - 1 && label.right <= box.right + 1,
        iconWidth: Math.round(icon.width),
    };
})"""


def test_icon_buttons_show_their_label_beside_a_small_icon(live_server, report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    report_factory.trainees(tc, 1)

    def scenario(context):
        page = context.new_page()
        admin_login(page, live_server.url, "trainer", "pw-123456-x")
        seen = []
        for url in (
            f"/admin/training_classes/inspect/{tc.pk}/",  # the class page's 记录线下培训
            reverse("offline_sessions:list", args=[tc.pk]),
        ):
            page.goto(live_server.url + url)
            seen += page.locator("main a.button--icon, main button.button--icon").evaluate_all(
                ICON_BUTTONS
            )
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"icon-buttons-{len(seen)}.png"))
        assert "记录线下培训" in {b["label"] for b in seen}, seen
        for button in seen:
            assert button["iconBeforeLabel"] and button["labelInside"], button
            assert button["iconWidth"] <= 20, button

    in_browser(scenario)
