"""The server work of one exam call, in process: start, save, submit and a login, beside a no-op.

`python -m bench exam_calls` (`make bench B=exam_calls`). The exam peak's latency under load
(bench/load) mixes the server's own work with queueing on a loaded machine; this benchmark takes
the queue away. A child process per database migrates a throwaway database (SQLite in a temp dir;
PostgreSQL `dangke_bench_exam_calls` (BENCH_CALLS_PG_DB) on BENCH_PG_URL, skipped with a message when unreachable),
enrols BENCH_CALLS_TRAINEES trainees (default 200) in a class with a 40-question exam drawn by
three rules from a bank of BENCH_CALLS_BANK questions (default 200), issues their API tokens, and
then calls the site's WSGI handler in this process — production settings, token authentication,
every middleware — one request at a time:

- no-op: a DRF view with token authentication that touches nothing else (the floor);
- start: each trainee presses 开始考试 (a new attempt: the draw, the snapshot, the deadline task);
- save: each trainee saves BENCH_CALLS_SAVES answers (default 5);
- submit: each trainee hands in (grading 40 answers);
- login: BENCH_CALLS_LOGINS trainees (default 10) obtain a token with their password.

For each it prints the wall time and the process's CPU time per call (p50/p95; CPU time is what the
call costs the machine, and moves far less with the load than wall time) and the SQL statements per
call. The statements are counted by a connection wrapper, so they match what a real server sends.
"""

