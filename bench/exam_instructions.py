"""Instructions per exam call, counted by valgrind (callgrind): repeatable on a loaded machine.

`python -m bench exam_instructions` (`make bench B=exam_instructions`). CPU milliseconds move with
the load of a shared machine (other processes evict the caches, the clock slows); the number of
instructions a call executes does not. As bench/exam_calls.py, a child process prepares a
throwaway database (same exam: 40 questions drawn by three rules from a bank of BENCH_CALLS_BANK,
default 200; SQLite, then PostgreSQL `dangke_bench_exam_calls`, BENCH_CALLS_PG_DB; the
BENCH_CALLS_DATABASES list), then a second child runs under `valgrind --tool=callgrind` with the
counting switched off, calls the site's WSGI handler in process for BENCH_INSTR_WARM trainees
(default 10: start, resume, save, submit, so every compiled statement and cache is warm), and
then counts the instructions of BENCH_INSTR_CALLS calls of each kind (default 20: the no-op,
a new start, a resume, a save, a submit), switching the counting on and off around each kind
through callgrind's client requests (a 10-line C helper compiled with gcc against
valgrind/callgrind.h). Printed: instructions per call (mean) beside the no-op's.

On SQLite the database engine runs in the process, so its work is counted; on PostgreSQL only the
client's (Django, DRF, psycopg), not the server's. PYTHONHASHSEED is fixed, so two runs of the same
tree agree to within a fraction of a percent. BENCH_INSTR_OUT=DIR keeps the callgrind files there
(`callgrind_annotate DIR/<file>` shows where the instructions go).
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench import exam_calls

WARM = int(os.environ.get("BENCH_INSTR_WARM", "10"))
CALLS = int(os.environ.get("BENCH_INSTR_CALLS", "20"))
KINDS = ("no-op", "start (new attempt)", "start again (resume)", "save answer", "submit (grade 40)")

_HELPER_C = r"""
#include <valgrind/callgrind.h>
int cg_running(void) { return RUNNING_ON_VALGRIND; }
void cg_begin(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void cg_end(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""


def _helper(directory: Path) -> Path:
    source, library = directory / "cg.c", directory / "libcg.so"
    source.write_text(_HELPER_C)
    subprocess.run(
        ["gcc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)],
        check=True,
        capture_output=True,
    )
    return library


# --- the children --------------------------------------------------------------------------------


def _prepare_child() -> None:
    """Native: migrate and fill the database, print the quiz and the tokens as JSON."""
    import django

    django.setup()
    quiz_id, tokens, _usernames = exam_calls._prepare()
    print(json.dumps({"quiz": quiz_id, "tokens": tokens}))


def _measure_child() -> None:
    """Under callgrind: warm up, then count each kind of call."""
    import ctypes

    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    settings.ROOT_URLCONF = "bench.exams"  # the site plus the no-op endpoint
    helper = ctypes.CDLL(os.environ["BENCH_INSTR_HELPER"])
    helper.cg_end.argtypes = [ctypes.c_char_p]
    if not helper.cg_running():
        raise SystemExit("not running under valgrind")
    prepared = json.loads(Path(os.environ["BENCH_INSTR_PREPARED"]).read_text())
    quiz_id, tokens = prepared["quiz"], prepared["tokens"]
    handler = WSGIHandler()
    # As cms.wsgi does for a web worker (cms/gc_startup.py), when the tree has it.
    try:
        from cms.gc_startup import freeze_startup_objects
    except ImportError:
        pass
    else:
        freeze_startup_objects()

    def call(method: str, path: str, token: str, body=None) -> tuple[int, bytes]:
        environ = exam_calls.wsgi_environ(method, path, token=token, body=body)
        status = []
        response = handler(environ, lambda s, headers, *exc: status.append(s))
        content = b"".join(response)
        response.close()
        return int(status[0].split()[0]), content

    def expect(code: int, content: bytes, wanted: int) -> bytes:
        if code != wanted:
            raise SystemExit(f"HTTP {code} (wanted {wanted}): {content[:300]!r}")
        return content

    def save_body(question: dict):
        keys = [o["key"] for o in question["options"]]
        if question["type"] == "true_false":
            return {"answer": True}
        return {"answer": keys[1] if question["type"] == "single" else keys[:2]}

    def cycle(batch: list[str], counted: bool) -> None:
        def counting(kind: str):
            if counted:
                helper.cg_begin()
            return kind

        def done(kind: str) -> None:
            if counted:
                helper.cg_end(kind.encode())

        kind = counting("no-op")
        for token in batch:
            expect(*call("GET", "/bench-noop/", token), 200)
        done(kind)
        attempts = []
        kind = counting("start (new attempt)")
        for token in batch:
            content = expect(*call("POST", f"/api/v1/quizzes/{quiz_id}/attempts/", token), 201)
            attempts.append(json.loads(content))
        done(kind)
        kind = counting("start again (resume)")
        for token in batch:
            expect(*call("POST", f"/api/v1/quizzes/{quiz_id}/attempts/", token), 200)
        done(kind)
        kind = counting("save answer")
        for token, attempt in zip(batch, attempts, strict=True):
            question = attempt["questions"][0]
            path = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/"
            expect(*call("PUT", path, token, save_body(question)), 200)
        done(kind)
        kind = counting("submit (grade 40)")
        for token, attempt in zip(batch, attempts, strict=True):
            expect(*call("POST", f"/api/v1/attempts/{attempt['id']}/submit/", token), 200)
        done(kind)

    for _ in range(20):
        call("GET", "/bench-noop/", tokens[0])
    cycle(tokens[:WARM], counted=False)
    cycle(tokens[WARM : WARM + CALLS], counted=True)


# --- the parent ----------------------------------------------------------------------------------


def _counts(directory: Path) -> dict[str, int]:
    """Instructions per kind, from the callgrind dumps (one per kind)."""
    counts = {}
    for path in directory.glob("cg.out*"):
        text = path.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if trigger and total:
            counts[trigger.group(1).strip()] = int(total.group(1))
    return counts


def _run(label: str, env: dict, tmp: Path, helper: Path) -> None:
    started = time.perf_counter()
    prepared = exam_calls.python_child(
        "import bench.exam_instructions as b; b._prepare_child()", env
    )
    if prepared.returncode != 0:
        print(f"{label}: preparation failed\n{prepared.stderr[-3000:]}")
        return
    data_file = tmp / f"{label}.json"
    data_file.write_text(prepared.stdout.strip().splitlines()[-1])
    out = tmp / f"{label}-callgrind"
    out.mkdir()
    measured = exam_calls.python_child(
        "import bench.exam_instructions as b; b._measure_child()",
        {**env, "BENCH_INSTR_HELPER": str(helper), "BENCH_INSTR_PREPARED": str(data_file)},
        under=(
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}/cg.out",
        ),
    )
    if measured.returncode != 0:
        print(f"{label}: measurement failed\n{measured.stderr[-3000:]}")
        return
    counts = _counts(out)
    keep = os.environ.get("BENCH_INSTR_OUT")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for path in out.glob("cg.out*"):
            shutil.copy(path, Path(keep) / f"{label}-{path.name}")
    print(f"\n{label} ({time.perf_counter() - started:.0f} s with preparation)")
    print(f"| {'call':<24} | {'instructions per call':>21} | {'/ no-op':>7} |")
    print(f"|{'-' * 26}|{'-' * 23}|{'-' * 9}|")
    noop = counts.get("no-op", 0) / CALLS
    for kind in KINDS:
        if kind in counts:
            per_call = counts[kind] / CALLS
            ratio = per_call / noop if noop else 0
            print(f"| {kind:<24} | {per_call:>21,.0f} | {ratio:>6.1f}× |")


def main() -> None:
    if not shutil.which("valgrind") or not shutil.which("gcc"):
        print("SKIPPED: needs valgrind and gcc (with valgrind/callgrind.h)")
        return
    with open("/proc/loadavg") as file:
        load = " ".join(file.read().split()[:3])
    print(
        f"{CALLS} calls of each kind after {WARM} warm-up trainees, 40-question exam from a bank "
        f"of {exam_calls.BANK}; instructions counted by callgrind; load average {load}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="dangke-exam-instr-") as name:
        tmp = Path(name)
        (tmp / "static").mkdir()
        helper = _helper(tmp)
        base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DANGKE_VAR_DIR": name,
            "STATIC_ROOT": str(tmp / "static"),
            "TASK_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "600",
            "PYTHONHASHSEED": "0",
            "BENCH_CALLS_TRAINEES": str(WARM + CALLS),
        }
        if "sqlite" in exam_calls.DATABASES:
            _run(
                "SQLite",
                {**base_env, "DATABASE_URL": f"sqlite:///{tmp}/calls.sqlite3"},
                tmp,
                helper,
            )
        if "postgresql" not in exam_calls.DATABASES:
            return
        problem = exam_calls._pg_create()
        if problem:
            print(f"\nPostgreSQL: SKIPPED, unreachable at {exam_calls.PG_URL} ({problem}).")
            return
        base, _, _ = exam_calls.PG_URL.rpartition("/")
        try:
            _run(
                "PostgreSQL",
                {**base_env, "DATABASE_URL": f"{base}/{exam_calls.PG_DB}"},
                tmp,
                helper,
            )
        finally:
            exam_calls._pg_admin(f'DROP DATABASE IF EXISTS "{exam_calls.PG_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
