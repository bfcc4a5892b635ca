"""WSGI entry point (gunicorn cms.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()

# After setup: the worker's startup objects out of the garbage collector's walks (cms/gc_startup.py).
from cms.gc_startup import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
