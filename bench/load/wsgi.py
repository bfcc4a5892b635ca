"""gunicorn 'bench.load.wsgi:application': the site as cms.wsgi serves it (the settings run.sh
exports: production), plus the no-op endpoint of bench/exams.py at /bench-noop/, and every response
carries the server's own time for it: `Server-Timing: app;dur=<wall ms>, cpu;dur=<CPU ms>`.

The time runs from the moment the worker hands the request to Django until Django starts the
response (the JSON is built by then); CPU is the worker thread's CPU time in that span. The load
generator (bench/load/locustfile.py) collects both per request type, so the report can tell the
server's own work from the queueing of a loaded machine.
"""

import os
import time

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
django.setup()
settings.ROOT_URLCONF = "bench.exams"  # cms.urls plus /bench-noop/

from django.core.wsgi import get_wsgi_application  # noqa: E402 — after the URLconf is chosen

_site = get_wsgi_application()

from cms.gc_startup import freeze_startup_objects  # noqa: E402 — as cms.wsgi does

freeze_startup_objects()


def application(environ, start_response):
    wall0, cpu0 = time.perf_counter(), time.thread_time()

    def timed_start_response(status, headers, exc_info=None):
        wall = (time.perf_counter() - wall0) * 1000
        cpu = (time.thread_time() - cpu0) * 1000
        headers = [*headers, ("Server-Timing", f"app;dur={wall:.2f}, cpu;dur={cpu:.2f}")]
        return start_response(status, headers, exc_info)

    return _site(environ, timed_start_response)
