"""Uploads left behind by spreadsheet imports are removed by the periodic job
`import_leftovers_clean` (tabular.services.uploads_clean): staged uploads never imported after
IMPORT_STAGED_KEEP_HOURS, whoever uploaded them, and finished imports' records with the initial
passwords nobody collected after IMPORT_RESULT_KEEP_DAYS. What the roster import leaves in the
importer's session: tests/learning/classes/test_import_leftovers.py."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.periodic.models import PeriodicJob
from cms.periodic.scheduler import run_due
from tabular.models import TableUpload, UploadKind, UploadStatus
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def aged_upload(owner, status, *, age: timedelta, finished_age: timedelta | None = None, **fields):
    upload = TableUpload.objects.create(
        owner=owner, kind=UploadKind.ROSTER, filename="名单.xlsx", status=status, **fields
    )
    now = timezone.now()
    TableUpload.objects.filter(pk=upload.pk).update(
        created_at=now - age,
        finished_at=None if finished_age is None else now - finished_age,
    )
    return upload.pk


def uploads_left() -> set[int]:
    return set(TableUpload.objects.values_list("pk", flat=True))


def _run_job() -> str:
    """Run the periodic job the way the task worker does, and return what it recorded."""
    outcome = run_due()
    assert outcome["import_leftovers_clean"] == PeriodicJob.Outcome.OK
    return PeriodicJob.objects.get(name="import_leftovers_clean").last_result


def test_the_periodic_job_removes_stale_staged_uploads_and_old_results():
    owner, other = make_user("importer"), make_user("another-importer")
    passwords = {"initial_passwords": [["2023001", "张三", "Xk7-secret"]], "created": 1}
    raw = b"PK\x03\x04 a roster with names"
    stale = aged_upload(owner, UploadStatus.STAGED, age=timedelta(hours=25), data=raw)
    stale_other = aged_upload(other, UploadStatus.STAGED, age=timedelta(days=3), data=raw)
    fresh = aged_upload(owner, UploadStatus.STAGED, age=timedelta(hours=23), data=raw)
    # Waiting for or inside its import: never touched, however old.
    queued = aged_upload(owner, UploadStatus.QUEUED, age=timedelta(days=9), data=raw)
    running = aged_upload(other, UploadStatus.RUNNING, age=timedelta(days=9), data=raw)
    # Finished: the result (and a roster's uncollected passwords) is kept 7 days from the finish.
    old_done = aged_upload(
        owner,
        UploadStatus.DONE,
        age=timedelta(days=9),
        finished_age=timedelta(days=8),
        result=passwords,
    )
    old_failed = aged_upload(
        other,
        UploadStatus.FAILED,
        age=timedelta(days=9),
        finished_age=timedelta(days=7, hours=1),
        result={"errors": ["第 3 行：学号为空"]},
    )
    recent_done = aged_upload(
        owner,
        UploadStatus.DONE,
        age=timedelta(days=7),
        finished_age=timedelta(days=6),
        result=passwords,
    )

    assert _run_job() == ("removed 2 staged upload(s) never imported, 2 finished import record(s)")
    assert uploads_left() == {fresh, queued, running, recent_done}
    assert {stale, stale_other, old_done, old_failed}.isdisjoint(uploads_left())
    # The recent import's passwords still wait for the importer.
    assert TableUpload.objects.get(pk=recent_done).result == passwords


def test_the_keep_times_are_settings_and_the_command_does_the_same(settings):
    owner = make_user("importer")
    settings.IMPORT_STAGED_KEEP_HOURS = 2
    settings.IMPORT_RESULT_KEEP_DAYS = 1
    staged = aged_upload(owner, UploadStatus.STAGED, age=timedelta(hours=3), data=b"x")
    done = aged_upload(
        owner, UploadStatus.DONE, age=timedelta(days=2), finished_age=timedelta(hours=25)
    )
    kept = aged_upload(owner, UploadStatus.STAGED, age=timedelta(hours=1), data=b"x")
    out = StringIO()
    call_command("import_leftovers_clean", stdout=out)
    assert out.getvalue().strip() == (
        "removed 1 staged upload(s) never imported, 1 finished import record(s)"
    )
    assert uploads_left() == {kept}
    assert {staged, done}.isdisjoint(uploads_left())
