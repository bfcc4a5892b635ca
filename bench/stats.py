"""Statistics benchmark (issue 19): the university dashboard JSON at university size.

A child process migrates a throwaway database (SQLite in a temp dir by default; with DATABASE_URL
set, the database `dangke_bench_stats` on that PostgreSQL server, created and dropped) and
bulk-creates a university: 30 院系党委 × 50 branches = 1,500 branches, 30,000 members with their
stage histories (about 4 changes each), this year's meetings (committee and 主题党日 every month,
支部党员大会 and 党课 every quarter: 48,000) and dues (a base per member, a payment per quarter
split over its months). Then, through the full Django stack (test client, 组织部 session):
- baseline: a bare count of the university's members (one indexed query) in the same run;
- the as-of-date engine alone (stage counts, profile, development, pipeline);
- each piece of the dashboard alone (the engine's four tables, compliance, dues, appraisal,
  yearly 学时), listed in the order of the JSON;
- the 党费 panel from party.dues' summary, and computed from the records (what a month the summary
  does not hold yet costs); the summary's rebuild after the bulk load (manage.py dues_summary);
- GET /api/v1/units/{university}/stats/ (the dashboard JSON: wall time, and the CPU time of the
  process serving it, which a loaded machine does not inflate) and the year-end workbook.
Best of BENCH_STATS_ROUNDS (default 3). BENCH_STATS_MEMBERS / BENCH_STATS_BRANCHES resize it.
"""

import json
import os
import sys
import tempfile
import time

from bench.harness import child_env, child_result, load_average, throwaway_database
from bench.timing import best_cpu, best_wall

MEMBERS = int(os.environ.get("BENCH_STATS_MEMBERS", "30000"))
BRANCHES = int(os.environ.get("BENCH_STATS_BRANCHES", "1500"))
COLLEGES = 30
ROUNDS = int(os.environ.get("BENCH_STATS_ROUNDS", "3"))
PG_DB = "dangke_bench_stats"
# (stages of the path, share of members): most are 正式党员, the rest along the way.
PATHS = (
    (("applicant", "activist", "candidate", "probationary", "full_member"), 0.60),
    (("applicant", "activist", "candidate", "probationary"), 0.08),
    (("applicant", "activist", "candidate", "probationary", "probation_extended"), 0.02),
    (("applicant", "activist", "candidate"), 0.10),
    (("applicant", "activist"), 0.15),
    (("applicant",), 0.05),
)


def _units():
    from party.organisation.models import Unit

    def node(path, depth, kind, name):
        return Unit(path=path, depth=depth, numchild=0, kind=kind, name=name)

    uni = node(Unit._get_path(None, 1, 1), 1, "university", "基准大学党委")
    colleges, branches = [], []
    per_college = BRANCHES // COLLEGES
    for c in range(COLLEGES):
        college = node(Unit._get_path(uni.path, 2, c + 1), 2, "college", f"基准第{c + 1}学院党委")
        college.numchild = per_college
        colleges.append(college)
        for b in range(per_college):
            branches.append(
                node(
                    Unit._get_path(college.path, 3, b + 1),
                    3,
                    "branch",
                    f"基准第{c + 1}学院第{b + 1}党支部",
                )
            )
    uni.numchild = len(colleges)
    Unit.objects.bulk_create([uni, *colleges, *branches], batch_size=2000)
    return Unit.objects.get(path=uni.path), list(Unit.objects.filter(kind="branch"))


