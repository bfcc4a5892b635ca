"""Check-in burst benchmark: a hall of 300 members scanning the QR code within a minute.

A real gunicorn (BENCH_CHECKIN_WORKERS sync workers, default 2 × the machine's cores, as
docs/deploy.md runs it) serves the site with bench/settings_progress.py, which adds /bench/noop/ —
the same DRF stack (token auth, JSON parsing, JSON response) doing no work. 300 members, each with their own token, POST
/api/v1/meetings/{id}/check-in/ {code} (the code the QR page shows, signed with the server's key)
from BENCH_CHECKIN_THREADS (default 8) client threads; the same 300 requests go to the no-op. The
meeting is a 主题党日, so every check-in also credits the member's 学时 ledger (the full path;
once a worker has seen the meeting: the token, then one statement on PostgreSQL, a transaction of
three INSERTs on SQLite; pinned in tests/party/meetings/test_checkin.py). Bursts alternate (no-op, check-ins, no-op,
…), BENCH_CHECKIN_ROUNDS (default 9: the rounds of one run spread ±8 points on a shared machine)
meetings of 300 check-ins each, every burst compared with the no-op bursts on either side; the
ratio reported is the median of the rounds (target ≥ 50%). Run
on SQLite and, when reachable, PostgreSQL (BENCH_CHECKIN_PG, default
postgres://postgres@127.0.0.1:5432/; a throwaway database dangke_bench_checkin is created and
dropped). Every check-in must answer 201 and count once; the run says how many did not.

`python -m bench.checkin instructions`: the same two requests' instructions counted by callgrind
in one process (repeatable where the rates move with the machine's load); `python -m bench.checkin
cpu`: CPU milliseconds per request in one process (SQLite).
"""

import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.progress import PYTHON, ROOT, _free_port, _post

MEMBERS = int(os.environ.get("BENCH_CHECKIN_MEMBERS", "300"))
ROUNDS = int(os.environ.get("BENCH_CHECKIN_ROUNDS", "9"))
THREADS = int(os.environ.get("BENCH_CHECKIN_THREADS", "8"))
# gunicorn sync workers serving both endpoints: by default as deployed (docs/deploy.md: 2 × cores, 4 on
# 2 cores; runs before session 14 used 2, which BENCH_CHECKIN_WORKERS=2 repeats).
WORKERS = int(os.environ.get("BENCH_CHECKIN_WORKERS", str(2 * len(os.sched_getaffinity(0)))))
PG_SERVER = os.environ.get("BENCH_CHECKIN_PG", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "dangke_bench_checkin"
TARGET = 0.5


def _prepare() -> None:
    """Run in a subprocess: migrate, a branch of MEMBERS Party members with tokens, ROUNDS open
    主题党日 meetings; print the meeting ids and tokens."""
    import django

    django.setup()
    from datetime import date, timedelta

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from party.meetings.services import meeting_plan
    from party.members.models import DecidingBody, Member, Stage, StageChange
    from party.organisation.models import UnitKind
    from party.organisation.services import unit_create

    call_command("migrate", verbosity=0)
    uni = unit_create(kind=UnitKind.UNIVERSITY, name="基准大学党委")
    college = unit_create(kind=UnitKind.COLLEGE, name="基准学院党委", parent=uni)
    branch = unit_create(kind=UnitKind.BRANCH, name="基准党支部", parent=college)
    admin = User.objects.create_superuser(username="bench-admin", password="bench-password-1")
    tokens = []
    count = int(sys.argv[2])
    for n in range(count):
        user = User.objects.create_user(username=f"m{n}", password="bench-password-1")
        member = Member.objects.create(
            name=f"党员{n}", student_no=f"B{n:05d}", gender="male", unit=branch, user=user
        )
        StageChange.objects.create(
            member=member,
            stage=Stage.FULL_MEMBER,
            decided_on=date(2020, 1, 1),
            decided_by=DecidingBody.RECORDS,
        )
        tokens.append(Token.objects.create(user=user).key)
    now = timezone.now()
    meetings = [
        meeting_plan(
            by_user=admin,
            unit=branch,
            kind="theme_day",
            topic=f"基准主题党日 {i}",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=3),
            place="礼堂",
        ).pk
        for i in range(int(sys.argv[3]))
    ]
    # Table statistics as a running site has them (PostgreSQL's autovacuum analyzes a table after
    # its first few hundred rows, within a minute; SQLite's planner reads sqlite_stat1): without
    # them the first bursts ran on plans made for empty tables and the ratio climbed from round to
    # round as autovacuum caught up (34 → 48 % in one run, 2026-12-06 23:32 UTC).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"meetings": meetings, "tokens": tokens}))


