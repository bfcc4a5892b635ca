"""Paths (issue 16, on a phone): the 支部书记 moves a member to another 党小组 from the member's
timeline — a date after today is refused with the Chinese message and nothing is recorded, then
the change shows in the timeline's 党小组调整 list; the 院系党委's 组织员 records a 转入本校 for a
newly registered record (a 介绍信日期 after today refused first) and a 转出本校 (a date after today
refused first), after which the record is 组织部's to read: the 组织员 is back on the branch's
board, told what was recorded, and 组织部 reads the 转出 on the timeline."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cms.roles import ORGANISERS, PARTY_OFFICE, TRAINEES
from party.members.models import Gender, GroupChange, Member, MemberTransfer, Stage
from party.members.services import member_create, stage_history_import
from party.organisation.models import OrganiserAssignment, PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def branch_setup():
    today = timezone.localdate()
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="调整大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="调整学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="调整党支部", parent=college)
    first = unit_create(kind=UnitKind.GROUP, name="第一党小组", parent=branch)
    second = unit_create(kind=UnitKind.GROUP, name="第二党小组", parent=branch)
    office = make_user("tz-zuzhibu", role=PARTY_OFFICE, password="Office-Pass-1")
    organiser = make_user("tz-zuzhiyuan", role=ORGANISERS, password="Organiser-Pass-1")
    OrganiserAssignment.objects.create(
        user=organiser, unit=college, starts_on=today - relativedelta(years=1)
    )
    secretary_user = make_user("tz-shuji", role=TRAINEES, password="Shuji-Pass-1")

    def person(name, no, group=None, user=None, stage=(Stage.FULL_MEMBER, date(2015, 7, 1))):
        member = member_create(
            by_user=office,
            name=name,
            student_no=no,
            gender=Gender.FEMALE,
            unit=branch,
            group=group,
            user=user,
        )
        stage_history_import(member=member, entries=[stage], by_user=None)
        return member

    secretary = person("郑书记", "TZ0", user=secretary_user)
    post_assign(
        unit=branch,
        member=secretary,
        role=PostRole.SECRETARY,
        starts_on=today - relativedelta(months=6),
    )
    return {
        "branch": branch,
        "first": first,
        "second": second,
        "moving": person("钱小组", "TZ1", group=first),
        "leaving": person(
            "孙转出",
            "TZ2",
            group=first,
            stage=(Stage.PROBATIONARY, today - relativedelta(months=3)),
        ),
        "arriving": person("周转入", "TZ3"),
    }


def test_secretary_moves_a_member_to_another_group_on_a_phone(live_server, phone, branch_setup):
    member = branch_setup["moving"]
    today = timezone.localdate()
    page = phone.new_page()
    login(page, live_server.url, "tz-shuji", "Shuji-Pass-1")
    page.goto(f"{live_server.url}/party/members/{member.pk}/")
    form = page.locator("#group-form")
    form.locator("[name=to_group]").select_option(label="第二党小组")
    form.locator("[name=on]").fill((today + timedelta(days=1)).isoformat())
    form.locator("button[type=submit]").click()
    page.locator("#group-form .errorlist:has-text('生效日期不能晚于今天。')").wait_for()
    member.refresh_from_db()
    assert member.group_id == branch_setup["first"].pk
    assert GroupChange.objects.filter(member=member).count() == 1  # the registration's only

    form.locator("[name=to_group]").select_option(label="第二党小组")
    form.locator("[name=on]").fill(today.isoformat())
    form.locator("[name=note]").fill("按居住地调整")
    form.locator("button[type=submit]").click()
    change = page.locator(f".group-change:has-text('{today:%Y-%m-%d} 第一党小组 → 第二党小组')")
    change.wait_for()
    assert "按居住地调整" in change.inner_text()
    assert "第二党小组" in page.locator(".breadcrumb").inner_text()
    member.refresh_from_db()
    assert member.group_id == branch_setup["second"].pk
    _fits_the_phone(page)


def test_organiser_records_a_transfer_in_and_a_transfer_out_on_a_phone(
    live_server, phone, branch_setup
):
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()
    arriving, leaving = branch_setup["arriving"], branch_setup["leaving"]
    page = phone.new_page()
    login(page, live_server.url, "tz-zuzhiyuan", "Organiser-Pass-1")

    # 转入本校 of a record just registered: into its own branch, dated by the 介绍信.
    page.goto(f"{live_server.url}/party/members/{arriving.pk}/")
    page.locator("details.external-transfer summary:has-text('转入本校')").click()
    form = page.locator("#in-form")
    form.locator("[name=in-external_org]").fill("外省示范大学化学学院党委")
    form.locator("[name=in-on]").fill(today.isoformat())
    form.locator("[name=in-letter_no]").fill("外组〔2026〕12号")
    form.locator("[name=in-letter_date]").fill(tomorrow)
    form.locator("button[type=submit]").click()
    page.locator("#in-form .errorlist:has-text('介绍信日期不能晚于今天。')").wait_for()
    assert not MemberTransfer.objects.filter(member=arriving).exists()

    form.locator("[name=in-letter_date]").fill((today - timedelta(days=3)).isoformat())
    form.locator("button[type=submit]").click()
    moved_in = page.locator(
        f".transfer-in:has-text('{today:%Y-%m-%d} 转入本校：外省示范大学化学学院党委 → 调整党支部')"
    )
    moved_in.wait_for()
    assert "外组〔2026〕12号" in moved_in.inner_text()
    assert page.locator("#in-form").count() == 0  # one 转入 for a record registered here
    _fits_the_phone(page)

    # 转出本校 of a 预备党员, from the branch's board: a date after today is refused, nothing written.
    page.goto(f"{live_server.url}/party/units/{branch_setup['branch'].pk}/")
    page.locator(".board-column[data-stage=probationary] a:has-text('孙转出')").click()
    page.locator("h1:has-text('孙转出')").wait_for()
    page.locator("details.external-transfer summary:has-text('转出本校')").click()
    form = page.locator("#out-form")
    form.locator("[name=out-external_org]").fill("外省示范市教育局机关党委")
    form.locator("[name=out-on]").fill(tomorrow)
    form.locator("button[type=submit]").click()
    page.locator("#out-form .errorlist:has-text('转接日期不能晚于今天。')").wait_for()
    leaving.refresh_from_db()
    assert leaving.left_on is None and not leaving.transfers.exists()
    _fits_the_phone(page)

    form.locator("[name=out-on]").fill(today.isoformat())
    form.locator("button[type=submit]").click()
    notice = page.locator(".messages li:has-text('已办理转出本校：孙转出')")
    notice.wait_for()
    assert "外省示范市教育局机关党委" in notice.inner_text()
    assert page.locator("h1").inner_text().startswith("调整党支部")
    assert page.locator(".board-column a:has-text('孙转出')").count() == 0  # off the board
    leaving.refresh_from_db()
    assert leaving.left_on == today and leaving.group_id is None
    _fits_the_phone(page)

    # 组织部 reads the record that left: the 转出 and the 党小组 it ended, read-only.
    phone.clear_cookies()
    login(page, live_server.url, "tz-zuzhibu", "Office-Pass-1")
    page.goto(f"{live_server.url}/party/members/{leaving.pk}/")
    page.locator(".left-university").wait_for()
    out_row = page.locator(".transfer-out").inner_text()
    assert (
        f"{today:%Y-%m-%d} 转出本校：调整党支部（第一党小组） → 外省示范市教育局机关党委" in out_row
    )
    assert page.locator(f".group-change:has-text('{today:%Y-%m-%d} 第一党小组 → —')").count() == 1
    assert page.locator("#stage-form").count() == 0 and page.locator("#group-form").count() == 0
    assert Member.objects.filter(pk=leaving.pk, left_on=today).exists()
    _fits_the_phone(page)
