"""党小组调整 (issue 16): every change of a member's 党小组 is a dated, append-only record; the
service's refusals write nothing; the scope is the one selector's (the branch's 支部书记, the
组织员, 组织部); a transfer out of the branch ends the 党小组 in the same history; the member page,
the API, the admin form and the registry import all go through it (no silent overwrite); the
data migration turns today's Member.group values into first records; the 党小组 on a day is the
same in SQL and in Python."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.exceptions import MemberError
from party.members.models import AccessAction, GroupChange, Member, MemberAccessLog
from party.members.registry import RegistryError, registry_import
from party.members.selectors import group_histories, in_group_on_q
from party.members.services import member_create, member_group_change, member_transfer
from party.organisation.models import PostRole, UnitKind, UnitPost
from party.organisation.services import unit_create
from tests.party.test_registry import HEADER, xlsx

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def groups(tree):
    units = tree["units"]
    units["law_g2"] = unit_create(kind=UnitKind.GROUP, name="第二党小组", parent=units["law_b1"])
    units["law_b2_g1"] = unit_create(
        kind=UnitKind.GROUP, name="研究生第一党小组", parent=units["law_b2"]
    )
    return tree


def regroup(tree, to="law_g2", on=date(2026, 3, 10), by="secretary", key="law_b1", **extra):
    return member_group_change(
        member=tree["members"][key],
        to_group=tree["units"][to] if to else None,
        on=on,
        by_user=tree["users"][by],
        **extra,
    )


def in_group(tree, group, day):
    ids = Member.objects.filter(in_group_on_q(tree["units"][group].pk, day))
    return set(ids.values_list("name", flat=True))


def test_a_change_is_dated_recorded_and_logged(groups):
    change = regroup(groups, note="按宿舍调整")
    member = Member.objects.get(pk=groups["members"]["law_b1"].pk)
    assert member.group == groups["units"]["law_g2"]
    assert (change.from_group, change.to_group) == (
        groups["units"]["law_g1"],
        groups["units"]["law_g2"],
    )
    assert change.recorded_by == groups["users"]["secretary"] and change.note == "按宿舍调整"
    log = MemberAccessLog.objects.get(action=AccessAction.GROUP)
    assert log.member == member and "第一党小组 → 第二党小组（2026-03-10）" in log.what
    # The 党小组 on a day reads the history: the old one before the date, the new one from it.
    assert "张三" in in_group(groups, "law_g1", date(2026, 3, 9))
    assert "张三" not in in_group(groups, "law_g1", date(2026, 3, 10))
    assert "张三" in in_group(groups, "law_g2", date(2026, 3, 10))
    assert "张三" not in in_group(groups, "law_g2", date(2026, 3, 9))
    # Out of any 党小组, later.
    regroup(groups, to=None, on=date(2026, 5, 1))
    assert "张三" not in in_group(groups, "law_g2", date(2026, 5, 1))
    assert "张三" in in_group(groups, "law_g2", date(2026, 4, 30))


@pytest.mark.parametrize(
    "by,to,on,code",
    [
        ("secretary2", "law_g2", date(2026, 3, 10), "out_of_scope"),  # another branch's 书记
        ("member", "law_g2", date(2026, 3, 10), "out_of_scope"),  # the member themself
        ("secretary", "law_b2_g1", date(2026, 3, 10), "invalid"),  # another branch's 党小组
        ("secretary", "law_b2", date(2026, 3, 10), "invalid"),  # a branch, not a 党小组
        ("secretary", "law_g1", date(2026, 3, 10), "same_group"),
        ("secretary", "law_g2", date(2999, 1, 1), "invalid"),  # in the future
    ],
)
def test_refusals_write_nothing(groups, by, to, on, code):
    with pytest.raises(MemberError) as caught:
        regroup(groups, to=to, on=on, by=by)
    assert caught.value.code == code and caught.value.message
    member = Member.objects.get(pk=groups["members"]["law_b1"].pk)
    assert member.group == groups["units"]["law_g1"]
    assert not GroupChange.objects.exists()
    assert not MemberAccessLog.objects.filter(action=AccessAction.GROUP).exists()


def test_not_before_the_last_change_nor_before_joining_the_branch(groups):
    regroup(groups, on=date(2026, 3, 10))
    with pytest.raises(MemberError) as caught:
        regroup(groups, to="law_g1", on=date(2026, 3, 9))
    assert caught.value.code == "invalid" and "2026-03-10" in caught.value.message
    regroup(groups, to="law_g1", on=date(2026, 3, 10), by="organiser")  # the same day: allowed
    # 李四 moved into law_b1 on 2026-04-01: no 党小组 of law_b1 before that day.
    member_transfer(
        member=groups["members"]["law_b2"],
        to_unit=groups["units"]["law_b1"],
        on=date(2026, 4, 1),
        by_user=groups["users"]["organiser"],
    )
    with pytest.raises(MemberError) as caught:
        regroup(groups, key="law_b2", to="law_g2", on=date(2026, 3, 31))
    assert caught.value.code == "invalid" and "转入本党支部" in caught.value.message
    regroup(groups, key="law_b2", to="law_g2", on=date(2026, 4, 1), by="office")
    assert "李四" in in_group(groups, "law_g2", date(2026, 4, 1))


def test_the_group_leader_post_ends_the_day_before(groups):
    member = groups["members"]["law_b1"]
    UnitPost.objects.create(
        unit=groups["units"]["law_g1"],
        member=member,
        role=PostRole.GROUP_LEADER,
        starts_on=date(2025, 9, 1),
    )
    regroup(groups, on=date(2026, 3, 10))
    assert UnitPost.objects.get(member=member).ends_on == date(2026, 3, 9)
    assert "任期结束" in MemberAccessLog.objects.get(action=AccessAction.GROUP).what


def test_a_transfer_takes_the_member_out_of_the_group_in_the_same_history(groups):
    transfer = member_transfer(
        member=groups["members"]["law_b1"],
        to_unit=groups["units"]["law_b2"],
        on=date(2026, 3, 10),
        by_user=groups["users"]["organiser"],
    )
    row = GroupChange.objects.get()
    assert (row.from_group, row.to_group, row.on, row.transfer) == (
        groups["units"]["law_g1"],
        None,
        date(2026, 3, 10),
        transfer,
    )
    assert "张三" in in_group(groups, "law_g1", date(2026, 3, 9))
    assert "张三" not in in_group(groups, "law_g1", date(2026, 3, 10))
    # In the new branch, a 党小组 from the transfer's day on.
    regroup(groups, to="law_b2_g1", on=date(2026, 3, 10), by="organiser")
    assert "张三" in in_group(groups, "law_b2_g1", date(2026, 3, 10))


def test_sql_and_python_agree(groups):
    regroup(groups, on=date(2026, 3, 10))
    regroup(groups, to=None, on=date(2026, 4, 1))
    regroup(groups, to="law_g1", on=date(2026, 5, 1))
    member = Member.objects.get(pk=groups["members"]["law_b1"].pk)
    history = group_histories(members=[member])[member.pk]
    for day in (date(2026, 1, 1), date(2026, 3, 10), date(2026, 4, 1), date(2026, 5, 1), TODAY()):
        sql = {
            key
            for key in ("law_g1", "law_g2")
            if member.pk
            in Member.objects.filter(in_group_on_q(groups["units"][key].pk, day)).values_list(
                "pk", flat=True
            )
        }
        python = {key for key in ("law_g1", "law_g2") if groups["units"][key].pk == history.on(day)}
        assert sql == python
    assert history.on(date(2026, 3, 9)) == groups["units"]["law_g1"].pk
    assert history.on(date(2026, 4, 15)) is None
    assert history.group_ids == {groups["units"]["law_g1"].pk, groups["units"]["law_g2"].pk}


def test_registering_a_member_records_the_first_group(groups):
    member = member_create(
        by_user=groups["users"]["secretary"],
        name="新人",
        student_no="N001",
        gender="male",
        unit=groups["units"]["law_b1"],
        group=groups["units"]["law_g2"],
    )
    row = GroupChange.objects.get(member=member)
    assert (row.from_group, row.to_group, row.on) == (None, groups["units"]["law_g2"], TODAY())


def test_registry_import_goes_through_the_history_and_moves_no_branch(groups):
    secretary = groups["users"]["secretary"]
    moved = xlsx([HEADER, ["张三", "男", "S001", "法学本科生党支部", "第二党小组", "", ""]])
    registry_import(file=moved, by_user=secretary)
    member = Member.objects.get(student_no="S001")
    assert member.group == groups["units"]["law_g2"]
    row = GroupChange.objects.get(member=member)
    assert (row.from_group, row.to_group, row.on, row.recorded_by) == (
        groups["units"]["law_g1"],
        groups["units"]["law_g2"],
        TODAY(),
        secretary,
    )
    # A new record: its first 党小组 record.
    new = xlsx([HEADER, ["赵六", "男", "S009", "法学本科生党支部", "第一党小组", "", ""]])
    registry_import(file=new, by_user=secretary)
    assert GroupChange.objects.get(member__student_no="S009").to_group == groups["units"]["law_g1"]
    # Another branch for an existing record is a row error (a transfer is dated): nothing moves.
    other = xlsx([HEADER, ["张三", "男", "S001", "法学研究生党支部", "", "", ""]])
    with pytest.raises(RegistryError) as caught:
        registry_import(file=other, by_user=groups["users"]["organiser"])
    assert "组织关系转接" in str(caught.value.errors[0])
    member.refresh_from_db()
    assert member.unit == groups["units"]["law_b1"] and member.group == groups["units"]["law_g2"]


def test_admin_edit_form_does_not_overwrite_branch_or_group(client, groups):
    member = groups["members"]["law_b1"]
    client.force_login(groups["users"]["office"])
    url = reverse("party_members:edit", args=[member.pk])
    assert "调整党小组请在档案页面办理" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "张三",
            "gender": "male",
            "ethnicity": "汉族",
            "student_no": "S001",
            "unit": groups["units"]["law_b2"].pk,
            "group": groups["units"]["law_g2"].pk,
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.unit == groups["units"]["law_b1"] and member.group == groups["units"]["law_g1"]
    assert member.gender == "male" and not GroupChange.objects.exists()
    # The add form records the first 党小组.
    response = client.post(
        reverse("party_members:add"),
        {
            "name": "新人",
            "gender": "male",
            "ethnicity": "汉族",
            "student_no": "N002",
            "unit": groups["units"]["law_b1"].pk,
            "group": groups["units"]["law_g2"].pk,
        },
    )
    assert response.status_code == 302
    assert GroupChange.objects.get(member__student_no="N002").to_group == groups["units"]["law_g2"]


def test_member_page_lists_the_history_and_offers_the_form_to_managers(client, groups):
    member = groups["members"]["law_b1"]
    url = reverse("party:member_timeline", args=[member.pk])
    client.force_login(groups["users"]["member"])  # their own record: read-only
    assert 'id="group-form"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "group", "on": "2026-03-10"}).status_code == 404
    client.force_login(groups["users"]["secretary"])
    page = client.get(url).content.decode()
    assert 'id="group-form"' in page and "第二党小组" in page and "研究生第一党小组" not in page
    payload = {"action": "group", "to_group": groups["units"]["law_g2"].pk, "on": "2999-01-01"}
    page = client.post(url, payload).content.decode()
    assert "生效日期不能晚于今天" in page and not GroupChange.objects.exists()
    payload |= {"on": "2026-03-10", "note": "按宿舍调整"}
    assert client.post(url, payload).status_code == 302
    page = client.get(url).content.decode()
    assert "2026-03-10 第一党小组 → 第二党小组" in page and "按宿舍调整" in page
    client.force_login(groups["users"]["member"])
    assert "2026-03-10 第一党小组 → 第二党小组" in client.get(url).content.decode()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_history_and_scoped_post(groups):
    member, units, users = groups["members"]["law_b1"], groups["units"], groups["users"]
    url = f"/api/v1/members/{member.pk}/group-changes/"
    body = {"to_group": units["law_g2"].pk, "on": "2026-03-10", "note": "调整"}
    assert api(users["member"]).post(url, body, format="json").status_code == 403
    assert api(users["secretary2"]).post(url, body, format="json").status_code == 404
    bad = api(users["secretary"]).post(url, body | {"to_group": units["law_b2_g1"].pk})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert api(users["secretary"]).post(url, body | {"to_group": 0}).status_code == 400
    assert not GroupChange.objects.exists()
    created = api(users["secretary"]).post(url, body, format="json")
    assert created.status_code == 201
    row = created.json()
    assert (row["from_group_name"], row["to_group_name"], row["on"]) == (
        "第一党小组",
        "第二党小组",
        "2026-03-10",
    )
    out = api(users["organiser"]).post(url, {"to_group": None, "on": "2026-04-01"}, format="json")
    assert out.status_code == 201 and out.json()["to_group"] is None
    listed = api(users["member"]).get(url)
    assert listed.status_code == 200 and [r["on"] for r in listed.json()] == [
        "2026-03-10",
        "2026-04-01",
    ]
    for method in ("put", "patch", "delete"):
        assert getattr(api(users["office"]), method)(url, body, format="json").status_code == 405


def test_the_data_migration_makes_first_records_that_keep_the_past(groups):
    """0013's first_records on members whose 党小组 was set before the history existed: today's
    group from the member's first stage change or 建档 (whichever is earlier), the group a past
    transfer took them out of up to that transfer, the current group from the transfer's day."""
    from party.members.models import DecidingBody, StageChange

    migration = importlib.import_module("party.members.migrations.0013_group_changes")
    units, members = groups["units"], groups["members"]
    zhang, li = members["law_b1"], members["law_b2"]
    for member in (zhang, li):
        StageChange.objects.create(
            member=member,
            stage="full_member",
            decided_on=date(2020, 1, 1),
            decided_by=DecidingBody.RECORDS,
        )
    # 李四 was in law_b2's 党小组, moved to law_b1 on 2026-03-10, then silently put in law_g2.
    li.group = units["law_b2_g1"]
    li.save(update_fields=["group"])
    member_transfer(
        member=li, to_unit=units["law_b1"], on=date(2026, 3, 10), by_user=groups["users"]["office"]
    )
    li.group = units["law_g2"]
    li.save(update_fields=["group"])
    GroupChange.objects.all().delete()  # as before 0013: the transfer's from_group only
    migration.first_records(apps, None)
    assert [(r.to_group_id, r.on) for r in GroupChange.objects.filter(member=zhang)] == [
        (units["law_g1"].pk, date(2020, 1, 1))
    ]
    rows = GroupChange.objects.filter(member=li).order_by("on", "id")
    assert [(r.from_group_id, r.to_group_id, r.on, r.transfer_id is not None) for r in rows] == [
        (None, units["law_b2_g1"].pk, date(2020, 1, 1), False),
        (units["law_b2_g1"].pk, None, date(2026, 3, 10), True),
        (None, units["law_g2"].pk, date(2026, 3, 10), False),
    ]
    # What the old rule (MemberTransfer.from_group, else today's Member.group) answered.
    assert "张三" in in_group(groups, "law_g1", date(2020, 1, 1))
    assert "张三" in in_group(groups, "law_g1", TODAY())
    assert "李四" in in_group(groups, "law_b2_g1", date(2026, 3, 9))
    assert "李四" not in in_group(groups, "law_b2_g1", date(2026, 3, 10))
    assert "李四" in in_group(groups, "law_g2", date(2026, 3, 10))
    # …but law_g2 counts 李四 only from joining its branch (the old rule said "always").
    assert "李四" not in in_group(groups, "law_g2", date(2026, 3, 9))


def test_a_group_named_in_a_history_is_not_deleted(groups):
    from party.organisation.exceptions import UnitInUseError
    from party.organisation.services import unit_delete

    regroup(groups, on=date(2026, 3, 10))
    regroup(groups, to="law_g1", on=date(2026, 3, 11))  # law_g2 is empty again
    with pytest.raises(UnitInUseError) as caught:
        unit_delete(unit=groups["units"]["law_g2"], by_user=groups["users"]["office"])
    assert "党小组调整" in caught.value.message