def _code(meeting_id: int) -> str:
    """The code the QR page shows (party.meetings.checkin), signed with the bench server's key."""
    from django.core import signing

    from bench.settings_progress import SECRET_KEY

    signer = signing.TimestampSigner(
        key=SECRET_KEY, salt="party.meetings.checkin", fallback_keys=[], algorithm="sha256"
    )
    return signer.sign(str(meeting_id))


def _burst(port: int, path: str, tokens: list[str], body: dict, expect: int) -> tuple[float, int]:
    """Every token posts once, THREADS at a time; returns (requests/s, answers other than expect)."""
    work: queue.Queue = queue.Queue()
    for token in tokens:
        work.put(token)
    wrong = [0] * THREADS

    def worker(i: int) -> None:
        while True:
            try:
                token = work.get_nowait()
            except queue.Empty:
                return
            wrong[i] += _post(port, path, token, body) != expect

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(tokens) / (time.perf_counter() - started), sum(wrong)


def _counted(env: dict, meetings: list[int]) -> int:
    script = (
        "import django; django.setup();"
        "from party.meetings.models import Attendance;"
        "from learning.progress.models import HoursLedgerEntry;"
        f"m={meetings!r};"
        "print(Attendance.objects.filter(meeting__in=m, status='present').count(),"
        " HoursLedgerEntry.objects.filter(source='org_life').count())"
    )
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    present, credited = out.stdout.split()
    return int(present), int(credited)


