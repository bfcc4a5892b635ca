"""Trainees-into-the-Party-tree migration benchmark (learning.classes 0005, issue 15).

A child process migrates a throwaway database (SQLite in a temp dir; PostgreSQL too when
reachable), migrates learning.classes back to 0004, builds with the historical models 5,000
trainees in 10 colleges × 5 branches (random stages, about one date in five missing), two classes
with every trainee enrolled and one ledger entry each, then times:
- baseline: a bare read of the same trainee rows (every field the migration reads);
- the migration's data step (learning.classes 0005's function, in one transaction), one run;
- then the migration through Django's MigrationExecutor, which finds everyone linked: the cost
  of Django building its migration state;
and checks that every trainee, enrolment and ledger entry is still there and linked.
BENCH_MIGRATION_SIZE (default 5000) sets the trainees; BENCH_MIGRATION_PG (default
postgres://postgres@127.0.0.1:5432/) names the PostgreSQL server; the database
dangke_bench_migration is created and dropped.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZE = int(os.environ.get("BENCH_MIGRATION_SIZE", "5000"))
PG_SERVER = os.environ.get("BENCH_MIGRATION_PG", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "dangke_bench_migration"
BEFORE = [("classes", "0004_traineeprofile_member")]
AFTER = [("classes", "0005_trainees_into_party_tree")]
STAGES = [
    ("applicant", "applied_on"),
    ("activist", "activist_on"),
    ("candidate", "candidate_on"),
    ("probationary", "probationary_on"),
    ("full_member", "full_member_on"),
]


def _state(connection):
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def _build(apps, size: int) -> None:
    import random
    from datetime import date, timedelta
    from decimal import Decimal

    rng = random.Random(15)
    User = apps.get_model("auth", "User")
    College = apps.get_model("classes", "College")
    Branch = apps.get_model("classes", "Branch")
    Profile = apps.get_model("classes", "TraineeProfile")
    TrainingClass = apps.get_model("classes", "TrainingClass")
    Enrolment = apps.get_model("classes", "Enrolment")
    Ledger = apps.get_model("progress", "HoursLedgerEntry")

    colleges = [College.objects.create(name=f"基准学院{c}") for c in range(10)]
    branches = [
        Branch.objects.create(college=college, name=f"基准第{b}党支部")
        for college in colleges
        for b in range(5)
    ]
    User.objects.bulk_create(
        [User(username=f"m{n}", password="!") for n in range(size)], batch_size=2000
    )
    users = list(User.objects.filter(username__startswith="m").order_by("id"))
    profiles = []
    for n, user in enumerate(users):
        branch = branches[n % len(branches)]
        last = rng.randrange(len(STAGES))
        day = date(2018, 1, 1) + timedelta(days=rng.randrange(1500))
        dates = {}
        for _stage, field in STAGES[: last + 1]:
            if rng.random() > 0.2:
                dates[field] = day
            day += timedelta(days=rng.randrange(150, 400))
        profiles.append(
            Profile(
                user=user,
                name=f"学员{n:05d}",
                student_no=f"M{n:06d}",
                college_id=branch.college_id,
                branch=branch,
                stage=STAGES[last][0],
                **dates,
            )
        )
    Profile.objects.bulk_create(profiles, batch_size=2000)
    profile_ids = list(Profile.objects.order_by("id").values_list("id", "user_id"))
    for stage in ("activist", "candidate"):
        tc = TrainingClass.objects.create(name=f"基准{stage}班", audience_stage=stage)
        Enrolment.objects.bulk_create(
            [Enrolment(training_class=tc, trainee_id=pid) for pid, _u in profile_ids],
            batch_size=2000,
        )
    Ledger.objects.bulk_create(
        [
            Ledger(user_id=uid, source="offline_lecture", amount=Decimal("2"), training_class=tc)
            for _p, uid in profile_ids
        ],
        batch_size=2000,
    )


def _child() -> None:
    """Run in a subprocess with the benchmark database: build data, time, print JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", verbosity=0)
    MigrationExecutor(connection).migrate(BEFORE)
    apps = _state(connection)
    started = time.perf_counter()
    _build(apps, SIZE)
    build = time.perf_counter() - started
    Profile = apps.get_model("classes", "TraineeProfile")
    Enrolment = apps.get_model("classes", "Enrolment")
    Ledger = apps.get_model("progress", "HoursLedgerEntry")
    counts = (Profile.objects.count(), Enrolment.objects.count(), Ledger.objects.count())

    started = time.perf_counter()
    rows = list(
        Profile.objects.values_list(
            "id", "user_id", "student_no", "name", "branch_id", "stage", "phone",
            "applied_on", "activist_on", "candidate_on", "probationary_on", "full_member_on",
            "user__date_joined",
        )
    )  # fmt: skip
    bare = time.perf_counter() - started
    assert len(rows) == SIZE

    # The migration's data step on its own, as `migrate` runs it (one transaction) …
    from importlib import import_module

    from django.db import transaction

    step = import_module("learning.classes.migrations.0005_trainees_into_party_tree")
    started = time.perf_counter()
    with transaction.atomic():
        step.forward(apps, None)  # it never touches the schema
    migration = time.perf_counter() - started
    # … then `migrate` itself, which finds everyone linked: Django's own cost (migration state).
    executor = MigrationExecutor(connection)
    started = time.perf_counter()
    executor.migrate(AFTER)
    overhead = time.perf_counter() - started

    apps = _state(connection)
    Profile = apps.get_model("classes", "TraineeProfile")
    Enrolment = apps.get_model("classes", "Enrolment")
    Ledger = apps.get_model("progress", "HoursLedgerEntry")
    Member = apps.get_model("members", "Member")
    StageChange = apps.get_model("members", "StageChange")
    assert (Profile.objects.count(), Enrolment.objects.count(), Ledger.objects.count()) == counts
    assert not Profile.objects.filter(member__isnull=True).exists()
    result = {
        "size": SIZE,
        "build_s": build,
        "bare_s": bare,
        "migration_s": migration,
        "overhead_s": overhead,
        "members": Member.objects.count(),
        "stage_changes": StageChange.objects.count(),
        "defaulted": StageChange.objects.exclude(note="").count(),
    }
    print(json.dumps(result))


