"""Bench-only settings for bench.progress: base settings plus a no-op JSON endpoint in the URLconf."""

import os

os.environ.setdefault("TASK_BACKEND", "immediate")

from cms.settings.base import *  # noqa: E402, F403
from cms.settings.base import LOGGING  # noqa: E402

SECRET_KEY = "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls_progress"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
