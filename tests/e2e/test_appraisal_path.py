"""The done-when of 民主评议党员 (issue 17) in a real browser: ten members of a branch vote on
phones (360 px wide, nothing scrolls sideways), an eleventh votes and is refused when the same
ballot is sent a second time, the secretary closes the 民主测评 on a phone, the committee records
its proposals and the 支部大会's decision, the campaign is published, and the 院系党委's 组织员 sees
the result in the report (counts and shares)."""

from datetime import date

import pytest
from django.utils import timezone

from cms.roles import ORGANISERS
from party.appraisal.models import BallotCast, Campaign, Phase, Tally
from party.appraisal.services import campaign_advance, campaign_open
from party.members.models import Gender, Member, Stage
from party.members.services import stage_history_import
from party.organisation.models import OrganiserAssignment, PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import PHONE, login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Vote-Pass-2026"
NARROW = {**PHONE, "viewport": {"width": 360, "height": 740}}


def _no_sideways_scroll(page):
    wide = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide[0] <= wide[1], wide


@pytest.fixture
def branch_campaign():
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="评议大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="评议学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="评议第一党支部", parent=college)
    organiser = make_user("zuzhiyuan", role=ORGANISERS, password=PASSWORD)
    OrganiserAssignment.objects.create(user=organiser, unit=college, starts_on=date(2024, 1, 1))

    def person(name, no, username, stage=Stage.FULL_MEMBER):
        user = make_user(username, password=PASSWORD)
        member = Member.objects.create(
            name=name, student_no=no, gender=Gender.FEMALE, unit=branch, user=user
        )
        stage_history_import(member=member, entries=[(stage, date(2015, 7, 1))], by_user=None)
        return member

    secretary = person("郑书记", "E000", "zhengshuji")
    post_assign(unit=branch, member=secretary, role=PostRole.SECRETARY, starts_on=date(2024, 9, 1))
    voters = [person(f"党员{i:02d}", f"E{i:03d}", f"voter{i:02d}") for i in range(1, 12)]
    (campaign,) = campaign_open(by_user=secretary.user, unit=branch, year=timezone.localdate().year)
    campaign_advance(by_user=secretary.user, campaign_id=campaign.pk)
    return {"college": college, "campaign": campaign, "secretary": secretary, "voters": voters}


def _fill_ballot(page, campaign, voter, grades):
    for participant in campaign.participants.exclude(member=voter):
        grade = grades.get(participant.member_id, "qualified")
        page.check(f"input[name=m{participant.member_id}][value={grade}]")


def test_ten_phones_vote_eleventh_refused_committee_decides_report_shows(
    live_server, browser, desktop, branch_campaign
):
    campaign = branch_campaign["campaign"]
    voters = branch_campaign["voters"]
    weak, strong = voters[0], voters[1]
    # everyone rates 党员01 不合格 and 党员02 优秀, the others 合格
    grades = {weak.pk: "unqualified", strong.pk: "excellent"}
    ballot_url = f"{live_server.url}/party/appraisal/{campaign.pk}/ballot/"

    for voter in voters[:10]:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **NARROW)
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, live_server.url, voter.user.username, PASSWORD)
        page.goto(ballot_url)
        page.wait_for_selector("#ballot-form")
        _no_sideways_scroll(page)
        if voter is weak:  # phone layout: the grades two by two, each a thumb-sized target
            grade = page.locator(".ballot-row").first.locator("label.grade")
            boxes = [grade.nth(i).bounding_box() for i in range(3)]
            assert boxes[0]["y"] == boxes[1]["y"] < boxes[2]["y"], boxes
            assert min(box["height"] for box in boxes) >= 44
        _fill_ballot(page, campaign, voter, grades)
        page.click("#cast")
        page.wait_for_selector("#voted")
        context.close()
    assert BallotCast.objects.filter(campaign=campaign).count() == 10

    # The eleventh has the ballot open in two tabs and sends it from both: counted once.
    eleventh = voters[10]
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **NARROW)
    context.set_default_timeout(15_000)
    first = context.new_page()
    login(first, live_server.url, eleventh.user.username, PASSWORD)
    second = context.new_page()
    for page in (first, second):
        page.goto(ballot_url)
        page.wait_for_selector("#ballot-form")
        _fill_ballot(page, campaign, eleventh, grades)
    first.click("#cast")
    first.wait_for_selector("#voted")
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.click("#cast")
    assert answer.value.status == 409
    second.wait_for_selector("#ballot-error")
    assert "只能投票一次" in second.locator("#ballot-error").inner_text()
    _no_sideways_scroll(second)
    context.close()
    assert BallotCast.objects.filter(campaign=campaign).count() == 11
    assert Tally.objects.get(campaign=campaign, member=weak, grade="unqualified").votes == 10

    # The secretary, on a phone, closes the 民主测评 and runs the committee's page.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **NARROW)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, live_server.url, "zhengshuji", PASSWORD)
    detail = f"{live_server.url}/party/appraisal/{campaign.pk}/"
    page.goto(detail)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#advance")
    page.wait_for_selector("#phase:has-text('支委会提出评定意见')")
    page.goto(f"{live_server.url}/party/appraisal/{campaign.pk}/committee/")
    row = page.locator(f"tr[data-member='{weak.name}']")
    assert "10" in row.locator("td.count").nth(3).inner_text()
    _no_sideways_scroll(page)
    # on a phone each member is a card: no table header, the grade named beside each count
    assert page.locator("table.tally thead").is_hidden()
    label = row.locator("td.count").nth(3).evaluate("e => getComputedStyle(e, '::before').content")
    assert "不合格" in label
    for participant in campaign.participants.all():
        grade = grades.get(participant.member_id, "qualified")
        page.select_option(f"select[name=p{participant.member_id}]", grade)
    page.click("#propose")
    page.wait_for_selector(".messages >> text=支委会意见已保存")
    page.goto(detail)
    page.click("#advance")
    page.wait_for_selector("#phase:has-text('支部大会评定')")
    page.goto(f"{live_server.url}/party/appraisal/{campaign.pk}/committee/")
    _no_sideways_scroll(page)
    page.click("#decide")
    page.wait_for_selector("#decided")
    _no_sideways_scroll(page)
    page.goto(detail)
    page.click("#advance")
    page.wait_for_selector("#phase:has-text('结果已公布')")
    context.close()
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.phase == Phase.PUBLISHED
    assert campaign.participants.get(member=weak).decided_grade == "unqualified"

    # The 院系党委's 组织员 sees the result in the report.
    page = desktop.new_page()
    login(page, live_server.url, "zuzhiyuan", PASSWORD)
    year = timezone.localdate().year
    page.goto(
        f"{live_server.url}/party/appraisal/report/?unit={branch_campaign['college'].pk}&year={year}"
    )
    assert page.locator("#report thead").is_visible()  # a table on a desktop
    row = page.locator("tr[data-unit='评议第一党支部']")
    assert "结果已公布" in row.inner_text()
    assert "11/12" in row.inner_text()
    assert row.locator("td.grade-unqualified").inner_text().startswith("1 (8%)")
    assert row.locator("td.grade-excellent").inner_text().startswith("1 (8%)")
    assert row.locator("td.grade-qualified").inner_text().startswith("10 (83%)")
