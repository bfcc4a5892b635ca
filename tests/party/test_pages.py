"""The pipeline board, its export, the timeline page with the stage-change form, 我的入党进程."""

import io
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from party.members.models import MemberAccessLog, Sponsor, SponsorRole, Stage, StageChange
from party.members.services import stage_history_import
from tests.party.conftest import make_member
from tests.spreadsheets import assert_header_frozen

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def history(member, *entries):
    stage_history_import(member=member, entries=list(entries), by_user=None)


@pytest.fixture
def branch(tree):
    unit = tree["units"]["law_b1"]
    late = make_member(unit, "逾期申请人", "L1")
    history(late, (Stage.APPLICANT, TODAY - relativedelta(months=2)))
    evil = make_member(unit, '=HYPERLINK("http://evil","x")', "L2")
    history(evil, (Stage.ACTIVIST, TODAY - relativedelta(months=2)))
    history(tree["members"]["eng_b1"], (Stage.ACTIVIST, date(2020, 1, 1)))
    return {"unit": unit, "late": late, "evil": evil}


def test_secretary_sees_the_branch_board_with_overdue_items(client, tree, branch):
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party:unit_board", args=[branch["unit"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "逾期申请人" in page and "党组织派人谈话" in page and "已逾期" in page
    assert "王五" not in page
    log = MemberAccessLog.objects.get()
    assert log.user == tree["users"]["secretary"] and "法学本科生党支部" in log.what


def test_board_home_goes_to_the_secretarys_branch_and_others_get_404(client, tree, branch):
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party:board_home"))
    assert response.url == reverse("party:unit_board", args=[branch["unit"].pk])
    other = tree["units"]["eng_b1"]
    assert client.get(reverse("party:unit_board", args=[other.pk])).status_code == 404
    assert client.get(reverse("party:unit_board_export", args=[other.pk])).status_code == 404
    client.force_login(tree["users"]["member"])
    assert client.get(reverse("party:board_home")).status_code == 404


def test_board_filters(client, tree, branch):
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:unit_board", args=[branch["unit"].pk])
    page = client.get(url, {"stage": "applicant"}).content.decode()
    assert "逾期申请人" in page and "HYPERLINK" not in page
    page = client.get(url, {"q": "L2"}).content.decode()
    assert "逾期申请人" not in page


def test_board_query_count_does_not_grow_with_members(
    client, tree, branch, django_assert_max_num_queries
):
    for i in range(20):
        history(make_member(branch["unit"], f"人{i}", f"M{i}"), (Stage.ACTIVIST, date(2024, 1, 1)))
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:unit_board", args=[branch["unit"].pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_export_names_who_and_when_and_neutralises_formulas(client, tree, branch):
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party:unit_board_export", args=[branch["unit"].pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert "sec1" in rows[0][1] and "导出时间" in rows[0][2]
    assert_header_frozen(workbook["人员"], "姓名")
    assert_header_frozen(workbook["到期事项"], "姓名")
    cells = [c for row in workbook.worksheets[0].iter_rows() for c in row]
    evil = [c for c in cells if c.value and "HYPERLINK" in str(c.value)]
    assert evil and all(c.data_type == "s" for c in evil)
    exported = MemberAccessLog.objects.filter(action="export")
    assert {log.member for log in exported} >= {branch["late"], branch["evil"]}


def test_timeline_refuses_eleven_months_with_the_rule_and_records_when_eligible(
    client, tree, branch
):
    member = tree["members"]["law_b1"]
    history(member, (Stage.ACTIVIST, TODAY - relativedelta(months=11)))
    contact = make_member(branch["unit"], "联系人", "C1")
    history(contact, (Stage.FULL_MEMBER, date(2010, 7, 1)))
    Sponsor.objects.create(
        member=member, sponsor=contact, role=SponsorRole.CONTACT, assigned_on=date(2024, 1, 1)
    )
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:member_timeline", args=[member.pk])
    payload = {"to_stage": "candidate", "date": TODAY.isoformat(), "decided_by": "branch_committee"}
    page = client.post(url, payload).content.decode()
    assert "一年以上培养教育和考察" in page and "第十三条" in page
    assert member.stage_changes.count() == 1
    StageChange.objects.filter(member=member).update(decided_on=TODAY - relativedelta(years=1))
    response = client.post(url, payload)
    assert response.status_code == 302
    assert member.stage_changes.latest("id").stage == Stage.CANDIDATE


def test_a_member_reads_their_own_timeline_and_progress_but_nobody_elses(client, tree, branch):
    member = tree["members"]["law_b1"]
    history(
        member,
        (Stage.APPLICANT, TODAY - relativedelta(months=8)),
        (Stage.ACTIVIST, TODAY - relativedelta(months=6)),
    )
    client.force_login(tree["users"]["member"])
    page = client.get(reverse("party:my_progress")).content.decode()
    assert "入党积极分子" in page and "发展对象" in page
    assert str(TODAY - relativedelta(months=6) + relativedelta(years=1)) in page
    own = reverse("party:member_timeline", args=[member.pk])
    assert client.get(own).status_code == 200
    assert "记录阶段变更" not in client.get(own).content.decode()
    assert client.post(own, {"to_stage": "candidate"}).status_code == 404
    other = reverse("party:member_timeline", args=[branch["late"].pk])
    assert client.get(other).status_code == 404
    assert MemberAccessLog.objects.filter(user=tree["users"]["member"], member=member).exists()


def test_my_progress_without_a_record(client, tree):
    client.force_login(tree["users"]["outsider"])
    page = client.get(reverse("party:my_progress")).content.decode()
    assert "还没有关联党员档案" in page


def test_recording_a_step_clears_the_overdue_item(client, tree, branch):
    from party.members.models import StepDefinition

    client.force_login(tree["users"]["secretary"])
    late = branch["late"]
    step = StepDefinition.objects.get(code="2")
    response = client.post(
        reverse("party:member_timeline", args=[late.pk]),
        {"action": "step", "step": step.pk, "done_on": TODAY.isoformat(), "responsible": "李书记"},
    )
    assert response.status_code == 302
    board = client.get(reverse("party:unit_board", args=[branch["unit"].pk])).content.decode()
    assert "党组织派人谈话" not in board
    assert late.step_records.get().recorded_by == tree["users"]["secretary"]


def test_the_access_log_is_readable_by_party_office_only(client, tree, branch):
    client.force_login(tree["users"]["secretary"])
    client.get(reverse("party:member_timeline", args=[branch["late"].pk]))
    client.force_login(tree["users"]["office"])
    page = client.get(reverse("party_access_log:index")).content.decode()
    assert "发展纪实页面" in page and "逾期申请人" in page
    assert client.get(reverse("party_access_log:add")).status_code in (302, 403)
    client.force_login(tree["users"]["organiser"])
    assert client.get(reverse("party_access_log:index")).status_code in (302, 403)