import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TRAINEES = int(os.environ.get("BENCH_CALLS_TRAINEES", "200"))
BANK = int(os.environ.get("BENCH_CALLS_BANK", "200"))
SAVES = int(os.environ.get("BENCH_CALLS_SAVES", "5"))
LOGINS = int(os.environ.get("BENCH_CALLS_LOGINS", "10"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_CALLS_PG_DB", "dangke_bench_exam_calls")
# BENCH_CALLS_DATABASES=postgresql (or sqlite) runs one of the two.
DATABASES = os.environ.get("BENCH_CALLS_DATABASES", "sqlite,postgresql").split(",")
PASSWORD = "bench-Dangke-2025"
# 20 single + 10 multiple + 10 true/false = 40 questions of 2.5 points.
DRAW = (("single", 20), ("multiple", 10), ("true_false", 10))


# --- the child: prepare, then time the calls -----------------------------------------------------


def wsgi_environ(method: str, path: str, *, token: str | None = None, body=None) -> dict:
    """The WSGI environ of one API call as the proxy hands it to a worker: HTTPS, a JSON body,
    token authentication when `token` is given (bench/exam_instructions calls with it too)."""
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    return environ


def _prepare() -> tuple[int, list[str], list[str]]:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from bench.trainees import branch_unit, trainees_bulk_create
    from learning.classes.models import Enrolment, TrainingClass
    from learning.quizzes import grading
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizDrawRule

    call_command("migrate", verbosity=0, interactive=False)
    bank = QuestionBank.objects.create(name="压测题库")
    rows = []
    for i in range(BANK):
        type_ = DRAW[i % 3][0]
        options = [] if type_ == "true_false" else ["选项一", "选项二", "选项三", "选项四"]
        answer = {"single": "B", "multiple": ["A", "C"], "true_false": True}[type_]
        stem = f"压测试题 {i}：党的基本知识（{type_}）"
        rows.append(
            Question(
                bank=bank,
                type=type_,
                stem=stem,
                options=options,
                answer=grading.normalise_key(type_, answer, option_count=len(options)),
                explanation="解析：见《中国共产党章程》。",
                score=Decimal("2.5"),
                stem_key=grading.stem_key(type_, stem),
            )
        )
    Question.objects.bulk_create(rows)
    branch = branch_unit("压测学院党委", "压测支部")
    klass = TrainingClass.objects.create(name="压测培训班")
    quiz = Quiz.objects.create(
        title="压测结业考试",
        kind="exam",
        training_class=klass,
        time_limit_minutes=90,
        attempts_allowed=0,
    )
    for order, (type_, count) in enumerate(DRAW):
        QuizDrawRule.objects.create(
            quiz=quiz, bank=bank, type=type_, count=count, score=Decimal("2.5"), sort_order=order
        )
    User = get_user_model()
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"calls-trainee-{n:05d}", password=hashed) for n in range(TRAINEES)]
    )
    users = list(User.objects.filter(username__startswith="calls-trainee-").order_by("username"))
    profiles = trainees_bulk_create(
        [(user, f"压测学员{n}", f"C{n:06d}", branch) for n, user in enumerate(users)],
        must_change_password=False,
    )
    Enrolment.objects.bulk_create(
        [Enrolment(training_class=klass, trainee=profile) for profile in profiles]
    )
    tokens = Token.objects.bulk_create(
        [Token(user=user, key=secrets.token_hex(20)) for user in users]
    )
    return quiz.pk, [t.key for t in tokens], [u.username for u in users]


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _child() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    settings.ROOT_URLCONF = "bench.exams"  # the site plus the no-op endpoint
    quiz_id, tokens, usernames = _prepare()
    handler = WSGIHandler()
    # As cms.wsgi does for a web worker (cms/gc_startup.py).
    from cms.gc_startup import freeze_startup_objects

    freeze_startup_objects()
    counter = _Counter()

    def call(method: str, path: str, *, token: str | None = None, body=None):
        environ = wsgi_environ(method, path, token=token, body=body)
        status = []
        counter.count = 0
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            response = handler(environ, lambda s, headers, *exc: status.append(s))
            content = b"".join(response)
            if hasattr(response, "close"):
                response.close()
        timing = (time.perf_counter() - wall0, time.process_time() - cpu0, counter.count)
        code = int(status[0].split()[0])
        return code, content, timing

    profile_dir = os.environ.get("BENCH_CALLS_PROFILE")

    @contextmanager
    def phase(name: str):
        """With BENCH_CALLS_PROFILE=DIR, profile the phase's calls into DIR/<database>-<phase>.txt:
        pyinstrument when importable, else cProfile (the 40 costliest functions by own time and
        by cumulative time)."""
        if not profile_dir:
            yield
            return
        try:
            from pyinstrument import Profiler
        except ImportError:
            yield from _cprofile(Path(profile_dir) / f"{connection.vendor}-{name}.txt")
            return

        profiler = Profiler(interval=0.0005)
        profiler.start()
        try:
            yield
        finally:
            profiler.stop()
            out = Path(profile_dir) / f"{connection.vendor}-{name}.txt"
            out.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")

    results: dict[str, list[tuple[float, float, int]]] = {}
    failures: dict[str, int] = {}

    def record(name: str, code: int, ok: tuple[int, ...], timing, content: bytes) -> None:
        if code in ok:
            results.setdefault(name, []).append(timing)
        else:
            failures[name] = failures.get(name, 0) + 1
            if failures[name] == 1:
                print(f"  {name}: HTTP {code} {content[:200]!r}", flush=True)

    # Warm up: the first request imports and compiles what every later one reuses.
    for _ in range(20):
        call("GET", "/bench-noop/", token=tokens[0])
    with phase("noop"):
        for token in tokens:
            code, content, timing = call("GET", "/bench-noop/", token=token)
            record("no-op", code, (200,), timing, content)
    attempts = []
    with phase("start"):
        for token in tokens:
            code, content, timing = call(
                "POST", f"/api/v1/quizzes/{quiz_id}/attempts/", token=token
            )
            record("start (new attempt)", code, (201,), timing, content)
            attempts.append((token, json.loads(content)) if code == 201 else None)
    with phase("resume"):
        for token in tokens:
            code, content, timing = call(
                "POST", f"/api/v1/quizzes/{quiz_id}/attempts/", token=token
            )
            record("start again (resume)", code, (200,), timing, content)
    with phase("save"):
        _saves(call, record, attempts)
    with phase("submit"):
        _submits(call, record, attempts)
    for username in usernames[:LOGINS]:
        code, content, timing = call(
            "POST",
            "/api/v1/auth/token/",
            body={"username": username, "password": PASSWORD},
        )
        record("login (token, PBKDF2)", code, (200,), timing, content)
    print(json.dumps({"results": results, "failures": failures}))


def _cprofile(out: Path):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(out.with_suffix(".prof"))  # for pstats / snakeviz
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(40)
        out.write_text(text.getvalue(), encoding="utf-8")


def _saves(call, record, attempts) -> None:
    for round_ in range(SAVES):
        for entry in attempts:
            if entry is None:
                continue
            token, attempt = entry
            question = attempt["questions"][round_ % len(attempt["questions"])]
            keys = [o["key"] for o in question["options"]]
            if question["type"] == "true_false":
                answer = True
            else:
                answer = keys[1] if question["type"] == "single" else keys[:2]
            code, content, timing = call(
                "PUT",
                f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
                token=token,
                body={"answer": answer},
            )
            record("save answer", code, (200,), timing, content)


