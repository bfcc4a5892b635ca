"""Deployment checks: production settings pass `check --deploy`; the OpenAPI schema validates."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command


def test_production_settings_pass_check_deploy():
    # The browser tests allow sync ORM calls next to Playwright's event loop; a deployment never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "x7#Qe!9vLm2@rT5pZ8wK1yB4nH6jF3dS0aG-cV_uXoEiRlPqMsNtYhWbJkCzDf",
        "ALLOWED_HOSTS": "dangke.example.edu.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "cms.settings.production", "ALLOWED_HOSTS": "a.example"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_openapi_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    text = (tmp_path / "schema.yml").read_text(encoding="utf-8")
    assert "/api/v1/lessons/" in text
    assert "/admin/" not in text
