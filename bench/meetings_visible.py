"""Which meetings a member sees (issue 16): `party.meetings.selectors.meetings_visible` at a
university's size, on SQLite and (with DATABASE_URL) PostgreSQL.

A child process migrates a throwaway database (SQLite in a temp dir; with DATABASE_URL, the
database `dangke_bench_meetings` on that PostgreSQL server, created and dropped) and bulk-creates
4 院系党委 × 10 branches (two 党小组 each), 3,000 members (75 per branch, each in a 党小组 since a
建档 row two years ago; one in ten moved branch 6–30 months ago, one in ten changed 党小组), five
years of meetings (per branch and month a 主题党日 and a 支委会, each quarter a 支部党员大会 and a
党课, per 党小组 and month a 党小组会: ≈ 11,000) and 20 attendance rows per member. Then, best of
BENCH_MEETINGS_ROUNDS (default 5), for a member who moved branch and 党小组, a member who never
moved, and a 支部书记 (its scope is the branch):
- baseline: the same list without the date rule (the member's branch and 党小组 of today, their
  attendance rows and 谈心谈话), in the same run;
- before: the rule as session 11 wrote it, three correlated subqueries per meeting (kept here to
  compare; `old_visible`);
- now: meetings_visible (the member's history read once, each stay a range of unit and start);
each as the site's list (the latest 100 with their unit), the API's page (count + 20) and the
whole list of ids; and GET /api/v1/meetings/ through the Django stack (wall time, and this
process's CPU time). Prints a line per measure. `python -m bench meetings_visible`.
"""

import json
import os
import sys
import tempfile
import time

from bench.harness import child_env, child_result, load_average, throwaway_database
from bench.timing import best_cpu, best_wall

ROUNDS = int(os.environ.get("BENCH_MEETINGS_ROUNDS", "5"))
COLLEGES, BRANCHES_PER_COLLEGE, GROUPS_PER_BRANCH = 4, 10, 2
MEMBERS = int(os.environ.get("BENCH_MEETINGS_MEMBERS", "3000"))
YEARS = 5
PG_DB = "dangke_bench_meetings"


def _units():
    from party.organisation.models import Unit

    def node(path, depth, kind, name, numchild=0):
        return Unit(path=path, depth=depth, numchild=numchild, kind=kind, name=name)

    uni = node(Unit._get_path(None, 1, 1), 1, "university", "基准大学党委", COLLEGES)
    rows = [uni]
    for c in range(COLLEGES):
        college = node(
            Unit._get_path(uni.path, 2, c + 1),
            2,
            "college",
            f"第{c + 1}学院党委",
            BRANCHES_PER_COLLEGE,
        )
        rows.append(college)
        for b in range(BRANCHES_PER_COLLEGE):
            branch = node(
                Unit._get_path(college.path, 3, b + 1),
                3,
                "branch",
                f"第{c + 1}学院第{b + 1}党支部",
                GROUPS_PER_BRANCH,
            )
            rows.append(branch)
            for g in range(GROUPS_PER_BRANCH):
                rows.append(
                    node(
                        Unit._get_path(branch.path, 4, g + 1),
                        4,
                        "group",
                        f"第{c + 1}学院第{b + 1}党支部第{g + 1}党小组",
                    )
                )
    Unit.objects.bulk_create(rows, batch_size=1000)
    branches = list(Unit.objects.filter(kind="branch").order_by("path"))
    groups: dict[int, list] = {b.pk: [] for b in branches}
    by_path = {b.path: b for b in branches}
    for group in Unit.objects.filter(kind="group").order_by("path"):
        groups[by_path[group.path[: -Unit.steplen]].pk].append(group)
    return branches, groups