def _submits(call, record, attempts) -> None:
    for entry in attempts:
        if entry is None:
            continue
        token, attempt = entry
        code, content, timing = call(
            "POST", f"/api/v1/attempts/{attempt['id']}/submit/", token=token
        )
        record("submit (grade 40)", code, (200,), timing, content)


# --- the parent: one child per database, then the table -----------------------------------------


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _table(label: str, data: dict) -> None:
    results, failures = data["results"], data["failures"]
    noop_cpu = statistics.median(t[1] for t in results.get("no-op", [(0, 0, 0)]))
    print(f"\n{label}")
    print(
        f"| {'call':<24} | {'n':>5} | {'wall p50':>8} | {'wall p95':>8} | {'CPU p50':>8} "
        f"| {'CPU p95':>8} | {'CPU / no-op':>11} | {'queries':>7} | {'errors':>6} |"
    )
    print("|" + "|".join("-" * w for w in (26, 7, 10, 10, 10, 10, 13, 9, 8)) + "|")
    for name, timings in results.items():
        walls = [t[0] * 1000 for t in timings]
        cpus = [t[1] * 1000 for t in timings]
        queries = sorted({t[2] for t in timings})
        shown = "/".join(str(q) for q in queries[:3]) + ("…" if len(queries) > 3 else "")
        ratio = statistics.median(cpus) / (noop_cpu * 1000) if noop_cpu else 0
        print(
            f"| {name:<24} | {len(timings):>5} | {_pct(walls, 0.5):>5.2f} ms | {_pct(walls, 0.95):>5.2f} ms "
            f"| {_pct(cpus, 0.5):>5.2f} ms | {_pct(cpus, 0.95):>5.2f} ms | {ratio:>10.1f}× "
            f"| {shown:>7} | {failures.get(name, 0):>6} |"
        )
    for name, count in failures.items():
        if name not in results:
            print(f"| {name:<24} | all {count} failed |")


def python_child(
    code: str, env: dict, *, under: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """`python -c code` in a child process from the repository's root with `env` (behind the
    command `under`, valgrind's say, when given), its output captured as text; a failure is the
    caller's to report. bench/exam_instructions runs its children with it too."""
    return subprocess.run(
        [*under, PYTHON, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _run_child(label: str, env: dict) -> None:
    started = time.perf_counter()
    done = python_child("import bench.exam_calls as b; b._child()", env)
    if done.returncode != 0:
        print(f"{label}: failed\n{done.stderr[-3000:]}")
        return
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    _table(
        f"{label} ({time.perf_counter() - started:.0f} s with preparation)", json.loads(lines[-1])
    )


def main() -> None:
    with open("/proc/loadavg") as file:
        load = " ".join(file.read().split()[:3])
    print(
        f"{TRAINEES} trainees, 40-question exam from a bank of {BANK}, {SAVES} saves each, "
        f"{LOGINS} logins; production settings, one request at a time in this process; "
        f"{os.cpu_count()} cores, load average {load}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="dangke-exam-calls-") as tmp:
        (Path(tmp) / "static").mkdir()
        base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DANGKE_VAR_DIR": tmp,
            "STATIC_ROOT": str(Path(tmp) / "static"),
            "TASK_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "600",
        }
        if "sqlite" in DATABASES:
            _run_child("SQLite", {**base_env, "DATABASE_URL": f"sqlite:///{tmp}/calls.sqlite3"})
        if "postgresql" not in DATABASES:
            return
        problem = _pg_create()
        if problem:
            print(f"\nPostgreSQL: SKIPPED, unreachable at {PG_URL} ({problem}).")
            return
        base, _, _ = PG_URL.rpartition("/")
        try:
            _run_child("PostgreSQL", {**base_env, "DATABASE_URL": f"{base}/{PG_DB}"})
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, connect_timeout=3, autocommit=True) as conn:
        conn.execute(sql)


def _pg_create() -> str | None:
    try:
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{PG_DB}"')
    except Exception as exc:  # noqa: BLE001 — any failure means: skip with the reason
        return f"{type(exc).__name__}: {exc}"
    return None


if __name__ == "__main__":
    main()
