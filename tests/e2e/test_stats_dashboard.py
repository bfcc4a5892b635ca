"""Path: 组织部 opens the statistics dashboard on a desktop and sees the university in charts
(two columns, each chart with its table and xlsx) and downloads the year-end workbook; a 支部书记
opens it on a phone and sees only the branch, one column, nothing wider than the screen."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cms.roles import PARTY_OFFICE, TRAINEES
from party.members.models import Gender, Member, Stage
from party.members.services import stage_history_import
from party.organisation.models import PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def university():
    today = timezone.localdate()
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="统计大学党委")
    colleges = [
        unit_create(kind=UnitKind.COLLEGE, name=f"统计第{i}学院党委", parent=uni) for i in (1, 2)
    ]
    branches = [
        unit_create(kind=UnitKind.BRANCH, name=f"统计第{i}党支部", parent=colleges[i % 2])
        for i in range(4)
    ]
    make_user("zuzhibu", role=PARTY_OFFICE, password="Zuzhibu-Pass-1")
    secretary_user = make_user("tongji", role=TRAINEES, password="Tongji-Pass-1")
    n = 0
    for branch in branches:
        for path in (
            [(Stage.FULL_MEMBER, date(2015, 6, 1))],
            [(Stage.PROBATIONARY, today - relativedelta(months=14))],
            [(Stage.APPLICANT, date(2024, 3, 1)), (Stage.ACTIVIST, date(2024, 10, 1))],
            [(Stage.APPLICANT, today - relativedelta(months=1))],
        ):
            n += 1
            member = Member.objects.create(
                name=f"统计{n}", student_no=f"TJ{n:03d}", gender=Gender.FEMALE, unit=branch
            )
            stage_history_import(member=member, entries=path, by_user=None)
    secretary = Member.objects.create(
        name="统计书记",
        student_no="TJ999",
        gender=Gender.MALE,
        unit=branches[0],
        user=secretary_user,
    )
    stage_history_import(
        member=secretary, entries=[(Stage.FULL_MEMBER, date(2010, 7, 1))], by_user=None
    )
    post_assign(
        unit=branches[0],
        member=secretary,
        role=PostRole.SECRETARY,
        starts_on=today - relativedelta(months=6),
    )
    return {"uni": uni, "branch": branches[0]}


def test_office_on_a_desktop_and_secretary_on_a_phone(live_server, desktop, phone, university):
    page = desktop.new_page()
    login(page, live_server.url, "zuzhibu", "Zuzhibu-Pass-1")
    page.goto(f"{live_server.url}/party/stats/")
    page.wait_for_selector("h1:has-text('统计大学党委')")
    assert page.locator("#sum-members").inner_text() == "9"  # 4 正式 + 4 预备 + the 书记
    assert page.locator("svg.report-chart").count() == 10
    stages = page.locator("#panel-stages svg")
    assert "统计第1学院党委" in stages.inner_html()
    assert page.locator("#table-stages").is_visible()
    # Two columns on a desktop.
    first = page.locator(".stats-panel").nth(0).bounding_box()
    second = page.locator(".stats-panel").nth(1).bounding_box()
    assert first["y"] == second["y"] and first["x"] < second["x"]
    # People past the 预备期: the four admitted fourteen months ago.
    assert page.locator("#stuck-probation_overdue strong").inner_text() == "4"
    with page.expect_download() as download:
        page.click("#year-end-link")
    assert download.value.suggested_filename.endswith(".xlsx")

    mobile = phone.new_page()
    login(mobile, live_server.url, "tongji", "Tongji-Pass-1")
    mobile.goto(f"{live_server.url}/party/stats/")
    mobile.wait_for_selector("h1:has-text('统计第0党支部')")
    html = mobile.content()
    assert "统计第1学院党委" not in html and "统计大学党委" not in html
    first = mobile.locator(".stats-panel").nth(0).bounding_box()
    second = mobile.locator(".stats-panel").nth(1).bounding_box()
    assert first["x"] == second["x"] and first["y"] < second["y"]
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= mobile.viewport_size["width"]
    response = mobile.goto(f"{live_server.url}/party/stats/?unit={university['uni'].pk}")
    assert response.status == 404