def _populate(today, recorder):
    import random
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from party.dues.models import DuesBase, Payment, PaymentMonth
    from party.meetings.models import Meeting
    from party.members.models import Member, StageChange

    rng = random.Random(19)
    uni, branches = _units()
    weights = [w for _p, w in PATHS]
    members = Member.objects.bulk_create(
        [
            Member(
                name=f"党员{n:05d}",
                gender=rng.choice(["male", "female"]),
                ethnicity=rng.choice(["汉族"] * 9 + ["回族", "壮族", "满族"]),
                birth_date=date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                student_no=f"S{n:06d}",
                unit=branches[n % len(branches)],
            )
            for n in range(MEMBERS)
        ],
        batch_size=5000,
    )
    if members[0].pk is None:
        members = list(Member.objects.order_by("id"))
    changes = []
    for member in members:
        path = rng.choices([p for p, _w in PATHS], weights)[0]
        day = today - timedelta(days=rng.randint(60, 365 * 12))
        steps = [day]
        for _stage in path[1:]:
            day += timedelta(days=rng.randint(90, 400))
            steps.append(min(day, today))
        for stage, decided_on in zip(path, steps, strict=True):
            changes.append(
                StageChange(
                    member=member,
                    stage=stage,
                    decided_on=decided_on,
                    decided_by="records",
                    extension_months=6 if stage == "probation_extended" else None,
                )
            )
    StageChange.objects.bulk_create(changes, batch_size=10000)
    tz = timezone.get_current_timezone()
    meetings = []
    for branch in branches:
        for month in range(1, today.month + 1):
            for kind in ("committee", "theme_day") + (
                ("party_congress", "lecture") if month % 3 == 0 else ()
            ):
                if rng.random() < 0.1:
                    continue  # one in ten not held: the heat map has something to show
                starts = timezone.make_aware(datetime(today.year, month, 10, 14), tz)
                if starts.date() > today:
                    continue
                meetings.append(
                    Meeting(
                        unit=branch,
                        kind=kind,
                        topic="基准会议",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                    )
                )
    Meeting.objects.bulk_create(meetings, batch_size=10000)
    first = date(today.year, 1, 1)
    DuesBase.objects.bulk_create(
        [
            DuesBase(
                member=m,
                starts_on=first,
                category="student",
                monthly_amount=Decimal("0.20"),
                recorded_by=recorder,
            )
            for m in members
        ],
        batch_size=10000,
    )
    payments, months = [], []
    for member in members:
        for quarter in range(4):
            if 3 * quarter + 1 > today.month or rng.random() < 0.1:
                continue
            payments.append(
                Payment(
                    member=member,
                    amount=Decimal("0.60"),
                    paid_on=date(today.year, 3 * quarter + 1, 15),
                    source="single",
                    recorded_by=recorder,
                )
            )
    Payment.objects.bulk_create(payments, batch_size=10000)
    if payments and payments[0].pk is None:
        payments = list(Payment.objects.order_by("id"))
    for payment in payments:
        for offset in range(3):
            months.append(
                PaymentMonth(
                    payment=payment,
                    member_id=payment.member_id,
                    month=date(today.year, payment.paid_on.month + offset, 1),
                    amount=Decimal("0.20"),
                )
            )
    PaymentMonth.objects.bulk_create(months, batch_size=10000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return uni, {
        "members": len(members),
        "branches": len(branches),
        "stage_changes": len(changes),
        "meetings": len(meetings),
        "payments": len(payments),
    }


def _child() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cms.roles import PARTY_OFFICE
    from party.members.models import Member
    from party.stats import dashboard, selectors

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    office = User.objects.create_user(username="bench-office", password="bench-password-1")
    office.groups.add(Group.objects.get(name=PARTY_OFFICE))
    started = time.perf_counter()
    uni, sizes = _populate(today, office)
    build = time.perf_counter() - started
    from party.dues import summary
    from party.dues.models import SummaryMonth

    started = time.perf_counter()
    summary.rebuild()  # the records were bulk-created, past the services that keep it
    summary_build = time.perf_counter() - started
    client = Client()
    client.force_login(office)
    url = f"/api/v1/units/{uni.pk}/stats/"

    def get(path):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return response.content

    body = json.loads(get(url))
    assert body["stages"]["units"] and len(body["stages"]["units"]) == COLLEGES
    with CaptureQueriesContext(connection) as queries:
        get(url)
    branches = dashboard._branches(uni)
    children = selectors.child_units(uni)
    row = {
        **sizes,
        "build_s": build,
        "summary_build_s": summary_build,
        "queries": len(queries),
        "members_counted": body["stages"]["members"],
        "bare_s": best_wall(
            ROUNDS, lambda: Member.objects.filter(unit__path__startswith=uni.path).count()
        ),
        "stages_s": best_wall(ROUNDS, lambda: selectors.stage_counts(unit=uni, day=today)),
        "profile_s": best_wall(ROUNDS, lambda: selectors.member_profile(unit=uni, day=today)),
        "development_s": best_wall(
            ROUNDS,
            lambda: selectors.development(unit=uni, start=today.replace(month=1, day=1), end=today),
        ),
        "pipeline_s": best_wall(
            ROUNDS,
            lambda: selectors.pipeline(unit=uni, day=today, since=today.replace(month=1, day=1)),
        ),
        "yearly_hours_s": best_wall(
            ROUNDS, lambda: dashboard.yearly_hours_panel(unit=uni, day=today)
        ),
        "engine_s": best_wall(
            ROUNDS,
            lambda: (
                selectors.stage_counts(unit=uni, day=today),
                selectors.member_profile(unit=uni, day=today),
                selectors.development(unit=uni, start=today.replace(month=1, day=1), end=today),
                selectors.pipeline(unit=uni, day=today),
            ),
        ),
        "compliance_s": best_wall(
            ROUNDS,
            lambda: dashboard.compliance_panel(
                unit=uni, day=today, branches=branches, children=children
            ),
        ),
        "dues_s": best_wall(
            ROUNDS, lambda: dashboard.dues_panel(unit=uni, day=today, branches=branches)
        ),
        "appraisal_s": best_wall(ROUNDS, lambda: dashboard.appraisal_panel(unit=uni, day=today)),
        "json_s": best_wall(ROUNDS, lambda: get(url)),
        "json_cpu_s": best_cpu(ROUNDS, lambda: get(url)),
    }
    held = list(SummaryMonth.objects.values_list("month", flat=True))
    SummaryMonth.objects.all().delete()  # the same panel, every month computed from the records
    row["dues_records_s"] = best_wall(
        1, lambda: dashboard.dues_panel(unit=uni, day=today, branches=branches)
    )
    SummaryMonth.objects.bulk_create([SummaryMonth(month=m) for m in held])
    row = {
        **row,
        "xlsx_s": best_wall(
            ROUNDS, lambda: get(f"/api/v1/units/{uni.pk}/stats.xlsx?year={today.year}")
        ),
    }
    print(json.dumps(row))


def _run(label: str, env: dict) -> dict:
    load_before = load_average()
    r = child_result("bench.stats", env)
    ms = {k: v * 1000 for k, v in r.items() if k.endswith("_s")}
    print(
        f"{label}: {r['members']} members ({r['members_counted']} Party members today), "
        f"{r['branches']} branches, {r['stage_changes']} stage changes, {r['meetings']} meetings, "
        f"{r['payments']} payments (built in {r['build_s']:.0f} s)\n"
        f"  bare member count      {ms['bare_s']:8.0f} ms  (baseline)\n"
        f"  stage counts           {ms['stages_s']:8.0f} ms\n"
        f"  member profile         {ms['profile_s']:8.0f} ms\n"
        f"  development            {ms['development_s']:8.0f} ms\n"
        f"  pipeline               {ms['pipeline_s']:8.0f} ms\n"
        f"  engine (4 tables)      {ms['engine_s']:8.0f} ms\n"
        f"  compliance panel       {ms['compliance_s']:8.0f} ms\n"
        f"  dues panel             {ms['dues_s']:8.0f} ms  (summary; "
        f"{ms['dues_records_s']:.0f} ms from the records, rebuild {ms['summary_build_s']:.0f} ms)\n"
        f"  appraisal panel        {ms['appraisal_s']:8.0f} ms\n"
        f"  yearly 学时 panel       {ms['yearly_hours_s']:8.0f} ms\n"
        f"  dashboard JSON (GET)   {ms['json_s']:8.0f} ms  ({r['queries']} queries; "
        f"in-process CPU {ms['json_cpu_s']:.0f} ms)\n"
        f"  year-end workbook      {ms['xlsx_s']:8.0f} ms\n"
        f"  load average (1/5/15 min) {load_before} before, {load_average()} after "
        f"({os.cpu_count()} cores)",
        flush=True,
    )
    return r


def main() -> None:
    print(
        f"a university of {MEMBERS} members in {BRANCHES} branches under {COLLEGES} 院系党委, "
        f"this year's meetings and dues; best of {ROUNDS}; baseline = bare count of its members"
    )
    env, database_url = child_env()
    with tempfile.TemporaryDirectory(prefix="dangke-bench-stats-") as tmp:
        if not database_url:
            _run("SQLite", {**env, "DANGKE_VAR_DIR": tmp})
            return
        with throwaway_database(database_url, PG_DB) as url:
            _run("PostgreSQL", {**env, "DANGKE_VAR_DIR": tmp, "DATABASE_URL": url})


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        _child()
    else:
        main()
