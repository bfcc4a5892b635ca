"""The demo university: people at every stage, overdue items, the 支部书记 accounts' scopes, and
the issue's walk-through (refused at eleven months, recorded when eligible, seen by the member)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.models import (
    GroupChange,
    Member,
    MemberTransfer,
    Sponsor,
    Stage,
    StageChange,
    StageChangeAttachment,
    StepDocument,
)
from party.members.selectors import members_in_scope, members_visible
from party.organisation.documents import sniff
from party.organisation.models import Unit, UnitPost

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    return {u.username: u for u in get_user_model().objects.all()}


def _counts():
    return (
        Unit.objects.count(),
        Member.objects.count(),
        StageChange.objects.count(),
        Sponsor.objects.count(),
        UnitPost.objects.count(),
        StepDocument.objects.count(),
        StageChangeAttachment.objects.count(),
        MemberTransfer.objects.count(),
        GroupChange.objects.count(),
    )


def test_demo_party_is_complete_and_idempotent(demo, monkeypatch):
    first = _counts()
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    assert _counts() == first
    # A member who transferred (组织关系转接) three months ago, to try on the timeline.
    (moved,) = MemberTransfer.objects.filter(
        from_unit__isnull=False, to_unit__isnull=False
    ).select_related("member", "from_unit", "to_unit")
    assert (moved.from_unit.name, moved.to_unit.name) == ("本科生第一党支部", "研究生党支部")
    assert moved.member.unit == moved.to_unit and moved.from_group is not None
    # …whose 党小组 history ends with the transfer; and 郑三立 moved 党小组 two months ago.
    assert GroupChange.objects.filter(transfer=moved, from_group=moved.from_group).exists()
    (regrouped,) = GroupChange.objects.filter(from_group__isnull=False, transfer__isnull=True)
    assert regrouped.member.name == "郑三立" and regrouped.to_group.name == "第二党小组"
    assert regrouped.member.group == regrouped.to_group
    # 转入/转出本校: 孙老师 left a month ago (组织部 still reads her record), 周老师 came in.
    left = MemberTransfer.objects.get(to_unit__isnull=True)
    assert (left.member.name, left.direction) == ("孙老师", "out")
    assert left.member.left_on == left.on and left.external_org
    came = MemberTransfer.objects.get(from_unit__isnull=True)
    assert (came.member.name, came.to_unit.name, came.direction) == ("周老师", "教工党支部", "in")
    assert not members_in_scope(user=demo["orgadmin"]).filter(pk=left.member_id).exists()
    assert members_visible(user=demo["orgadmin"]).filter(pk=left.member_id).exists()
    kinds = sorted(Unit.objects.values_list("kind", flat=True))
    assert kinds.count("university") == 1 and kinds.count("college") == 2
    assert kinds.count("branch") == 4 and kinds.count("group") >= 2
    stages = set(members_visible(user=demo["orgadmin"]).values_list("current_stage", flat=True))
    assert {
        Stage.APPLICANT,
        Stage.ACTIVIST,
        Stage.CANDIDATE,
        Stage.PROBATIONARY,
        Stage.PROBATION_EXTENDED,
        Stage.FULL_MEMBER,
    } <= stages
    for name in ("orgadmin", "secretary", "secretary2"):
        assert demo[name].check_password("Demo-Pass-2026")
    assert demo["activist"].party_member.name == "陈晓明"
    assert demo["candidate"].party_member.name == "刘思远"
    # demo documents: real small PDFs/PNGs, labelled as demo documents, one pending own upload
    documents = list(StepDocument.objects.all()) + list(StageChangeAttachment.objects.all())
    assert len(documents) >= 5
    for document in documents:
        assert document.name.startswith("演示材料")
        with document.file.open("rb") as handle:
            assert sniff(handle) in ("pdf", "png")
    pending = StepDocument.objects.get(step_record__submitted_by_member=True).step_record
    assert pending.pending and pending.member.name == "陈晓明"


def test_the_secretaries_see_their_own_branches(demo):
    first = set(members_in_scope(user=demo["secretary"]).values_list("unit__name", flat=True))
    second = set(members_in_scope(user=demo["secretary2"]).values_list("unit__name", flat=True))
    assert first == {"本科生第一党支部"} and second == {"本科生党支部"}
    # 组织部 manages everyone but 孙老师, whose 组织关系 left the university (转出本校).
    assert members_in_scope(user=demo["orgadmin"]).count() == Member.objects.count() - 1
    assert members_visible(user=demo["orgadmin"]).count() == Member.objects.count()


def test_the_issue_walk_through_on_the_demo(demo):
    secretary = APIClient()
    secretary.force_authenticate(demo["secretary"])
    branch = demo["secretary"].party_member.unit
    board = secretary.get(f"/api/v1/units/{branch.pk}/pipeline/").json()
    assert any(item["overdue"] for item in board["due"])
    today = timezone.localdate().isoformat()
    payload = {"to_stage": "candidate", "date": today, "decided_by": "branch_committee"}
    eleven_months = demo["activist"].party_member
    refused = secretary.post(f"/api/v1/members/{eleven_months.pk}/stage-changes/", payload)
    assert refused.status_code == 400
    assert refused.json()["code"] == "gate_activist_one_year"
    eligible = Member.objects.get(name="吴二川")
    assert (
        secretary.post(f"/api/v1/members/{eligible.pk}/stage-changes/", payload).status_code == 201
    )
    eligible.user = demo["trainer2"]
    eligible.save()
    member = APIClient()
    member.force_authenticate(demo["trainer2"])
    timeline = member.get(f"/api/v1/members/{eligible.pk}/timeline/").json()
    assert timeline["stage"] == "candidate"


def test_a_group_leader_to_move_in_the_demo(demo):
    """README: 组织部 moves 赵老师, 第二党小组's 组长, on his page; his term ends the day before,
    and a date before the term began is refused (post_after_transfer). 冯六一, who moved three
    months ago, led the group until the day before."""
    from datetime import timedelta

    from party.members.exceptions import MemberError
    from party.members.services import member_transfer

    moved = MemberTransfer.objects.get(member__name="冯六一")
    before = UnitPost.objects.get(member=moved.member)
    assert (before.unit.name, before.role) == ("第二党小组", "group_leader")
    assert before.ends_on == moved.on - timedelta(days=1)
    leader = Member.objects.get(name="赵老师")
    post = UnitPost.objects.get(member=leader)
    assert (post.unit, post.starts_on) == (before.unit, moved.on)
    assert post.ends_on > timezone.localdate()
    graduate = Unit.objects.get(name="研究生党支部")
    with pytest.raises(MemberError) as refused:
        member_transfer(
            member=leader,
            to_unit=graduate,
            on=moved.on - timedelta(days=1),
            by_user=demo["orgadmin"],
        )
    assert refused.value.code == "post_after_transfer"
    today = timezone.localdate()
    member_transfer(member=leader, to_unit=graduate, on=today, by_user=demo["orgadmin"])
    post.refresh_from_db()
    assert post.ends_on == today - timedelta(days=1)
