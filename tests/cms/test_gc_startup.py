"""A web worker freezes its startup objects (cms/gc_startup.py, issue 20): the collector's full
collections walk only what requests created, and what requests create is still collected."""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import gc
import cms.wsgi
import learning.quizzes.api_views  # loaded with the URLconf, before the freeze
frozen = gc.get_freeze_count()
class Cycle:
    pass
def garbage():
    a, b = Cycle(), Cycle()
    a.other, b.other = b, a
gc.disable()  # only the collection below counts them
for _ in range(1000):
    garbage()
print(frozen, gc.collect())
"""


def test_the_wsgi_worker_freezes_what_it_loaded_at_startup(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "x7#Qe!9vLm2@rT5pZ8wK1yB4nH6jF3dS0aG-cV_uXoEiRlPqMsNtYhWbJkCzDf",
            "ALLOWED_HOSTS": "dangke.example.edu.cn",
            "DANGKE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, collected = (int(n) for n in result.stdout.split())
    # Django, Wagtail, DRF and every view: hundreds of thousands of objects, none walked again.
    assert frozen > 100_000
    # The 1,000 two-object cycles made afterwards are still garbage collected.
    assert collected >= 2000
