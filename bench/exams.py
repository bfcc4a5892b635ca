"""Exam peak benchmark: N trainees start a 40-question exam at once and autosave answers, on PostgreSQL.

A real gunicorn serves the site against a throwaway PostgreSQL database (`dangke_bench_exams` on the
server of BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres); the run is skipped
with a message when PostgreSQL is unreachable. It prints
- starting an attempt: all trainees press 开始考试 in the same second (latency p50/p95);
- autosave: each trainee saves an answer every few seconds (latency p50/p95);
- throughput (requests/s, closed loop) of saving an answer beside a no-op endpoint that goes
  through the same server, Django and token authentication but touches nothing else;
- importing 5,000 questions from Excel (seconds).

Knobs: BENCH_EXAM_TRAINEES (default 60), BENCH_EXAM_SAVES per trainee (8), BENCH_EXAM_INTERVAL
seconds between saves (2.0), BENCH_EXAM_WORKERS gunicorn workers (3), BENCH_EXAM_THREADS (4).
"""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TRAINEES = int(os.environ.get("BENCH_EXAM_TRAINEES", "60"))
SAVES = int(os.environ.get("BENCH_EXAM_SAVES", "8"))
INTERVAL = float(os.environ.get("BENCH_EXAM_INTERVAL", "2.0"))
WORKERS = int(os.environ.get("BENCH_EXAM_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_EXAM_THREADS", "4"))
CLOSED_LOOP_CLIENTS = 8
CLOSED_LOOP_SECONDS = 8.0
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "dangke_bench_exams"
NOOP_PATH = "/bench-noop/"


# --- the server side: a URLconf adding the no-op endpoint, and the WSGI factory gunicorn calls ----


def __getattr__(name):
    # Django reads `urlpatterns` only inside the gunicorn process, after setup (PEP 562).
    if name == "urlpatterns":
        from django.urls import include, path
        from rest_framework.permissions import IsAuthenticated
        from rest_framework.response import Response
        from rest_framework.views import APIView

        class Noop(APIView):
            permission_classes = [IsAuthenticated]

            def get(self, request):
                return Response({"ok": True})

        return [path(NOOP_PATH.strip("/") + "/", Noop.as_view()), path("", include("cms.urls"))]
    raise AttributeError(name)


def wsgi_app():
    """gunicorn 'bench.exams:wsgi_app()': the site plus the no-op endpoint."""
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.exams"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# --- preparation (run in a subprocess with DATABASE_URL pointing at the bench database) ---------


