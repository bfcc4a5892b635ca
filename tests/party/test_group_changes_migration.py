"""members 0013 on the historical model state (issue 16): Django's MigrationExecutor takes the
database back to 0012 (no GroupChange table: Member.group and MemberTransfer.from_group were the
only record), rows are built with the models of that state, 0013 runs, and its first records are
what docs/party.md "党小组调整" says — today's 党小组 from the earlier of 建档 (in local time) and
the first stage change, or from the last transfer's day; each past transfer's from_group as a
record up to the transfer and its end on the transfer's day (who recorded the transfer, when);
ids in (on, id) order. Then, at the latest state, the 党小组 on past days reads as it did."""

from datetime import UTC, date, datetime

import pytest

from tests.migration_helpers import migrate, migrate_to_latest, state_at

BEFORE = [("members", "0012_cited_wording")]
AFTER = [("members", "0013_group_changes")]

pytestmark = pytest.mark.django_db(transaction=True)

at_0012 = state_at(BEFORE)


def _build(apps):
    """A university, two branches with 党小组, and the members whose first records differ."""
    Unit = apps.get_model("organisation", "Unit")
    User = apps.get_model("auth", "User")
    Member = apps.get_model("members", "Member")
    StageChange = apps.get_model("members", "StageChange")
    MemberTransfer = apps.get_model("members", "MemberTransfer")
    assert "GroupChange" not in {m.__name__ for m in apps.get_app_config("members").get_models()}

    def unit(path, kind, name, numchild=0):
        return Unit.objects.create(
            path=path, depth=len(path) // 4, numchild=numchild, kind=kind, name=name
        )

    unit("0001", "university", "迁移大学党委", numchild=1)
    unit("00010001", "college", "迁移学院党委", numchild=2)
    a = unit("000100010001", "branch", "甲党支部", numchild=2)
    a1 = unit("0001000100010001", "group", "甲第一党小组")
    a2 = unit("0001000100010002", "group", "甲第二党小组")
    b = unit("000100010002", "branch", "乙党支部", numchild=1)
    b1 = unit("0001000100020001", "group", "乙第一党小组")
    office = User.objects.create(username="zuzhibu")

    def member(no, unit, group=None, created=datetime(2024, 5, 1, 2, tzinfo=UTC), stages=()):
        m = Member.objects.create(
            name=f"迁移{no}", student_no=no, unit=unit, group=group, created_at=created
        )
        for stage, day in stages:
            StageChange.objects.create(member=m, stage=stage, decided_on=day, decided_by="records")
        return m

    def transfer(m, frm, to, on, from_group, at):
        return MemberTransfer.objects.create(
            member=m,
            from_unit=frm,
            to_unit=to,
            from_group=from_group,
            on=on,
            recorded_by=office,
            recorded_at=at,
        )

    people = {
        # A stage change before 建档: the first record counts from the stage change.
        "early_stage": member("M1", a, a1, stages=[("full_member", date(2020, 1, 1))]),
        # 建档 at 20:00 UTC on 30 April is 1 May in Beijing (the local day counts).
        "local_day": member("M2", a, a2, created=datetime(2024, 4, 30, 20, tzinfo=UTC)),
        # 建档 before the first stage change: from 建档.
        "early_record": member(
            "M3",
            b,
            b1,
            created=datetime(2023, 1, 1, 2, tzinfo=UTC),
            stages=[("applicant", date(2024, 1, 1))],
        ),
        "no_group": member("M4", a, stages=[("full_member", date(2020, 1, 1))]),
    }
    # 乙第一党小组, moved to 甲党支部 on 2026-03-10, then put in 甲第二党小组 (before 0013: silently).
    moved = people["moved"] = member("M5", a, a2, stages=[("full_member", date(2021, 6, 1))])
    t_moved = transfer(moved, b, a, date(2026, 3, 10), b1, datetime(2026, 3, 10, 3, tzinfo=UTC))
    # Twice: 乙 (乙第一党小组) → 甲 on 2025-01-01, 甲 (甲第一党小组) → 乙 on 2026-02-01, now in
    # 乙第一党小组; its first transfer predates 建档 and the first stage change.
    twice = people["twice"] = member(
        "M6",
        b,
        b1,
        created=datetime(2025, 3, 1, 2, tzinfo=UTC),
        stages=[("probationary", date(2025, 6, 1))],
    )
    t1 = transfer(twice, b, a, date(2025, 1, 1), b1, datetime(2025, 1, 2, 3, tzinfo=UTC))
    t2 = transfer(twice, a, b, date(2026, 2, 1), a1, datetime(2026, 2, 2, 3, tzinfo=UTC))
    # Moved with no 党小组 on either side: nothing to record.
    people["no_group_moved"] = member("M7", b, stages=[("full_member", date(2020, 1, 1))])
    transfer(
        people["no_group_moved"], a, b, date(2025, 9, 1), None, datetime(2025, 9, 1, tzinfo=UTC)
    )
    known = {key: m.pk for key, m in people.items()}
    known.update(a1=a1.pk, a2=a2.pk, b1=b1.pk, office=office.pk)
    known.update(t_moved=t_moved.pk, t1=t1.pk, t2=t2.pk)
    return known


