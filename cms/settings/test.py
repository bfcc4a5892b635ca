"""Test settings: real SQLite (or PostgreSQL via DATABASE_URL), tasks run inline, files in a temp dir."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("TASK_BACKEND", "immediate")

from .base import *  # noqa: E402, F403
from .base import DATABASES  # noqa: E402

SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
DEBUG = False
_TMP = Path(tempfile.mkdtemp(prefix="dangke-test-"))
MEDIA_ROOT = _TMP / "media"
PARTY_DOCUMENTS_ROOT = _TMP / "party-documents"
VAR_DIR = _TMP / "var"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(_TMP / "test.sqlite3")}
LANGUAGE_CODE = "zh-hans"
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
if WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == "search.backend":  # noqa: F405
    WAGTAILSEARCH_BACKENDS["default"]["PATH"] = VAR_DIR / "search_index"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
