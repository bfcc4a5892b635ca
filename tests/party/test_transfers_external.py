"""转入/转出本校 (issue 16 and 15): a member's 组织关系 comes in from outside the university or
leaves it. After a 转出 the member is in no unit from that day — out of 应到, the compliance
count, dues owed, the yearly 学时 list, the pipeline and the statistics — and the record stays
readable by 组织部 only; before a 转入 they are in none. Refusals carry a code and write nothing;
the scope is the 院系党委's 组织员 or 组织部."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.exceptions import MemberError
from party.members.models import (
    AccessAction,
    Member,
    MemberAccessLog,
    MemberTransfer,
    TransferDocument,
)
from party.members.selectors import (
    members_in_scope,
    members_of_unit_on,
    members_visible,
    party_memberships,
    unit_histories,
    unit_of_members_on,
)
from party.members.services import (
    member_group_change,
    member_transfer,
    member_transfer_in,
    member_transfer_out,
    stage_change_record,
)
from party.organisation.models import PostRole, UnitPost
from tests.party.meetings.conftest import set_stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def when(year, month, day=15, hour=14):
    return datetime(year, month, day, hour, tzinfo=TZ)


def out(tree, key="law_b1", on=date(2026, 3, 10), by="organiser", **extra):
    return member_transfer_out(
        member=tree["members"][key],
        on=on,
        external_org=extra.pop("external_org", "示范市教育局机关党委"),
        by_user=tree["users"][by],
        **extra,
    )


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_a_transfer_out_takes_the_member_out_of_every_unit_from_that_day(tree):
    units, zhang = tree["units"], tree["members"]["law_b1"]
    UnitPost.objects.create(
        unit=units["law_g1"], member=zhang, role=PostRole.GROUP_LEADER, starts_on=date(2025, 1, 1)
    )
    row = out(tree, letter_no="组转 5", letter_date=date(2026, 3, 7), note="调动")
    zhang.refresh_from_db()
    assert zhang.left_on == date(2026, 3, 10) and zhang.group is None
    assert zhang.unit == units["law_b1"]  # the last branch, kept for the record
    assert (row.direction, row.from_unit, row.to_unit, row.from_group) == (
        "out",
        units["law_b1"],
        None,
        units["law_g1"],
    )
    assert (row.external_org, row.letter_no, row.letter_date) == (
        "示范市教育局机关党委",
        "组转 5",
        date(2026, 3, 7),
    )
    assert UnitPost.objects.get(member=zhang).ends_on == date(2026, 3, 9)
    log = MemberAccessLog.objects.get(action=AccessAction.TRANSFER)
    assert "转出本校 法学本科生党支部 → 示范市教育局机关党委（2026-03-10）" in log.what
    # The unit on a day: SQL and Python agree; none from the date.
    assert "张三" in names(members_of_unit_on(units["law_b1"], date(2026, 3, 9)))
    assert "张三" not in names(members_of_unit_on(units["law_b1"], date(2026, 3, 10)))
    history = unit_histories(members=[zhang])[zhang.pk]
    assert history.on(date(2026, 3, 9)) == units["law_b1"].pk
    assert history.on(date(2026, 3, 10)) is None
    assert unit_of_members_on(date(2026, 3, 10)).get(pk=zhang.pk).unit_on == 0


def test_managers_no_longer_see_the_record_but_the_party_office_does(tree):
    zhang = tree["members"]["law_b1"]
    out(tree)
    for key in ("secretary", "organiser"):
        assert zhang.pk not in members_visible(user=tree["users"][key]).values_list("pk", flat=True)
        assert zhang.pk not in members_in_scope(user=tree["users"][key]).values_list(
            "pk", flat=True
        )
    assert members_visible(user=tree["users"]["office"]).filter(pk=zhang.pk).exists()
    assert not members_in_scope(user=tree["users"]["office"]).filter(pk=zhang.pk).exists()
    assert members_visible(user=tree["users"]["member"]).filter(pk=zhang.pk).exists()  # own
    # Nothing more is written on the record but a 转入 back.
    with pytest.raises(MemberError) as caught:
        stage_change_record(
            member=zhang,
            stage="applicant",
            decided_on=date(2026, 3, 11),
            decided_by="applicant",
            by_user=tree["users"]["office"],
        )
    assert caught.value.code == "left"
    for call in (
        lambda: member_transfer(
            member=zhang,
            to_unit=tree["units"]["law_b2"],
            on=date(2026, 4, 1),
            by_user=tree["users"]["office"],
        ),
        lambda: member_group_change(
            member=zhang,
            to_group=tree["units"]["law_g1"],
            on=date(2026, 4, 1),
            by_user=tree["users"]["office"],
        ),
        lambda: out(tree, by="office", on=date(2026, 4, 1)),
    ):
        with pytest.raises(MemberError) as caught:
            call()
        assert caught.value.code == "left"


@pytest.mark.parametrize(
    "by,on,org,code",
    [
        ("secretary", date(2026, 3, 10), "某党委", "out_of_scope"),  # a branch's 书记: not theirs
        ("secretary2", date(2026, 3, 10), "某党委", "out_of_scope"),
        ("organiser", date(2999, 1, 1), "某党委", "invalid"),
        ("organiser", date(2026, 3, 10), " ", "invalid"),  # no organisation named
    ],
)
def test_transfer_out_refusals_write_nothing(tree, by, on, org, code):
    with pytest.raises(MemberError) as caught:
        out(tree, by=by, on=on, external_org=org)
    assert caught.value.code == code and caught.value.message
    assert not MemberTransfer.objects.exists()
    assert Member.objects.get(pk=tree["members"]["law_b1"].pk).left_on is None


def test_not_before_the_last_transfer(tree):
    member_transfer(
        member=tree["members"]["law_b1"],
        to_unit=tree["units"]["law_b2"],
        on=date(2026, 3, 10),
        by_user=tree["users"]["organiser"],
    )
    with pytest.raises(MemberError) as caught:
        out(tree, on=date(2026, 3, 9))
    assert caught.value.code == "invalid" and "2026-03-10" in caught.value.message
    out(tree, on=date(2026, 3, 10))  # the same day: allowed


def test_a_transfer_in_counts_from_its_day_and_a_return_after_leaving(tree):
    units, users = tree["units"], tree["users"]
    li = tree["members"]["law_b2"]  # registered, never transferred
    upload = SimpleUploadedFile("介绍信.pdf", PDF, content_type="application/pdf")
    row = member_transfer_in(
        member=li,
        to_unit=units["law_b2"],
        on=date(2026, 2, 1),
        external_org="示范市第一中学党支部",
        letter_no="教组 12",
        by_user=users["organiser"],
        documents=[upload],
    )
    assert row.direction == "in" and row.from_unit is None and row.to_unit == units["law_b2"]
    assert TransferDocument.objects.get(transfer=row).name == "介绍信.pdf"
    assert "李四" not in names(members_of_unit_on(units["law_b2"], date(2026, 1, 31)))
    assert "李四" in names(members_of_unit_on(units["law_b2"], date(2026, 2, 1)))
    # A second 转入 while here is refused: a move inside is a 校内转接.
    with pytest.raises(MemberError) as caught:
        member_transfer_in(
            member=li,
            to_unit=units["law_b1"],
            on=date(2026, 3, 1),
            external_org="某党委",
            by_user=users["office"],
        )
    assert caught.value.code == "not_outside"
    # Out, then back in (recorded by 组织部, who still reads the record), into another branch.
    out(tree, key="law_b2", on=date(2026, 4, 1))
    member_transfer_in(
        member=li,
        to_unit=units["law_b1"],
        on=date(2026, 6, 1),
        external_org="示范市教育局机关党委",
        by_user=users["office"],
    )
    li.refresh_from_db()
    assert li.left_on is None and li.unit == units["law_b1"]
    history = unit_histories(members=[li])[li.pk]
    days = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1), date(2026, 6, 1)]
    assert [history.on(d) for d in days] == [None, units["law_b2"].pk, None, units["law_b1"].pk]
    for day in days:
        sql = unit_of_members_on(day).get(pk=li.pk).unit_on
        assert sql == (history.on(day) or 0)


def test_who_is_a_member_for_dues_follows_the_university(tree):
    zhang, li = tree["members"]["law_b1"], tree["members"]["law_b2"]
    set_stage(zhang, "full_member")
    set_stage(li, "full_member")
    out(tree, on=date(2026, 3, 10))
    member_transfer_in(
        member=li,
        to_unit=tree["units"]["law_b2"],
        on=date(2026, 2, 1),
        external_org="某党委",
        by_user=tree["users"]["organiser"],
    )
    memberships = party_memberships(member_ids=[zhang.pk, li.pk])
    assert memberships[zhang.pk].on(date(2026, 3, 9)) and not memberships[zhang.pk].on(
        date(2026, 3, 10)
    )
    assert not memberships[li.pk].on(date(2026, 1, 31)) and memberships[li.pk].on(date(2026, 2, 1))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_out_and_in_with_codes(tree):
    units, users = tree["units"], tree["users"]
    zhang = tree["members"]["law_b1"]
    url = f"/api/v1/members/{zhang.pk}/transfers/"
    body = {"direction": "out", "on": "2026-03-10", "external_org": "示范市教育局机关党委"}
    refused = api(users["secretary"]).post(url, body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "out_of_scope"
    blank = api(users["organiser"]).post(url, body | {"external_org": ""}, format="json")
    assert blank.status_code == 400 and blank.json()["code"] == "invalid"
    assert not MemberTransfer.objects.exists()
    upload = SimpleUploadedFile("介绍信.pdf", PDF, content_type="application/pdf")
    created = api(users["organiser"]).post(url, body | {"document": upload}, format="multipart")
    assert created.status_code == 201, created.content
    row = created.json()
    assert (row["direction"], row["to_unit"], row["external_org"]) == (
        "out",
        None,
        "示范市教育局机关党委",
    )
    (document,) = row["documents"]
    # The organiser no longer reads the record; 组织部 does, and downloads the 介绍信.
    assert api(users["organiser"]).get(url).status_code == 404
    listed = api(users["office"]).get(url)
    assert listed.status_code == 200 and listed.json()[0]["id"] == row["id"]
    assert api(users["office"]).get(document["download"]).status_code == 200
    back = api(users["office"]).post(
        url,
        {
            "direction": "in",
            "to_unit": units["law_b2"].pk,
            "on": "2026-05-01",
            "external_org": "某",
        },
        format="json",
    )
    assert back.status_code == 201 and back.json()["from_unit"] is None
    again = api(users["office"]).post(
        url,
        {
            "direction": "in",
            "to_unit": units["law_b1"].pk,
            "on": "2026-05-02",
            "external_org": "某",
        },
        format="json",
    )
    assert again.status_code == 400 and again.json()["code"] == "not_outside"


def test_timeline_forms(client, tree):
    zhang = tree["members"]["law_b1"]
    url = reverse("party:member_timeline", args=[zhang.pk])
    client.force_login(tree["users"]["secretary"])
    page = client.get(url).content.decode()
    assert 'id="out-form"' not in page and 'id="in-form"' not in page
    assert client.post(url, {"action": "out"}).status_code == 404
    client.force_login(tree["users"]["organiser"])
    assert 'id="out-form"' in client.get(url).content.decode()
    payload = {"action": "out", "out-on": "2026-03-10", "out-external_org": "示范市教育局机关党委"}
    # The organiser no longer reads the record: back to the branch's board, told what was done.
    done = client.post(url, payload, follow=True)
    assert done.redirect_chain == [(reverse("party:unit_board", args=[zhang.unit_id]), 302)]
    assert (
        "已办理转出本校：张三 的组织关系于 2026-03-10 转往示范市教育局机关党委"
        in done.content.decode()
    )
    assert client.get(url).status_code == 404
    client.force_login(tree["users"]["office"])
    page = client.get(url).content.decode()
    assert "2026-03-10 转出本校：法学本科生党支部（第一党小组） → 示范市教育局机关党委" in page
    assert (
        "转出本校：档案只读" in page and 'id="in-form"' in page and 'id="transfer-form"' not in page
    )
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    payload = {"action": "in", "in-to_unit": tree["units"]["law_b2"].pk, "in-on": later}
    page = client.post(url, payload | {"in-external_org": "某党委"}).content.decode()
    assert "转接日期不能晚于今天" in page


def test_the_registry_import_does_not_update_a_record_that_left(tree):
    from party.members.registry import RegistryError, registry_import
    from tests.party.test_registry import HEADER, xlsx

    out(tree)
    row = xlsx([HEADER, ["张三丰", "男", "S001", "法学本科生党支部", "", "", ""]])
    with pytest.raises(RegistryError) as caught:
        registry_import(file=row, by_user=tree["users"]["office"])
    assert "转出本校" in str(caught.value.errors[0])
    assert Member.objects.get(student_no="S001").name == "张三"
