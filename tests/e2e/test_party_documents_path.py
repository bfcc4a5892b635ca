"""Path (issue 15, documents): a member uploads their own 思想汇报 on a phone (本人提交, 待支部确认);
their 支部书记, also on a phone, sees the overdue 思想汇报 on the board marked as submitted, confirms
it, uploads another member's report with the step form, and both overdue items go; the document
downloads with its original name."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cms.roles import TRAINEES
from party.members.models import AccessAction, Gender, Member, MemberAccessLog, Stage
from party.members.services import stage_history_import
from party.organisation.models import PostRole, UnitKind
from party.organisation.services import post_assign, unit_create
from tests.browser import login
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def branch_setup():
    today = timezone.localdate()
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="材料大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="材料学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="材料党支部", parent=college)
    secretary_user = make_user("cailiao-shuji", role=TRAINEES, password="Shuji-Pass-1")
    member_user = make_user("cailiao-xiaoli", role=TRAINEES, password="Xiaoli-Pass-1")

    def person(name, no, user=None, *path):
        member = Member.objects.create(
            name=name, student_no=no, gender=Gender.FEMALE, unit=branch, user=user
        )
        stage_history_import(member=member, entries=list(path), by_user=None)
        return member

    secretary = person("吴书记", "C0", secretary_user, (Stage.FULL_MEMBER, date(2010, 7, 1)))
    post_assign(
        unit=branch,
        member=secretary,
        role=PostRole.SECRETARY,
        starts_on=today - relativedelta(months=6),
    )
    own = person("小李", "C1", member_user, (Stage.ACTIVIST, today - relativedelta(months=8)))
    other = person("小周", "C2", None, (Stage.ACTIVIST, today - relativedelta(months=7)))
    return {"branch": branch, "own": own, "other": other}


def _overdue_reports(page) -> list[str]:
    rows = page.locator(".due-row:has-text('思想汇报')")
    return [rows.nth(i).inner_text() for i in range(rows.count())]


def test_reports_uploaded_on_phones_close_the_overdue_items(
    live_server, phone, branch_setup, tmp_path
):
    report = tmp_path / "第四季度思想汇报.pdf"
    report.write_bytes(PDF)

    mine = phone.new_page()
    login(mine, live_server.url, "cailiao-xiaoli", "Xiaoli-Pass-1")
    mine.goto(f"{live_server.url}/me/party/")
    mine.wait_for_selector("#own-submit-form")
    mine.set_input_files("#own-submit-form input[type=file]", str(report))
    mine.click("#own-submit-form button[type=submit]")
    mine.wait_for_selector(".submissions .submission-status")
    assert "待支部确认" in mine.locator(".submissions").inner_text()
    assert mine.evaluate("document.documentElement.scrollWidth") <= 390

    page = phone.new_page()
    login(page, live_server.url, "cailiao-shuji", "Shuji-Pass-1")
    page.goto(f"{live_server.url}/party/")
    page.wait_for_selector("h1:has-text('材料党支部')")
    overdue = _overdue_reports(page)
    assert len(overdue) == 2
    assert any("小李" in row and "待确认" in row for row in overdue)

    # 小李's own report: confirm it on her timeline, then download it
    page.click(".due-row a:has-text('小李')")
    page.wait_for_selector(".step-record.pending")
    with page.expect_download() as download:
        page.click(".step-record .document-link:has-text('第四季度思想汇报.pdf')")
    assert download.value.suggested_filename == "第四季度思想汇报.pdf"
    page.click(".step-record.pending button:has-text('确认')")
    page.wait_for_selector(".step-record:not(.pending)")

    # 小周's report: the 书记 uploads it with the step form
    page.goto(f"{live_server.url}/party/members/{branch_setup['other'].pk}/")
    page.select_option("#step-form select[name=step]", label="6.1 思想汇报（每季度）")
    page.fill("#step-form input[name=responsible]", "吴书记")
    page.set_input_files("#step-form input[type=file]", str(report))
    page.click("#step-form button[type=submit]")
    page.wait_for_selector(".step-record .document-link")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}/party/")
    page.wait_for_selector("h1:has-text('材料党支部')")
    assert _overdue_reports(page) == []
    assert MemberAccessLog.objects.filter(action=AccessAction.DOWNLOAD).count() == 1
    assert MemberAccessLog.objects.filter(action=AccessAction.UPLOAD).count() == 2
