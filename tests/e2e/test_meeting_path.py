"""The done-when of organisation life (issue 16) in a real browser: a 支部书记 plans a 主题党日 on
a phone, 18 members check in by QR (each in its own browser context, with the code read from the
QR page the secretary shows), the secretary marks two more 实到 at once (bulk marking), two ask
for 请假 and the secretary approves them, the minutes are
signed off, the branch's compliance calendar and the members' yearly 学时 update, and the 院系党委's
组织员 sees the branch beside the others."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cms.roles import ORGANISERS
from learning.progress.models import HoursLedgerEntry
from party.meetings.models import Attendance, AttendanceChange, Meeting, Minutes
from party.members.models import Gender, Member, Stage
from party.members.services import stage_history_import
from party.organisation.models import OrganiserAssignment, PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import PHONE, login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Meet-Pass-2026"


def _no_sideways_scroll(page):
    wide = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide[0] <= wide[1], wide


@pytest.fixture
def branch():
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="会议大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="会议学院党委", parent=uni)
    first = unit_create(kind=UnitKind.BRANCH, name="会议第一党支部", parent=college)
    unit_create(kind=UnitKind.BRANCH, name="会议第二党支部", parent=college)
    organiser = make_user("zuzhiyuan", role=ORGANISERS, password=PASSWORD)
    OrganiserAssignment.objects.create(user=organiser, unit=college, starts_on=date(2024, 1, 1))

    def person(name, no, username):
        user = make_user(username, password=PASSWORD)
        member = Member.objects.create(
            name=name, student_no=no, gender=Gender.FEMALE, unit=first, user=user
        )
        stage_history_import(
            member=member, entries=[(Stage.FULL_MEMBER, date(2015, 7, 1))], by_user=None
        )
        return member

    secretary = person("钱书记", "H000", "qianshuji")
    post_assign(unit=first, member=secretary, role=PostRole.SECRETARY, starts_on=date(2024, 9, 1))
    members = [person(f"党员{i:02d}", f"H{i:03d}", f"hui{i:02d}") for i in range(1, 23)]
    return {"branch": first, "secretary": secretary, "members": members}


def _phone(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.set_default_timeout(20_000)
    return context


def test_secretary_plans_twenty_check_in_by_qr_two_on_leave_minutes_signed(
    live_server, browser, desktop, branch
):
    base = live_server.url
    members = branch["members"]
    checking_in, on_leave = members[:20], members[20:22]

    # The secretary plans a 主题党日 on a phone, starting a minute ago (so it is open).
    secretary = _phone(browser)
    sec = secretary.new_page()
    login(sec, base, "qianshuji", PASSWORD)
    sec.goto(f"{base}/party/meetings/new/")
    _no_sideways_scroll(sec)
    start = timezone.localtime() - timedelta(minutes=1)
    sec.select_option("#id_kind", "theme_day")
    sec.fill("#id_topic", "主题党日：重温入党誓词")
    sec.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    sec.fill("#id_duration", "90")
    sec.fill("#id_place", "学院楼 101")
    sec.click("#meeting-plan-form button[type=submit]")
    sec.wait_for_selector("#attendance-summary")
    meeting = Meeting.objects.get(topic="主题党日：重温入党誓词")
    assert "实到 0 / 应到 23" in sec.inner_text("#attendance-summary")
    detail = f"{base}/party/meetings/{meeting.pk}/"

    # Two members ask for 请假 on their phones.
    for member in on_leave:
        context = _phone(browser)
        page = context.new_page()
        login(page, base, member.user.username, PASSWORD)
        page.goto(detail)
        page.fill("#id_reason", "外出参加学术会议")
        page.click("#leave-form button[type=submit]")
        page.wait_for_selector("#my-status:has-text('请假待批')")
        context.close()

    # Twenty members scan the QR the secretary shows: the link is read from the QR page as it is
    # at that moment (it is renewed every minute), each member in a browser of their own.
    sec.goto(f"{base}/party/meetings/{meeting.pk}/qr/")
    scanning, ticked = checking_in[:18], checking_in[18:]
    for member in scanning:
        sec.reload()
        link = sec.get_attribute(".qr", "data-checkin-url")
        assert link and "code=" in link
        context = _phone(browser)
        page = context.new_page()
        login(page, base, member.user.username, PASSWORD)
        page.goto(link.replace("http://testserver", base))
        page.click("#check-in-form button[type=submit]")
        page.wait_for_selector("#my-status:has-text('实到')")
        context.close()
    sec.reload()
    assert "实到 18 / 应到 23" in sec.inner_text(".attendance-summary")

    # Two whose phones had no signal: the secretary ticks both on the list and marks them 实到
    # with one action (bulk marking), each logged as 书记登记.
    sec.goto(detail)
    for member in ticked:
        sec.check(f"tr[data-member='{member.student_no}'] input[name=members]")
    sec.click("#bulk-present")
    sec.wait_for_selector("#attendance-summary:has-text('实到 20 / 应到 23')")
    assert set(
        AttendanceChange.objects.filter(meeting=meeting, member__in=ticked).values_list(
            "method", "recorded_by__username"
        )
    ) == {("secretary", "qianshuji")}

    # The secretary approves both requests on the attendance list.
    for member in on_leave:
        sec.click(f"tr[data-member='{member.student_no}'] button.approve-leave")
        sec.wait_for_selector(f"tr[data-member='{member.student_no}'] td.status:has-text('请假')")
    summary = sec.inner_text("#attendance-summary")
    assert "实到 20 / 应到 23 · 请假 2 · 缺席 1" in summary
    _no_sideways_scroll(sec)

    # Minutes written and signed off: locked.
    sec.goto(f"{base}/party/meetings/{meeting.pk}/minutes/")
    sec.fill("#id_content", "全体党员重温入党誓词，书记领学党章。")
    sec.fill("#id_decisions", "每月第一个周五开展主题党日。")
    sec.fill("#id_summary", "20 人参加，2 人请假。")
    sec.click("#minutes-form button[type=submit]")
    sec.wait_for_selector("#sign-off-form")
    sec.click("#sign-off-form button[type=submit]")
    sec.wait_for_selector(".minutes-version:has-text('已审签')")
    assert Minutes.objects.get(meeting=meeting).locked

    # The branch's calendar: this month's 主题党日 is done.
    sec.goto(f"{base}/party/units/{branch['branch'].pk}/compliance/")
    month = timezone.localdate().month
    done = sec.locator(".compliance-rule[data-kind=theme_day] li.period.done")
    assert done.count() == 1 and f"{month}" in done.first.inner_text()
    secretary.close()

    # Each member's yearly 学时: a 90-minute 主题党日 credits 2; 请假 and 缺席 nothing.
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 20
    credited = HoursLedgerEntry.objects.filter(source="org_life", reference=f"meeting:{meeting.pk}")
    assert credited.count() == 20
    context = _phone(browser)
    page = context.new_page()
    login(page, base, checking_in[0].user.username, PASSWORD)
    page.goto(f"{base}/me/")
    assert "今年已修 2 / 32 学时" in page.inner_text(".yearly-hours-card")
    page.goto(f"{base}/me/party/")
    assert "今年已修 2 / 32 学时" in page.inner_text(".yearly-hours-card")
    context.close()
    context = _phone(browser)
    page = context.new_page()
    login(page, base, on_leave[0].user.username, PASSWORD)
    page.goto(f"{base}/me/")
    assert "今年已修 0 / 32 学时" in page.inner_text(".yearly-hours-card")
    context.close()

    # The 院系党委's 组织员 sees the branch beside the other one.
    page = desktop.new_page()
    login(page, base, "zuzhiyuan", PASSWORD)
    page.goto(f"{base}/party/compliance/")
    first = page.locator("tr[data-branch='会议第一党支部'] td[data-kind=theme_day]").inner_text()
    second = page.locator("tr[data-branch='会议第二党支部'] td[data-kind=theme_day]").inner_text()
    assert first.startswith(f"1 / {month}") and second.startswith(f"0 / {month}")
    page.goto(f"{base}/party/units/{branch['branch'].pk}/yearly-hours/")
    assert "23 名党员中 23 人未达标" in page.inner_text(".yearly-summary")