def _populate(today):
    import random
    from datetime import date, datetime, timedelta

    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from party.meetings.models import Attendance, Meeting
    from party.members.models import GroupChange, Member, MemberTransfer, StageChange

    rng = random.Random(16)
    branches, groups = _units()
    registered = today - timedelta(days=730)  # 建档: the records were entered two years ago
    members = []
    for n in range(MEMBERS):
        branch = branches[n % len(branches)]
        members.append(
            Member(
                name=f"党员{n:05d}",
                gender="female",
                student_no=f"M{n:06d}",
                unit=branch,
                group=groups[branch.pk][n % GROUPS_PER_BRANCH],
            )
        )
    Member.objects.bulk_create(members, batch_size=2000)
    members = list(Member.objects.order_by("id"))
    StageChange.objects.bulk_create(
        [
            StageChange(
                member=m, stage="full_member", decided_on=date(2015, 7, 1), decided_by="records"
            )
            for m in members
        ],
        batch_size=5000,
    )
    changes, transfers = [], []
    moved, regrouped = set(), set()
    for index, member in enumerate(members):
        group_now = member.group_id
        if index % 10 == 3:  # moved branch, inside its 院系党委, 6–30 months ago
            old = member.unit
            siblings = [b for b in branches if b.path[:-4] == old.path[:-4] and b.pk != old.pk]
            new = rng.choice(siblings)
            on = today - timedelta(days=rng.randint(180, 900))
            old_group = groups[old.pk][index % GROUPS_PER_BRANCH]
            start = min(registered, on - timedelta(days=1))
            transfers.append(
                MemberTransfer(
                    member=member, from_unit=old, to_unit=new, from_group=old_group, on=on
                )
            )
            changes.append(
                GroupChange(member=member, to_group=old_group, on=start, at_registration=True)
            )
            changes.append(GroupChange(member=member, from_group=old_group, on=on))
            group_now = groups[new.pk][0].pk
            changes.append(GroupChange(member=member, to_group_id=group_now, on=on))
            member.unit, member.group_id = new, group_now
            moved.add(member.pk)
            if index == 3:  # the measured member also changed 党小组 in the new branch
                later = on + timedelta(days=90)
                other = groups[new.pk][1].pk
                changes.append(
                    GroupChange(member=member, from_group_id=group_now, to_group_id=other, on=later)
                )
                member.group_id = other
                regrouped.add(member.pk)
            continue
        changes.append(
            GroupChange(member=member, to_group_id=group_now, on=registered, at_registration=True)
        )
        if index % 10 == 7:  # changed 党小组 a year ago
            other = next(g.pk for g in groups[member.unit_id] if g.pk != group_now)
            changes.append(
                GroupChange(
                    member=member,
                    from_group_id=group_now,
                    to_group_id=other,
                    on=today - timedelta(days=365),
                )
            )
            member.group_id = other
            regrouped.add(member.pk)
    MemberTransfer.objects.bulk_create(transfers, batch_size=2000)
    GroupChange.objects.bulk_create(changes, batch_size=5000)
    Member.objects.bulk_update(members, ["unit", "group"], batch_size=2000)

    tz = timezone.get_current_timezone()
    meetings = []
    start_month = date(today.year - YEARS, today.month, 1)
    for step in range(YEARS * 12):
        year, month = divmod(start_month.month - 1 + step, 12)
        first = date(start_month.year + year, month + 1, 1)

        def at(day, hour=14, first=first):
            return timezone.make_aware(datetime(first.year, first.month, day, hour), tz)

        for branch in branches:
            kinds = ["theme_day", "committee"]
            if first.month % 3 == 0:
                kinds += ["party_congress", "lecture"]
            for i, kind in enumerate(kinds):
                starts = at(5 + 3 * i)
                meetings.append(
                    Meeting(
                        unit=branch,
                        kind=kind,
                        topic="基准会议",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                    )
                )
            for group in groups[branch.pk]:
                starts = at(20)
                meetings.append(
                    Meeting(
                        unit=group,
                        kind="group",
                        topic="基准党小组会",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                    )
                )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    meeting_ids: dict[int, list[int]] = {}
    for pk, unit_id in Meeting.objects.values_list("pk", "unit_id"):
        meeting_ids.setdefault(unit_id, []).append(pk)
    attendance, seen = [], set()
    for member in members:
        mine = meeting_ids[member.unit_id] + meeting_ids[member.group_id]
        for pk in rng.sample(mine, 20):
            if (pk, member.pk) not in seen:
                seen.add((pk, member.pk))
                attendance.append(
                    Attendance(meeting_id=pk, member=member, status="present", method="secretary")
                )
    Attendance.objects.bulk_create(attendance, batch_size=10000)

    who = {
        "moved": members[3],  # moved branch and then 党小组
        "plain": members[0],  # never moved
        "secretary": members[1],  # 书记 of their branch
    }
    for key, member in who.items():
        user = User.objects.create_user(username=f"bench-{key}", password="bench-password-1")
        member.user = user
        member.save(update_fields=["user"])
    from party.organisation.models import PostRole, UnitPost

    UnitPost.objects.create(
        unit=who["secretary"].unit,
        member=who["secretary"],
        role=PostRole.SECRETARY,
        starts_on=today - timedelta(days=400),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return who, {
        "members": len(members),
        "branches": len(branches),
        "groups": sum(len(g) for g in groups.values()),
        "meetings": len(meetings),
        "transfers": len(transfers),
        "group_changes": len(changes),
        "attendance": len(attendance),
    }


def old_visible(*, user):
    """meetings_visible as session 11 wrote it (the rule as three correlated subqueries per
    meeting: the unit and the 党小组 on the meeting's day), for the comparison only."""
    from django.db.models import (
        BigIntegerField,
        DateTimeField,
        ExpressionWrapper,
        OuterRef,
        Q,
        Subquery,
        Value,
    )
    from django.db.models.functions import Coalesce, TruncDate
    from django.utils import timezone

    from party.meetings.models import Attendance, Meeting
    from party.members.models import GroupChange, Member, MemberTransfer
    from party.organisation.selectors import unit_scope

    scope = unit_scope(user=user)
    condition = Q(pk__in=[])
    if not scope.empty:
        condition |= scope.q("unit__")
    member = Member.objects.filter(user=user).only("pk", "unit_id", "group_id").first()
    starts_at = ExpressionWrapper(OuterRef("starts_at"), output_field=DateTimeField())
    day = TruncDate(starts_at, tzinfo=timezone.get_current_timezone())
    none = Value(0, output_field=BigIntegerField())
    latest = Subquery(
        MemberTransfer.objects.filter(member=member.pk, on__lte=day)
        .order_by("-on", "-id")
        .values(unit=Coalesce("to_unit_id", none))[:1]
    )
    first = Subquery(
        MemberTransfer.objects.filter(member=member.pk)
        .order_by("on", "id")
        .values(unit=Coalesce("from_unit_id", none))[:1]
    )
    unit_on = Coalesce(latest, first, Value(member.unit_id), output_field=BigIntegerField())
    after = Subquery(
        GroupChange.objects.filter(member=member.pk, on__gt=day)
        .order_by("on", "id")
        .values(group=Coalesce("from_group_id", none))[:1]
    )
    group_on = Coalesce(after, Value(member.group_id or 0), output_field=BigIntegerField())
    condition |= (
        Q(unit_id=unit_on)
        | Q(unit_id=group_on)
        | Q(
            pk__in=Meeting.participants.through.objects.filter(member_id=member.pk).values(
                "meeting_id"
            )
        )
        | Q(pk__in=Attendance.objects.filter(member_id=member.pk).values("meeting_id"))
    )
    return Meeting.objects.filter(condition)


def baseline_visible(*, user):
    """The same list without the date rule: today's branch and 党小组, attendance, 谈心谈话."""
    from django.db.models import Q

    from party.meetings.models import Attendance, Meeting
    from party.members.models import Member
    from party.organisation.selectors import unit_scope

    scope = unit_scope(user=user)
    condition = Q(pk__in=[])
    if not scope.empty:
        condition |= scope.q("unit__")
    member = Member.objects.filter(user=user).only("pk", "unit_id", "group_id").first()
    condition |= (
        Q(unit_id__in=[member.unit_id, member.group_id])
        | Q(
            pk__in=Meeting.participants.through.objects.filter(member_id=member.pk).values(
                "meeting_id"
            )
        )
        | Q(pk__in=Attendance.objects.filter(member_id=member.pk).values("meeting_id"))
    )
    return Meeting.objects.filter(condition)


def _child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from party.meetings.selectors import meetings_visible

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    who, sizes = _populate(today)
    result = {**sizes, "build_s": time.perf_counter() - started, "cases": {}}
    for key, member in who.items():
        user = member.user
        counts = {}
        row = {}
        for label, visible in (
            ("baseline", baseline_visible),
            ("before", old_visible),
            ("now", meetings_visible),
        ):

            def page(visible=visible, user=user):
                return list(visible(user=user).select_related("unit").order_by("-starts_at")[:100])

            def api_page(visible=visible, user=user):
                qs = visible(user=user).order_by("-starts_at", "-id")
                return qs.count(), list(qs.select_related("unit")[:20])

            def ids(visible=visible, user=user):
                return set(visible(user=user).values_list("pk", flat=True))

            counts[label] = len(ids())
            row[f"{label}_page_s"] = best_wall(ROUNDS, page)
            row[f"{label}_api_page_s"] = best_wall(ROUNDS, api_page)
            row[f"{label}_ids_s"] = best_wall(ROUNDS, ids)
        assert ids_covered(old_visible, meetings_visible, user), key
        client = Client()
        client.force_login(user)

        def get(client=client):
            response = client.get("/api/v1/meetings/")
            assert response.status_code == 200, response.status_code
            return response

        get()
        with CaptureQueriesContext(connection) as queries:
            list(meetings_visible(user=user).order_by("-starts_at")[:100])
        row["http_s"] = best_wall(ROUNDS, get)
        row["http_cpu_s"] = best_cpu(ROUNDS, get)
        row["list_queries"] = len(queries)
        row["counts"] = counts
        result["cases"][key] = row
    print(json.dumps(result))


def ids_covered(old, new, user) -> bool:
    """Every meeting the rule as it was gave, the rewrite gives too; the rewrite adds the 党小组's
    meetings from before the 建档 row (the record was entered two years ago: issue 16)."""
    return set(old(user=user).values_list("pk", flat=True)) <= set(
        new(user=user).values_list("pk", flat=True)
    )


def _run(label: str, env: dict) -> dict:
    load_before = load_average()
    r = child_result("bench.meetings_visible", env)
    print(
        f"{label}: {r['members']} members, {r['branches']} branches, {r['groups']} 党小组, "
        f"{r['meetings']} meetings, {r['transfers']} transfers, {r['group_changes']} 党小组 rows, "
        f"{r['attendance']} attendance rows (built in {r['build_s']:.0f} s)"
    )
    names = {"moved": "member who moved", "plain": "member, never moved", "secretary": "支部书记"}
    for key, row in r["cases"].items():
        ms = {k: v * 1000 for k, v in row.items() if k.endswith("_s")}
        c = row["counts"]
        print(
            f"  {names[key]} (sees {c['now']}; before {c['before']}, baseline {c['baseline']}):\n"
            f"    list of 100   baseline {ms['baseline_page_s']:6.1f} ms  before "
            f"{ms['before_page_s']:7.1f} ms  now {ms['now_page_s']:6.1f} ms\n"
            f"    API page      baseline {ms['baseline_api_page_s']:6.1f} ms  before "
            f"{ms['before_api_page_s']:7.1f} ms  now {ms['now_api_page_s']:6.1f} ms"
            "  (count + 20)\n"
            f"    all ids       baseline {ms['baseline_ids_s']:6.1f} ms  before "
            f"{ms['before_ids_s']:7.1f} ms  now {ms['now_ids_s']:6.1f} ms\n"
            f"    GET /api/v1/meetings/ {ms['http_s']:6.1f} ms (in-process CPU "
            f"{ms['http_cpu_s']:.1f} ms); the list: {row['list_queries']} queries",
            flush=True,
        )
    print(
        f"  load average (1/5/15 min) {load_before} before, {load_average()} after "
        f"({os.cpu_count()} cores)"
    )
    return r


def main() -> None:
    print(
        f"meetings_visible: {COLLEGES * BRANCHES_PER_COLLEGE} branches, {MEMBERS} members, "
        f"{YEARS} years of meetings; best of {ROUNDS}; baseline = the same list without the date "
        "rule, before = the rule as three correlated subqueries per meeting"
    )
    env, database_url = child_env()
    with tempfile.TemporaryDirectory(prefix="dangke-bench-meetings-") as tmp:
        _run("SQLite", {**env, "DANGKE_VAR_DIR": tmp})
        if not database_url:
            return
        with throwaway_database(database_url, PG_DB) as url:
            _run("PostgreSQL", {**env, "DANGKE_VAR_DIR": tmp, "DATABASE_URL": url})


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        _child()
    else:
        main()