def _run(label: str, env: dict) -> dict:
    prepared = subprocess.run(
        [PYTHON, "-m", "bench.checkin", "prepare", str(MEMBERS), str(ROUNDS + 1)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "cms.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    tokens, meetings = data["tokens"], data["meetings"]
    warm, measured = meetings[0], meetings[1:]
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        # Warm both workers up: a few no-ops and check-ins at a meeting that is not measured.
        _burst(port, "/bench/noop/", tokens[:40], {"code": "x"}, 200)
        _burst(port, f"/api/v1/meetings/{warm}/check-in/", tokens[:40], {"code": _code(warm)}, 201)
        noops, bursts, wrong = [], [], 0
        rate, bad = _burst(port, "/bench/noop/", tokens, {"code": "x"}, 200)
        noops.append(rate)
        wrong += bad
        for meeting in measured:
            path = f"/api/v1/meetings/{meeting}/check-in/"
            rate, bad = _burst(port, path, tokens, {"code": _code(meeting)}, 201)
            bursts.append(rate)
            wrong += bad
            rate, bad = _burst(port, "/bench/noop/", tokens, {"code": "x"}, 200)
            noops.append(rate)
            wrong += bad
    finally:
        server.terminate()
        server.wait(timeout=30)
    present, credited = _counted(env, measured)
    ratios = sorted(b / ((x + y) / 2) for b, x, y in zip(bursts, noops, noops[1:], strict=False))
    result = {
        "label": label,
        "noop": statistics.median(noops),
        "checkin": statistics.median(bursts),
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "wrong": wrong,
        "present": present,
        "credited": credited,
    }
    print(
        f"{label:<11} no-op {result['noop']:7.1f} req/s · check-in {result['checkin']:7.1f} req/s "
        f"(medians of bursts of {len(tokens)}) · ratio {result['ratio']:.0%} (median of "
        f"{len(ratios)} rounds: {', '.join(f'{r:.0%}' for r in ratios)}; target ≥ {TARGET:.0%}) · "
        f"unexpected answers {wrong} · counted {present}/{len(tokens) * len(measured)} present, "
        f"{credited} ledger entries",
        flush=True,
    )
    return result


def _cpu() -> None:
    """`python -m bench.checkin cpu`: CPU time per request in one process (time.process_time()
    around MEMBERS requests through the Django test client and the whole middleware stack, bench
    settings, a throwaway SQLite database): the no-op, then check-ins at a new meeting, ROUNDS
    times. Less sensitive to the machine's load than the server bench's wall-clock rates."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_progress")
    os.environ.setdefault("TASK_BACKEND", "immediate")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DANGKE_VAR_DIR"] = tempfile.mkdtemp(prefix="dangke-bench-checkin-cpu-")
    import contextlib
    import io

    import django

    django.setup()
    from django.test import Client

    from party.meetings.checkin import checkin_code

    out = io.StringIO()
    sys.argv[2:] = [str(MEMBERS), str(ROUNDS + 1)]
    with contextlib.redirect_stdout(out):
        _prepare()
    data = json.loads(out.getvalue().strip().splitlines()[-1])
    client = Client(HTTP_HOST="127.0.0.1")

    def run(path: str, body: dict, expect: int) -> float:
        started = time.process_time()
        for token in data["tokens"]:
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
            )
            if response.status_code != expect:
                raise RuntimeError(f"{path}: {response.status_code} {response.content[:200]!r}")
        return (time.process_time() - started) / len(data["tokens"]) * 1000

    warm, *measured = data["meetings"]
    run("/bench/noop/", {"code": "x"}, 200)
    run(f"/api/v1/meetings/{warm}/check-in/", {"code": checkin_code(meeting_id=warm)}, 201)
    ratios = []
    for meeting in measured:
        noop = run("/bench/noop/", {"code": "x"}, 200)
        path = f"/api/v1/meetings/{meeting}/check-in/"
        checkin = run(path, {"code": checkin_code(meeting_id=meeting)}, 201)
        ratios.append(noop / checkin)
        print(
            f"no-op {noop:.2f} ms · check-in {checkin:.2f} ms CPU per request · {noop / checkin:.0%}"
        )
    print(f"median {statistics.median(ratios):.0%} (target ≥ {TARGET:.0%})")


# --- instructions per request (callgrind): repeatable on a loaded machine ------------------------
INSTR_CALLS = int(os.environ.get("BENCH_CHECKIN_INSTR_CALLS", "30"))
INSTR_WARM = 20


def _instructions_child() -> None:
    """Under callgrind: as the server's worker does, the site's WSGI handler in process; INSTR_WARM
    members warm both endpoints up at one meeting, then INSTR_CALLS no-ops and INSTR_CALLS
    check-ins at another meeting (already seen, as in a hall: the remembered path) are counted."""
    import ctypes

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from bench.exam_calls import wsgi_environ
    from party.meetings.checkin import checkin_code

    helper = ctypes.CDLL(os.environ["BENCH_INSTR_HELPER"])
    helper.cg_end.argtypes = [ctypes.c_char_p]
    if not helper.cg_running():
        raise SystemExit("not running under valgrind")
    data = json.loads(Path(os.environ["BENCH_INSTR_PREPARED"]).read_text())
    tokens, (warm, counted) = data["tokens"], data["meetings"]
    handler = WSGIHandler()

    def call(path: str, token: str, body: dict, wanted: int) -> None:
        status = []
        response = handler(
            wsgi_environ("POST", path, token=token, body=body),
            lambda s, headers, *exc: status.append(s),
        )
        content = b"".join(response)
        response.close()
        if not status[0].startswith(str(wanted)):
            raise SystemExit(f"{path}: {status[0]} (wanted {wanted}) {content[:300]!r}")

    for token in tokens[:INSTR_WARM]:
        call("/bench/noop/", token, {"code": "x"}, 200)
        call(
            f"/api/v1/meetings/{warm}/check-in/",
            token,
            {"code": checkin_code(meeting_id=warm)},
            201,
        )
    path, code = f"/api/v1/meetings/{counted}/check-in/", checkin_code(meeting_id=counted)
    call(path, tokens[0], {"code": code}, 201)  # this process has now seen the meeting
    measured = tokens[INSTR_WARM : INSTR_WARM + INSTR_CALLS]
    helper.cg_begin()
    for token in measured:
        call("/bench/noop/", token, {"code": "x"}, 200)
    helper.cg_end(b"no-op")
    helper.cg_begin()
    for token in measured:
        call(path, token, {"code": code}, 201)
    helper.cg_end(b"check-in")


def _instructions(label: str, env: dict, tmp: Path, helper: Path) -> None:
    from bench import exam_instructions

    prepared = subprocess.run(
        [PYTHON, "-m", "bench.checkin", "prepare", str(INSTR_WARM + INSTR_CALLS), "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data_file = tmp / f"{label}.json"
    data_file.write_text(prepared.stdout.strip().splitlines()[-1])
    out = tmp / f"{label}-callgrind"
    out.mkdir()
    measured = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}/cg.out",
            PYTHON,
            "-m",
            "bench.checkin",
            "instructions-child",
        ],
        cwd=ROOT,
        env={**env, "BENCH_INSTR_HELPER": str(helper), "BENCH_INSTR_PREPARED": str(data_file)},
        capture_output=True,
        text=True,
    )
    if measured.returncode != 0:
        print(f"{label}: measurement failed\n{measured.stderr[-3000:]}")
        return
    counts = exam_instructions._counts(out)
    noop, checkin = counts["no-op"] / INSTR_CALLS, counts["check-in"] / INSTR_CALLS
    where = (
        "the whole request, the database engine in process"
        if label == "SQLite"
        else ("the worker's side only: Django, DRF, psycopg; not the server's")
    )
    print(
        f"{label:<11} no-op {noop / 1e6:.2f} M · check-in {checkin / 1e6:.2f} M instructions per "
        f"request · no-op / check-in {noop / checkin:.0%} ({where})",
        flush=True,
    )


def _instructions_main() -> None:
    """`python -m bench.checkin instructions`: instructions per request counted by callgrind
    (PYTHONHASHSEED fixed: two runs of the same tree agree within a fraction of a percent), on
    SQLite and on PostgreSQL, the no-op beside the check-in — the repeatable companion of the
    server bench's rates, which move with the load of a shared machine."""
    import shutil

    from bench import exam_instructions

    if not shutil.which("valgrind") or not shutil.which("gcc"):
        print("SKIPPED: needs valgrind and gcc (with valgrind/callgrind.h)")
        return
    print(
        f"{INSTR_CALLS} no-ops and {INSTR_CALLS} check-ins in one process after {INSTR_WARM} "
        "warm-up members; instructions counted by callgrind"
    )
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_progress",
        "TASK_BACKEND": "immediate",
        "PYTHONPATH": str(ROOT),
        "PYTHONHASHSEED": "0",
    }
    base_env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="dangke-bench-checkin-instr-") as name:
        tmp = Path(name)
        helper = exam_instructions._helper(tmp)
        (tmp / "static").mkdir()
        _instructions("SQLite", {**base_env, "DANGKE_VAR_DIR": name}, tmp, helper)
        if _pg_reachable():
            env = {**base_env, "DANGKE_VAR_DIR": name, "DATABASE_URL": PG_SERVER + PG_DB}
            try:
                _instructions("PostgreSQL", env, tmp, helper)
            finally:
                _pg_drop()