def _prepare() -> None:
    import io

    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from openpyxl import Workbook
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0, interactive=False)
    from bench.trainees import branch_unit, trainees_bulk_create
    from learning.classes.models import Enrolment, TrainingClass
    from learning.quizzes import excel, grading
    from learning.quizzes.models import Attempt, Question, QuestionBank, Quiz, QuizDrawRule

    User = get_user_model()
    bank, created = QuestionBank.objects.get_or_create(name="压测题库")
    if created:
        rows = []
        for i in range(200):
            type_ = ["single"] * 10 + ["multiple"] * 5 + ["true_false"] * 5
            t = type_[i % 20]
            options = [] if t == "true_false" else ["选项一", "选项二", "选项三", "选项四"]
            answer = {"single": "B", "multiple": ["A", "C"], "true_false": True}[t]
            stem = f"压测试题 {i}：党的基本知识"
            rows.append(
                Question(
                    bank=bank,
                    type=t,
                    stem=stem,
                    options=options,
                    answer=answer,
                    score=Decimal("2.5"),
                    stem_key=grading.stem_key(t, stem),
                )
            )
        Question.objects.bulk_create(rows)
    branch = branch_unit("压测学院党委", "压测支部")
    klass, _ = TrainingClass.objects.get_or_create(name="压测培训班")
    quiz, created = Quiz.objects.get_or_create(
        title="压测结业考试",
        defaults={
            "kind": "exam",
            "training_class": klass,
            "time_limit_minutes": 90,
            "attempts_allowed": 0,
        },
    )
    if created:
        for order, (t, count) in enumerate((("single", 20), ("multiple", 10), ("true_false", 10))):
            QuizDrawRule.objects.create(
                quiz=quiz, bank=bank, type=t, count=count, score=Decimal("2.5"), sort_order=order
            )
    Attempt.objects.filter(quiz=quiz).delete()
    tokens = []
    for n in range(TRAINEES):
        user, _ = User.objects.get_or_create(username=f"bench-trainee-{n}")
        (profile,) = trainees_bulk_create([(user, f"压测学员{n}", f"B{n:05d}", branch)])
        Enrolment.objects.get_or_create(training_class=klass, trainee=profile)
        tokens.append(Token.objects.get_or_create(user=user)[0].key)

    # 5,000 questions from an Excel file, as a trainer would upload them.
    workbook = Workbook()
    workbook.active.append(
        ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值", "难度", "分类"]
    )
    for i in range(5000):
        workbook.active.append(
            [
                "单选",
                f"导入压测第{i}题",
                "甲",
                "乙",
                "丙",
                "丁",
                "ABCD"[i % 4],
                "解析",
                2,
                "中",
                "压测",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    QuestionBank.objects.filter(name="导入压测").delete()
    buffer.seek(0)
    started = time.perf_counter()
    result = excel.import_questions(file=buffer, bank_name="导入压测")
    import_seconds = time.perf_counter() - started
    assert result.ok and result.created == 5000, result.errors[:3]
    print(json.dumps({"quiz": quiz.pk, "tokens": tokens, "import_seconds": import_seconds}))


# --- the client side ------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _describe(name: str, values: list[float], errors: int = 0) -> str:
    if not values:
        return f"{name:<34} no successful requests ({errors} errors)"
    return (
        f"{name:<34} n={len(values):<5} p50={_percentile(values, 0.5) * 1000:7.1f} ms  "
        f"p95={_percentile(values, 0.95) * 1000:7.1f} ms  errors={errors}"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    except Exception as exc:  # noqa: BLE001 — any failure means: skip with the reason
        return f"{type(exc).__name__}: {exc}"
    return None


def _bench_db_url() -> str:
    base, _, _name = PG_URL.rpartition("/")
    return f"{base}/{DB_NAME}"


def _wait_for(url: str, timeout: float = 60) -> None:
    import requests

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server did not answer at {url}")


def main() -> None:
    import requests

    problem = _pg_reachable()
    if problem:
        print(f"SKIPPED: PostgreSQL unreachable at {PG_URL} ({problem}).")
        return
    env = {
        **os.environ,
        "DATABASE_URL": _bench_db_url(),
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DEBUG": "0",
        "TASK_BACKEND": "database",
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "BENCH_EXAM_TRAINEES": str(TRAINEES),
    }
    print(
        f"preparing {DB_NAME}: migrate, {TRAINEES} enrolled trainees, a 40-question exam …",
        flush=True,
    )
    prepared = subprocess.run(
        [PYTHON, "-c", "import bench.exams as b; b._prepare()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        raise RuntimeError(f"preparation failed:\n{prepared.stderr[-3000:]}")
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    quiz_id, tokens = data["quiz"], data["tokens"]

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "bench.exams:wsgi_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(f"{base}/healthz")
        _run_load(base, quiz_id, tokens, data["import_seconds"], requests)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


def _run_load(base: str, quiz_id: int, tokens: list[str], import_seconds: float, requests) -> None:
    sessions = []
    for token in tokens:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        sessions.append(session)
    # Warm every worker's connection and code paths, as a running site would be.
    for session in sessions[: WORKERS * THREADS]:
        session.get(f"{base}{NOOP_PATH}", timeout=30)

    start_times: list[float] = []
    save_times: list[float] = []
    errors = {"start": 0, "save": 0}
    error_kinds: dict[str, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions))

    def trainee(session):
        barrier.wait()
        t0 = time.perf_counter()
        try:
            response = session.post(f"{base}/api/v1/quizzes/{quiz_id}/attempts/", timeout=60)
        except requests.RequestException:
            response = None
        elapsed = time.perf_counter() - t0
        with lock:
            if response is not None and response.status_code in (200, 201):
                start_times.append(elapsed)
            else:
                errors["start"] += 1
                return
        attempt = response.json()
        rng = random.Random()
        time.sleep(rng.uniform(0, INTERVAL))
        for question in attempt["questions"][:SAVES]:
            keys = [o["key"] for o in question["options"]]
            answer = {
                "single": rng.choice(keys or ["A"]),
                "multiple": keys[:2],
                "true_false": True,
            }[question["type"]]
            t0 = time.perf_counter()
            try:
                status = session.put(
                    f"{base}/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
                    json={"answer": answer},
                    timeout=60,
                ).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    save_times.append(elapsed)
                else:
                    errors["save"] += 1
                    error_kinds[str(status)] = error_kinds.get(str(status), 0) + 1
            time.sleep(max(0.0, INTERVAL + rng.uniform(-0.5, 0.5) - elapsed))
        return session, attempt

    attempts = []
    threads = []
    for session in sessions:
        thread = threading.Thread(target=lambda s=session: attempts.append(trainee(s)))
        threads.append(thread)
    peak_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - peak_started

    print(
        f"{len(tokens)} trainees, exam of 40 questions, gunicorn {WORKERS} workers × {THREADS} threads, "
        f"PostgreSQL; one save every ~{INTERVAL:.0f} s per trainee"
    )
    print(_describe("start attempt (all at once)", start_times, errors["start"]))
    print(_describe(f"save answer (every ~{INTERVAL:.0f} s)", save_times, errors["save"]))
    print(
        f"{'whole peak':<34} {wall:.1f} s for {len(start_times)} starts and {len(save_times)} saves"
    )
    if error_kinds:
        print(f"{'save errors by kind':<34} {error_kinds}")

    # Closed loop: CLOSED_LOOP_CLIENTS clients back to back, no-op beside save-answer.
    open_attempts = [a for a in attempts if a]

    def closed_loop(kind: str) -> tuple[int, list[float]]:
        stop = time.perf_counter() + CLOSED_LOOP_SECONDS
        times: list[float] = []
        count_lock = threading.Lock()

        def client(index):
            session, attempt = open_attempts[index % len(open_attempts)]
            question = next(q for q in attempt["questions"] if q["type"] == "true_false")
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                if kind == "noop":
                    ok = session.get(f"{base}{NOOP_PATH}", timeout=30).status_code == 200
                else:
                    ok = (
                        session.put(
                            f"{base}/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
                            json={"answer": random.choice([True, False])},
                            timeout=30,
                        ).status_code
                        == 200
                    )
                if ok:
                    with count_lock:
                        times.append(time.perf_counter() - t0)

        workers = [threading.Thread(target=client, args=(i,)) for i in range(CLOSED_LOOP_CLIENTS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return len(times), times

    for kind, label in (("noop", "no-op endpoint (token auth)"), ("save", "save answer")):
        count, times = closed_loop(kind)
        p50 = f"{statistics.median(times) * 1000:.1f} ms" if times else "n/a"
        print(
            f"{label + ' throughput':<34} {count / CLOSED_LOOP_SECONDS:7.1f} req/s "
            f"({CLOSED_LOOP_CLIENTS} clients back to back, p50 {p50})"
        )
    print(f"{'import 5,000 questions (.xlsx)':<34} {import_seconds:.2f} s")
