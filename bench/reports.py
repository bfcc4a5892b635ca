"""Class report benchmark: report JSON and xlsx/csv export for 2,000 and 10,000 trainees.

A child process migrates a throwaway database (SQLite in a temp dir; PostgreSQL too when
reachable), bulk-creates two classes of 2,000 and 10,000 trainees with 40 required lessons, an
exam, lesson progress, ledger entries and attempts, then times through the full Django stack
(test client, session auth):
- baseline: a bare query of the same enrolment rows (name, number, branch) — the floor;
- the report selector alone (all rows materialised);
- GET /api/v1/classes/{id}/report/ (all rows as JSON);
- GET /api/v1/classes/{id}/report.xlsx and report.csv (the whole stream consumed);
- the admin class report page (50 rows, four charts), by student number and sorted by 学时;
- the Python heap peak (tracemalloc) while exporting the xlsx, to show it does not grow with rows.
Best of BENCH_REPORTS_ROUNDS (default 3). BENCH_REPORTS_PG (default
postgres://postgres@127.0.0.1:5432/) names the PostgreSQL server; the database
dangke_bench_reports is created and dropped.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import child_result
from bench.timing import best_wall

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = (2000, 10000)
LESSONS = 40
ROUNDS = int(os.environ.get("BENCH_REPORTS_ROUNDS", "3"))
PG_SERVER = os.environ.get("BENCH_REPORTS_PG", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "dangke_bench_reports"


def _populate(size: int, lessons, trainer, seed: int):
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from bench.trainees import branch_unit, trainees_bulk_create
    from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
    from learning.progress.models import HoursLedgerEntry, LessonProgress
    from learning.quizzes.models import Attempt, Quiz

    rng = random.Random(seed)
    branches = [branch_unit("基准学院党委", f"基准第{i}党支部") for i in range(20)]
    tc = TrainingClass.objects.create(
        name=f"基准培训班{size}", intake="第 1 期", required_hours=Decimal("24")
    )
    tc.trainers.add(trainer)
    tc.required_lessons.add(*lessons)
    quiz = Quiz.objects.create(title=f"基准结业考试{size}", training_class=tc)
    users = User.objects.bulk_create(
        [User(username=f"b{seed}_{n}", password="!") for n in range(size)], batch_size=2000
    )
    if users[0].pk is None:  # backends that do not return primary keys from bulk inserts
        users = list(User.objects.filter(username__startswith=f"b{seed}_").order_by("id"))
    # Members of 20 党支部 (issue 15), a third of them 发展对象, the others 入党积极分子.
    people = [
        (u, f"学员{seed}{n:05d}", f"B{seed}{n:06d}", branches[n % len(branches)])
        for n, u in enumerate(users)
    ]
    trainees_bulk_create([p for n, p in enumerate(people) if n % 3], stage="activist")
    trainees_bulk_create([p for n, p in enumerate(people) if not n % 3], stage="candidate")
    profiles = list(TraineeProfile.objects.filter(student_no__startswith=f"B{seed}"))
    Enrolment.objects.bulk_create(
        [Enrolment(training_class=tc, trainee=p) for p in profiles], batch_size=2000
    )
    now = timezone.now()
    progress, ledger, attempts = [], [], []
    for user in users:
        done = rng.sample(lessons, rng.randint(0, 20))
        for lesson in done:
            day = now - timedelta(days=rng.randint(0, 30))
            progress.append(
                LessonProgress(user=user, lesson=lesson, completed_at=day, credited_seconds=600)
            )
            ledger.append(
                HoursLedgerEntry(
                    user=user,
                    source="online_lesson",
                    amount=Decimal("0.25"),
                    lesson=lesson,
                    lesson_title=lesson.title,
                    created_at=day,
                )
            )
        ledger.append(
            HoursLedgerEntry(
                user=user,
                source="offline_lecture",
                amount=Decimal(rng.choice(["8", "16", "24"])),
                training_class=tc,
                occurred_on=(now - timedelta(days=rng.randint(0, 30))).date(),
                granted_by=trainer,
            )
        )
        if rng.random() < 0.7:
            score = Decimal(rng.randint(30, 100))
            attempts.append(
                Attempt(
                    quiz=quiz,
                    user=user,
                    number=1,
                    state="graded",
                    score=score,
                    max_score=Decimal("100"),
                    passed=score >= 60,
                    submitted_at=now,
                )
            )
    LessonProgress.objects.bulk_create(progress, batch_size=5000)
    HoursLedgerEntry.objects.bulk_create(ledger, batch_size=5000)
    Attempt.objects.bulk_create(attempts, batch_size=5000)
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load in production; without fresh
        # statistics the planner guesses tiny tables and picks plans that scan the whole ledger.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return tc


def _child() -> None:
    """Run in a subprocess with the benchmark database: build data, time, print JSON."""
    import django

    django.setup()
    import tracemalloc

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from cms.pages.models import ArticleLessonPage, CoursePage, HomePage
    from cms.roles import TRAINERS
    from learning.classes.models import Enrolment
    from learning.reports.selectors import class_report, iter_rows

    call_command("migrate", verbosity=0)
    home = HomePage.objects.first()
    course = home.add_child(instance=CoursePage(title="基准专题", slug="bench-reports"))
    lessons = [
        course.add_child(instance=ArticleLessonPage(title=f"基准微党课{i}", slug=f"br-{i}"))
        for i in range(LESSONS)
    ]
    trainer = User.objects.create_user(username="bench-trainer", password="bench-password-1")
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client = Client()
    client.force_login(trainer)
    results = []
    for seed, size in enumerate(SIZES, start=1):
        started = time.perf_counter()
        tc = _populate(size, lessons, trainer, seed)
        build = time.perf_counter() - started

        def bare(tc=tc):
            list(
                Enrolment.objects.filter(training_class=tc).values_list(
                    "trainee__name", "trainee__student_no", "trainee__member__unit__name"
                )
            )

        def selector(tc=tc, size=size):
            assert sum(1 for _ in iter_rows(class_report(training_class=tc))) == size

        def get(path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return body

        json_path = f"/api/v1/classes/{tc.pk}/report/"
        assert json.loads(get(json_path))["count"] == size
        xlsx_bytes = len(get(f"{json_path[:-1]}.xlsx"))
        row = {
            "size": size,
            "build_s": build,
            "bare_s": best_wall(ROUNDS, bare),
            "selector_s": best_wall(ROUNDS, selector),
            "json_s": best_wall(ROUNDS, lambda p=json_path: get(p)),
            "xlsx_s": best_wall(ROUNDS, lambda p=f"{json_path[:-1]}.xlsx": get(p)),
            "csv_s": best_wall(ROUNDS, lambda p=f"{json_path[:-1]}.csv": get(p)),
            "admin_s": best_wall(ROUNDS, lambda p=f"/admin/reports/classes/{tc.pk}/": get(p)),
            "admin_sorted_s": best_wall(
                ROUNDS, lambda p=f"/admin/reports/classes/{tc.pk}/?sort=-earned": get(p)
            ),
            "xlsx_bytes": xlsx_bytes,
        }
        tracemalloc.start()
        get(f"{json_path[:-1]}.xlsx")
        row["xlsx_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        results.append(row)
    print(json.dumps(results))


def _run(label: str, env: dict) -> list[dict]:
    results = child_result("bench.reports", env)
    for r in results:
        print(
            f"{label:<11} {r['size']:>6} trainees · bare query {r['bare_s'] * 1000:7.0f} ms · "
            f"selector {r['selector_s'] * 1000:7.0f} ms · report JSON {r['json_s'] * 1000:7.0f} ms"
            f" · xlsx {r['xlsx_s'] * 1000:7.0f} ms ({r['xlsx_bytes'] / 1e6:.1f} MB, heap peak "
            f"{r['xlsx_peak_mb']:.1f} MB) · csv {r['csv_s'] * 1000:7.0f} ms "
            f"· admin page {r['admin_s'] * 1000:7.0f} ms (sorted by 学时 "
            f"{r['admin_sorted_s'] * 1000:7.0f} ms) (data built in {r['build_s']:.0f} s)",
            flush=True,
        )
    return results


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
        f"classes of {', '.join(str(s) for s in SIZES)} trainees, {LESSONS} required lessons, "
        f"one exam; best of {ROUNDS}; baseline = bare query of the same enrolment rows"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver,localhost",
        "TASK_BACKEND": "immediate",
        "WAGTAILSEARCH_BACKEND": "database",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="dangke-bench-reports-") as tmp:
        _run("SQLite", {**env, "DANGKE_VAR_DIR": tmp})
    if _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}") and _pg_admin(f"CREATE DATABASE {PG_DB}"):
        try:
            with tempfile.TemporaryDirectory(prefix="dangke-bench-reports-") as tmp:
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