def _run(label: str, env: dict) -> dict:
    done = subprocess.run(
        [PYTHON, "-m", "bench.migration", "child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{label:<11} {r['size']:>6} trainees · bare read {r['bare_s'] * 1000:7.0f} ms · "
        f"migration's data step {r['migration_s'] * 1000:7.0f} ms (then `migrate` "
        f"{r['overhead_s'] * 1000:5.0f} ms: Django's migration state) · {r['members']} members, "
        f"{r['stage_changes']} stage changes ({r['defaulted']} with a defaulted date noted) "
        f"(data built in {r['build_s']:.0f} s)",
        flush=True,
    )
    return r


def _pg_admin(sql: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_SERVER + "postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)
        return True
    except Exception as exc:  # noqa: BLE001 — any failure means "not reachable" here
        print(f"PostgreSQL not reachable at {PG_SERVER} ({exc.__class__.__name__}); skipped")
        return False


def main() -> None:
    print(
        f"{SIZE} trainees in 50 branches, 2 classes, {SIZE} ledger entries; one run; "
        "baseline = bare read of the same trainee rows"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DEBUG": "0",
        "TASK_BACKEND": "immediate",
        "WAGTAILSEARCH_BACKEND": "database",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="dangke-bench-migration-") as tmp:
        _run("SQLite", {**env, "DANGKE_VAR_DIR": tmp})
    if _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}") and _pg_admin(f"CREATE DATABASE {PG_DB}"):
        try:
            with tempfile.TemporaryDirectory(prefix="dangke-bench-migration-") as tmp:
                _run(
                    "PostgreSQL", {**env, "DANGKE_VAR_DIR": tmp, "DATABASE_URL": PG_SERVER + PG_DB}
                )
        finally:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        _child()
    else:
        main()
