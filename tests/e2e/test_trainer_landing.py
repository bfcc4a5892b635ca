"""Path: a trainer logs in to /admin/ and lands on their page — their class and the trainee who is
behind, never another trainer's class — on a desktop and on a phone (nothing wider than the
screen); the search box finds their trainee (issue 21)."""

from decimal import Decimal

import pytest

from cms.roles import TRAINEES, TRAINERS
from tests.browser import admin_login
from tests.factories import make_branch_unit, make_trainee_profile, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def classes():
    from learning.classes.models import Enrolment, TrainingClass

    trainer = make_user("zhanglaoshi", role=TRAINERS, password="Teach-Pass-1")
    other = make_user("lilaoshi", role=TRAINERS, password="Teach-Pass-2")
    branch = make_branch_unit("马克思主义学院党委", "研究生党支部")
    mine = TrainingClass.objects.create(name="我的积极分子班", required_hours=Decimal("8"))
    mine.trainers.add(trainer)
    theirs = TrainingClass.objects.create(name="别人的发展对象班", required_hours=Decimal("8"))
    theirs.trainers.add(other)
    for klass, name, no in [(mine, "王落后", "S001"), (theirs, "赵别班", "S002")]:
        user = make_user(f"u{no}", role=TRAINEES, password="Study-Pass-1")
        profile = make_trainee_profile(
            user=user, name=name, student_no=no, branch=branch, stage="activist"
        )
        Enrolment.objects.create(training_class=klass, trainee=profile)
    return {"mine": mine, "theirs": theirs}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_trainer_lands_on_their_class_and_who_is_behind(live_server, request, device, classes):
    context = request.getfixturevalue(device)
    page = context.new_page()
    admin_login(page, live_server.url, "zhanglaoshi", "Teach-Pass-1")
    classes_panel = page.locator("#trainer-classes-section")
    behind = page.locator("#trainer-behind-section")
    assert "我的积极分子班" in classes_panel.inner_text()
    assert "王落后" in behind.inner_text()
    body = page.locator("body").inner_text()
    assert "别人的发展对象班" not in body and "赵别班" not in body
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1
    behind.get_by_role("link", name="王落后").click()
    page.wait_for_load_state("networkidle")
    assert "学习档案" in page.title() or "王落后" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/admin/pages/?q=王")
    page.wait_for_load_state("networkidle")
    assert "/admin/reports/search/" in page.url
    results = page.locator("main").inner_text()
    assert "王落后" in results and "赵别班" not in results
