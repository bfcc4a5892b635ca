"""What the in-process benches that build their data in a child process share (bench/stats.py,
bench/meetings_visible.py, bench/reports.py): the child's environment and its JSON result, a
throwaway PostgreSQL database, the machine's load average beside the figures."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def child_env() -> tuple[dict, str]:
    """The environment of a bench child (development settings without debug, tasks run at once,
    database search, quiet logs) and the DATABASE_URL it was given, taken out of it: ("", …) is
    the embedded SQLite default."""
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
    return env, env.pop("DATABASE_URL", "")


def child_result(module: str, env: dict):
    """Run `python -m <module> child` and return the JSON its last line of output holds; the tail
    of its error output when it fails."""
    done = subprocess.run(
        [PYTHON, "-m", module, "child"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg_admin(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(server + "postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@contextmanager
def throwaway_database(database_url: str, name: str) -> Iterator[str]:
    """A new, empty database `name` on the PostgreSQL server of `database_url`, dropped after:
    yields its URL."""
    server = database_url.rsplit("/", 1)[0] + "/"
    _pg_admin(server, f"DROP DATABASE IF EXISTS {name}")
    _pg_admin(server, f"CREATE DATABASE {name}")
    try:
        yield server + name
    finally:
        _pg_admin(server, f"DROP DATABASE IF EXISTS {name}")