def test_0013_first_records_on_the_historical_state(at_0012):
    k = _build(at_0012)
    apps = migrate(AFTER)
    GroupChange = apps.get_model("members", "GroupChange")

    def rows(key):
        return [
            (c.from_group_id, c.to_group_id, c.on, c.transfer_id)
            for c in GroupChange.objects.filter(member_id=k[key]).order_by("on", "id")
        ]

    assert rows("early_stage") == [(None, k["a1"], date(2020, 1, 1), None)]
    assert rows("local_day") == [(None, k["a2"], date(2024, 5, 1), None)]
    assert rows("early_record") == [(None, k["b1"], date(2023, 1, 1), None)]
    assert rows("no_group") == [] and rows("no_group_moved") == []
    assert rows("moved") == [
        (None, k["b1"], date(2021, 6, 1), None),
        (k["b1"], None, date(2026, 3, 10), k["t_moved"]),
        (None, k["a2"], date(2026, 3, 10), None),
    ]
    assert rows("twice") == [
        (None, k["b1"], date(2025, 1, 1), None),
        (k["b1"], None, date(2025, 1, 1), k["t1"]),
        (None, k["a1"], date(2025, 1, 1), None),
        (k["a1"], None, date(2026, 2, 1), k["t2"]),
        (None, k["b1"], date(2026, 2, 1), None),
    ]
    # Ids follow (on, id) within each member: the rule "first change after the day" reads them so.
    for member_id in set(GroupChange.objects.values_list("member_id", flat=True)):
        changes = GroupChange.objects.filter(member_id=member_id)
        assert list(changes.order_by("id")) == list(changes.order_by("on", "id"))
    # A transfer's end is the transfer's record (who, when); a first record says it came from 0013.
    end = GroupChange.objects.get(transfer_id=k["t1"])
    assert end.recorded_by_id == k["office"]
    assert end.recorded_at == datetime(2025, 1, 2, 3, tzinfo=UTC)
    assert end.note == "组织关系转接"
    first = GroupChange.objects.get(member_id=k["early_stage"])
    assert first.recorded_by_id is None and first.note.startswith("迁移：")

    # At the latest state the 党小组 on a day reads from these records, in SQL and in Python.
    migrate_to_latest()
    from party.members.models import Member
    from party.members.selectors import group_histories, in_group_on_q

    def in_group(group, day):
        return set(Member.objects.filter(in_group_on_q(k[group], day)).values_list("pk", flat=True))

    histories = group_histories(members=Member.objects.filter(pk__in=[k["moved"], k["twice"]]))
    assert histories[k["twice"]].on(date(2024, 12, 31)) is None  # before its first record
    assert k["twice"] not in in_group("b1", date(2024, 12, 31))
    for day, moved_in, twice_in in (
        (date(2024, 12, 31), "b1", None),
        (date(2025, 1, 1), "b1", "a1"),
        (date(2026, 2, 1), "b1", "b1"),
        (date(2026, 3, 9), "b1", "b1"),
        (date(2026, 3, 10), "a2", "b1"),
    ):
        assert histories[k["moved"]].on(day) == k[moved_in], day
        assert k["moved"] in in_group(moved_in, day)
        if twice_in:
            assert histories[k["twice"]].on(day) == k[twice_in], day
            assert k["twice"] in in_group(twice_in, day)
    assert k["early_stage"] in in_group("a1", date(2020, 1, 1))
    assert k["local_day"] in in_group("a2", date(2024, 5, 1))
    # members 0015 (issue 16) marked each member's first record as the 建档 row: its 党小组 counts
    # from the day the member joined the branch — always, for one who never transferred (so the
    # day before 建档 reads it too), from the transfer for one whose first row is dated at it.
    from party.members.models import GroupChange as Current

    marked = set(Current.objects.filter(at_registration=True).values_list("member_id", flat=True))
    assert marked == {k[key] for key in ("early_stage", "local_day", "early_record", "moved")} | {
        k["twice"]
    }
    assert k["local_day"] in in_group("a2", date(2024, 4, 30))
    assert k["early_stage"] in in_group("a1", date(2019, 12, 31))


def test_0013_on_an_empty_registry_writes_nothing(at_0012):
    apps = migrate(AFTER)
    assert not apps.get_model("members", "GroupChange").objects.exists()


at_0014 = state_at([("members", "0014_transfers_in_and_out")])


def test_0015_marks_the_record_rows_not_a_later_group(at_0014):
    """members 0015 marks a member's first row entering a 党小组 from none, not a transfer's,
    dated no later than the record's creation day (in local time); a 党小组 given later to a
    record registered without one stays an ordinary change."""
    apps = at_0014
    Unit = apps.get_model("organisation", "Unit")
    Member = apps.get_model("members", "Member")
    GroupChange = apps.get_model("members", "GroupChange")
    Unit.objects.create(path="0001", depth=1, numchild=1, kind="university", name="大学")
    Unit.objects.create(path="00010001", depth=2, numchild=1, kind="college", name="学院")
    branch = Unit.objects.create(
        path="000100010001", depth=3, numchild=1, kind="branch", name="党支部"
    )
    group = Unit.objects.create(
        path="0001000100010001", depth=4, numchild=0, kind="group", name="党小组"
    )
    created = datetime(2024, 4, 30, 20, tzinfo=UTC)  # 1 May in Beijing
    registered = Member.objects.create(
        name="建档", student_no="N1", unit=branch, group=group, created_at=created
    )
    GroupChange.objects.create(member=registered, to_group=group, on=date(2024, 5, 1))
    later = Member.objects.create(
        name="后入组", student_no="N2", unit=branch, group=group, created_at=created
    )
    GroupChange.objects.create(member=later, to_group=group, on=date(2024, 9, 1))
    apps = migrate([("members", "0015_group_change_at_registration")])
    GroupChange = apps.get_model("members", "GroupChange")
    marks = dict(GroupChange.objects.values_list("member__student_no", "at_registration"))
    assert marks == {"N1": True, "N2": False}
