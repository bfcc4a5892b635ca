"""bin/restore-drill backs up and restores a real installation (SQLite, PostgreSQL) and reports PASS/FAIL."""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DRILL = ROOT / "bin" / "restore-drill"
PG_SERVER = os.environ.get("TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")

# Builds a small installation in one process (one Django start-up): schema, demo content (or, with
# "bare", one user only), and one uploaded original under MEDIA_ROOT.
BUILD = """
import sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
if sys.argv[1:] == ["bare"]:
    User.objects.create_user("drill-trainee", password="drill-password-1")
else:
    call_command("load_demo", no_video=True, verbosity=0)
default_storage.save("originals/讲稿.txt", ContentFile("党课讲稿".encode()))
"""


def _env(var_dir: Path, database_url: str | None = None) -> dict:
    """The site's environment for an installation under var_dir (the test run's own settings removed)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "MEDIA_ROOT", "STATIC_ROOT", "TASK_BACKEND"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DANGKE_VAR_DIR=str(var_dir),
        PYTHON=sys.executable,
        LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _build(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-c", BUILD, *args], cwd=ROOT, env=env, check=True, timeout=600)


def _drill(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DRILL)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory) -> Path:
    if shutil.which("sqlite3") is None:
        pytest.skip("the drill needs the sqlite3 command (apt install sqlite3)")
    var_dir = tmp_path_factory.mktemp("site")
    _build(_env(var_dir))
    return var_dir


def test_drill_passes_on_a_sqlite_installation(sqlite_site):
    before = (sqlite_site / "db.sqlite3").read_bytes()
    result = _drill(_env(sqlite_site))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "RESTORE DRILL: PASS" in out
    assert "sqlite3 .backup" in out
    assert "manage.py migrate --check" in out
    # The demo's rows were compared, not two empty databases.
    users = next(line for line in out.splitlines() if line.strip().startswith("users "))
    assert users.split()[1] == users.split()[2] != "0"
    assert "media files identical (1 of 1, sha256)" in out
    # The original was only read, and the drill left nothing behind.
    assert (sqlite_site / "db.sqlite3").read_bytes() == before
    scratch = next(line for line in out.splitlines() if line.startswith("scratch folder: "))
    assert not Path(scratch.removeprefix("scratch folder: ")).exists()


def test_drill_fails_when_the_backup_lacks_a_migration(sqlite_site, tmp_path):
    # A backup from an older release: its schema is one migration behind the code.
    source = sqlite3.connect(sqlite_site / "db.sqlite3")
    target = sqlite3.connect(tmp_path / "db.sqlite3")
    source.backup(target)
    source.close()
    # (The project's own apps have no squashed migrations, so this one is then unapplied.)
    target.execute(
        "DELETE FROM django_migrations WHERE id = "
        "(SELECT max(id) FROM django_migrations WHERE app = 'quizzes')"
    )
    target.commit()
    target.close()
    result = _drill(_env(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "manage.py migrate --check" in result.stdout
    assert "FAIL" in result.stdout.split("manage.py migrate --check", 1)[1].splitlines()[0]
    assert "RESTORE DRILL: FAIL" in result.stdout


@pytest.mark.postgres
def test_drill_passes_on_a_postgresql_installation(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    if not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("the drill needs pg_dump, pg_restore and psql (postgresql-client)")
    name = f"dangke_drill_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        env = _env(tmp_path, f"{PG_SERVER}/{name}")
        # The schema and one user: the demo content's counts are covered on SQLite above.
        _build(env, "bare")
        result = _drill(env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "pg_dump -Fc" in result.stdout
        assert "RESTORE DRILL: PASS" in result.stdout
        users = next(x for x in result.stdout.splitlines() if x.strip().startswith("users "))
        assert users.split()[1:4] == ["1", "1", "ok"]
        # The drill's scratch database is gone again.
        left = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_drill_%"]
        ).fetchall()
        assert left == []
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
