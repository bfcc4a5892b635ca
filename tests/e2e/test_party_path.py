"""Path: a 支部书记 on a desktop opens the branch's pipeline board (overdue items), records
确定为发展对象 for someone with eleven months as 积极分子 and is refused with the rule's text, records
it for someone eligible; that member sees the change in 我的入党进程 on a phone."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cms.roles import TRAINEES
from party.members.models import Gender, Member, Sponsor, SponsorRole, Stage
from party.members.services import stage_history_import
from party.organisation.models import PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def branch_setup():
    today = timezone.localdate()
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="浏览器大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="浏览器学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="浏览器党支部", parent=college)
    secretary_user = make_user("shuji", role=TRAINEES, password="Shuji-Pass-1")
    member_user = make_user("xiaowu", role=TRAINEES, password="Xiaowu-Pass-1")

    def person(name, no, user=None, *path):
        member = Member.objects.create(
            name=name, student_no=no, gender=Gender.MALE, unit=branch, user=user
        )
        stage_history_import(member=member, entries=list(path), by_user=None)
        return member

    secretary = person("周书记", "B0", secretary_user, (Stage.FULL_MEMBER, date(2010, 7, 1)))
    post_assign(
        unit=branch,
        member=secretary,
        role=PostRole.SECRETARY,
        starts_on=today - relativedelta(months=6),
    )
    early = person("十一月", "B1", None, (Stage.ACTIVIST, today - relativedelta(months=11)))
    ready = person("满一年", "B2", member_user, (Stage.ACTIVIST, today - relativedelta(months=13)))
    person("申请人", "B3", None, (Stage.APPLICANT, today - relativedelta(months=2)))
    for member in (early, ready):
        Sponsor.objects.create(
            member=member, sponsor=secretary, role=SponsorRole.CONTACT, assigned_on=date(2024, 1, 1)
        )
    return {"branch": branch, "early": early, "ready": ready}


def test_secretary_board_refusal_recording_and_member_on_phone(
    live_server, desktop, phone, branch_setup
):
    page = desktop.new_page()
    login(page, live_server.url, "shuji", "Shuji-Pass-1")
    page.goto(f"{live_server.url}/party/")
    page.wait_for_selector("h1:has-text('浏览器党支部')")
    assert page.locator(".due-row:has-text('申请人') .overdue").count() >= 1
    # Columns side by side on a desktop.
    boxes = [page.locator(".board-column").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]

    page.click(".board-column[data-stage=activist] a:has-text('十一月')")
    page.select_option("#id_to_stage", "candidate")
    page.select_option("#id_decided_by", "branch_committee")
    page.click("#stage-form button[type=submit]")
    error = page.locator(".gate-error")
    error.wait_for()
    assert "经过一年以上培养教育和考察" in error.inner_text()
    assert "第十三条" in error.inner_text()
    assert branch_setup["early"].stage_changes.count() == 1

    page.goto(f"{live_server.url}/party/members/{branch_setup['ready'].pk}/")
    page.select_option("#id_to_stage", "candidate")
    page.select_option("#id_decided_by", "branch_committee")
    page.click("#stage-form button[type=submit]")
    page.wait_for_selector(".current-stage:has-text('发展对象')")

    mobile = phone.new_page()
    login(mobile, live_server.url, "xiaowu", "Xiaowu-Pass-1")
    # On a phone: the tab bar's 我的, then 我的入党进程.
    mobile.click('.tab-bar >> text="我的"')
    mobile.click(".account-links >> text=我的入党进程")
    mobile.wait_for_selector("h1:has-text('我的入党进程')")
    assert "发展对象" in mobile.locator(".current-stage").inner_text()
    assert "预备党员" in mobile.locator(".next-stage").inner_text()
    # Nothing wider than the phone's screen.
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