def _pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_SERVER + "postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        return True
    except Exception as exc:  # noqa: BLE001 — any failure means "not reachable" here
        print(f"PostgreSQL not reachable at {PG_SERVER} ({exc.__class__.__name__}); skipped")
        return False


def _pg_drop() -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main() -> None:
    print(
        f"gunicorn {WORKERS} sync workers, {THREADS} client threads, {MEMBERS} members "
        f"(one token each), {ROUNDS} bursts of {MEMBERS} check-ins between bursts of {MEMBERS} no-ops"
    )
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_progress",
        "TASK_BACKEND": "immediate",
        "PYTHONPATH": str(ROOT),
    }
    base_env.pop("DATABASE_URL", None)
    results = []
    with tempfile.TemporaryDirectory(prefix="dangke-bench-checkin-") as tmp:
        results.append(_run("SQLite", {**base_env, "DANGKE_VAR_DIR": tmp}))
    if _pg_reachable():
        with tempfile.TemporaryDirectory(prefix="dangke-bench-checkin-") as tmp:
            env = {**base_env, "DANGKE_VAR_DIR": tmp, "DATABASE_URL": PG_SERVER + PG_DB}
            try:
                results.append(_run("PostgreSQL", env))
            finally:
                _pg_drop()
    for r in results:
        verdict = "meets" if r["ratio"] >= TARGET else "BELOW"
        print(f"{r['label']}: check-ins at {r['ratio']:.0%} of the no-op — {verdict} the target")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        _prepare()
    elif len(sys.argv) > 1 and sys.argv[1] == "cpu":
        _cpu()
    elif len(sys.argv) > 1 and sys.argv[1] == "instructions":
        _instructions_main()
    elif len(sys.argv) > 1 and sys.argv[1] == "instructions-child":
        _instructions_child()
    else:
        main()
