"""Progress heartbeat benchmark: POST /api/v1/lessons/{id}/progress/ beside a no-op JSON endpoint.

A real gunicorn (2 sync workers) serves the site with bench/settings_progress.py, which adds
/bench/noop/ — the same DRF stack (token auth, JSON parsing, JSON response) doing no work. Client
threads, each a different trainee with its own token, post heartbeats (or the same body to the
no-op) as fast as the server answers. The run prints requests/s for both and their ratio (target:
heartbeats ≥ 50% of the no-op), on SQLite and, when reachable, PostgreSQL.

Heartbeat and no-op phases alternate, BENCH_PROGRESS_ROUNDS (default 5) heartbeat phases sharing
BENCH_PROGRESS_SECONDS (default 15) of heartbeats, each compared with the no-op phases on either
side of it; the ratio reported is the median of the rounds, since one 2-core machine's noise moves
a single phase by ±15%. BENCH_PROGRESS_THREADS (default 8) sets the number of concurrent clients; BENCH_PROGRESS_PG (default postgres://postgres@127.0.0.1:5432/)
the PostgreSQL server (a throwaway database dangke_bench_progress is created and dropped).
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = float(os.environ.get("BENCH_PROGRESS_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_PROGRESS_ROUNDS", "5"))
THREADS = int(os.environ.get("BENCH_PROGRESS_THREADS", "8"))
PG_SERVER = os.environ.get("BENCH_PROGRESS_PG", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "dangke_bench_progress"
TARGET = 0.5


def _prepare() -> None:
    """Run in a subprocess: migrate, create a video lesson and trainees, print their tokens."""
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from cms.pages.models import CoursePage, HomePage, VideoLessonPage
    from media_pipeline.models import Video

    call_command("migrate", verbosity=0)
    home = HomePage.objects.first()
    course = home.add_child(instance=CoursePage(title="基准测试专题", slug="bench-course"))
    video = Video.objects.create(
        title="基准测试视频", original="bench/x.mp4", status="ready", duration_seconds=3600
    )
    lesson = course.add_child(
        instance=VideoLessonPage(
            title="基准测试视频课", slug="bench-video", video=video, class_hours=Decimal("1")
        )
    )
    tokens = []
    for n in range(int(sys.argv[2])):
        user = User.objects.create_user(username=f"bench{n}", password="bench-password-1")
        tokens.append(Token.objects.create(user=user).key)
    print(json.dumps({"lesson": lesson.pk, "tokens": tokens}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, path: str, token: str, body: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _load(port: int, path_for, tokens: list[str], seconds: float) -> tuple[float, int]:
    """Requests/s over `seconds` with one thread per token; returns (rate, errors)."""
    counts = [0] * len(tokens)
    errors = [0] * len(tokens)
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        # Like a real player, the position advances with the wall clock, so every heartbeat is
        # credited and merged into the watched interval (the full crediting path, not a no-credit
        # shortcut). Each phase starts a new playback session from the beginning.
        session = f"b{time.monotonic_ns()}"
        _post(
            port, path_for, tokens[i], {"event": "play", "position": 0, "playback_session": session}
        )
        played_from = time.perf_counter()
        while time.perf_counter() < stop:
            position = (time.perf_counter() - played_from) % 3500
            status = _post(
                port,
                path_for,
                tokens[i],
                {"event": "heartbeat", "position": position, "playback_session": session},
            )
            counts[i] += 1
            errors[i] += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started), sum(errors)


def _run(label: str, env: dict) -> dict | None:
    prepared = subprocess.run(
        [PYTHON, "-m", "bench.progress", "prepare", str(THREADS)],
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
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        heartbeat_path = f"/api/v1/lessons/{data['lesson']}/progress/"
        tokens = data["tokens"]
        _load(port, "/bench/noop/", tokens, 1.5)  # warm both workers up
        _load(port, heartbeat_path, tokens, 1.5)
        # Phases alternate (no-op, heartbeat, no-op, …) so that both see the same machine; each
        # heartbeat phase is compared with the mean of the no-op phases on either side of it.
        phase = SECONDS / ROUNDS
        noops, beats, errors = [], [], 0
        rate, err = _load(port, "/bench/noop/", tokens, phase / 2)
        noops.append(rate)
        errors += err
        for _round in range(ROUNDS):
            rate, err = _load(port, heartbeat_path, tokens, phase)
            beats.append(rate)
            errors += err
            rate, err = _load(port, "/bench/noop/", tokens, phase / 2)
            noops.append(rate)
            errors += err
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratios = sorted(
        beat / ((a + b) / 2) for beat, a, b in zip(beats, noops, noops[1:], strict=False)
    )
    noop = statistics.median(noops)
    beat = statistics.median(beats)
    result = {
        "label": label,
        "noop": noop,
        "heartbeat": beat,
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "errors": errors,
    }
    print(
        f"{label:<11} no-op {noop:7.1f} req/s · heartbeat {beat:7.1f} req/s (medians) · "
        f"ratio {result['ratio']:.0%} (median of {ROUNDS} rounds: "
        f"{', '.join(f'{r:.0%}' for r in ratios)}; target ≥ {TARGET:.0%}) · "
        f"non-200 {result['errors']}",
        flush=True,
    )
    return result


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
        f"gunicorn 2 sync workers, {THREADS} client threads (one trainee each), "
        f"{ROUNDS} rounds of {SECONDS / ROUNDS:g} s heartbeats between "
        f"{SECONDS / ROUNDS / 2:g} s no-op phases"
    )
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_progress",
        "TASK_BACKEND": "immediate",
        "PYTHONPATH": str(ROOT),
    }
    base_env.pop("DATABASE_URL", None)
    results = []
    with tempfile.TemporaryDirectory(prefix="dangke-bench-progress-") as tmp:
        results.append(_run("SQLite", {**base_env, "DANGKE_VAR_DIR": tmp}))
    if _pg_reachable():
        with tempfile.TemporaryDirectory(prefix="dangke-bench-progress-") as tmp:
            env = {**base_env, "DANGKE_VAR_DIR": tmp, "DATABASE_URL": PG_SERVER + PG_DB}
            try:
                results.append(_run("PostgreSQL", env))
            finally:
                _pg_drop()
    for r in results:
        verdict = "meets" if r["ratio"] >= TARGET else "BELOW"
        print(f"{r['label']}: heartbeats at {r['ratio']:.0%} of the no-op — {verdict} the target")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        _prepare()
    else:
        main()
