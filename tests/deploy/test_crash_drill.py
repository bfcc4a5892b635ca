"""bin/crash-drill kills workers during an exam load and proves no acknowledged answer was lost;
the systemd units in deploy/ supervise the site and the worker the way the drill assumes."""

import configparser
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_crash_drill_loses_no_acknowledged_answer(tmp_path):
    # The test database is migrated already: the drill uses it as its throwaway database.
    env = {
        **os.environ,
        "CRASH_DRILL_DATABASE_URL": _database_url(),
        "CRASH_DRILL_SECONDS": "15",
        "CRASH_DRILL_TRAINEES": "10",
        "TMPDIR": str(tmp_path),
    }
    result = subprocess.run(
        [str(ROOT / "bin" / "crash-drill")],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "PASS" in out
    assert "× gunicorn worker (SIGKILL)" in out
    assert "1 × whole gunicorn service (SIGKILL, restarted)" in out
    assert "acknowledged answers missing from the step log: 0" in out
    assert "questions whose saved answer is older than the last acknowledged: 0" in out
    acknowledged = int(out.split("acknowledged: ", 1)[1].split()[0])
    assert acknowledged > 0


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(ROOT / "deploy" / "systemd" / name)
    return unit


@pytest.mark.parametrize("name", ["dangke-web.service", "dangke-worker.service"])
def test_the_systemd_units_supervise_the_whole_service(name):
    service = _unit(name)["Service"]
    assert service["KillMode"] == "control-group"
    assert service["Restart"] == "always"
    assert int(service["TimeoutStopSec"]) > 0
    assert service["EnvironmentFile"] == "/etc/dangke/dangke.env"
    # The units in the repository are the ones docs/deploy.md shows.
    docs = (ROOT / "docs" / "deploy.md").read_text()
    assert (ROOT / "deploy" / "systemd" / name).read_text().strip() in docs
