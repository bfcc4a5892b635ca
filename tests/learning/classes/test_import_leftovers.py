"""What spreadsheet imports leave behind is removed by the periodic job `import_leftovers_clean`:
uploads staged for a preview and never imported (after IMPORT_STAGED_KEEP_HOURS, whoever uploaded
them), finished imports' records with the initial passwords nobody collected (after
IMPORT_RESULT_KEEP_DAYS), and password sheets waiting in the importer's session (same days)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.periodic.models import PeriodicJob
from cms.periodic.scheduler import run_due
from tabular.models import TableUpload, UploadKind, UploadStatus
from tests.factories import make_user
from tests.learning.classes.test_initial_passwords import _admin_import
from tests.learning.test_roster_import import make_roster_units

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roster_units(db):
    make_roster_units()


def _upload(owner, status, *, age: timedelta, finished_age: timedelta | None = None, **fields):
    upload = TableUpload.objects.create(
        owner=owner, kind=UploadKind.ROSTER, filename="名单.xlsx", status=status, **fields
    )
    now = timezone.now()
    TableUpload.objects.filter(pk=upload.pk).update(
        created_at=now - age,
        finished_at=None if finished_age is None else now - finished_age,
    )
    return upload.pk


def _left() -> set[int]:
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
    stale = _upload(owner, UploadStatus.STAGED, age=timedelta(hours=25), data=raw)
    stale_other = _upload(other, UploadStatus.STAGED, age=timedelta(days=3), data=raw)
    fresh = _upload(owner, UploadStatus.STAGED, age=timedelta(hours=23), data=raw)
    # Waiting for or inside its import: never touched, however old.
    queued = _upload(owner, UploadStatus.QUEUED, age=timedelta(days=9), data=raw)
    running = _upload(other, UploadStatus.RUNNING, age=timedelta(days=9), data=raw)
    # Finished: the result (and a roster's uncollected passwords) is kept 7 days from the finish.
    old_done = _upload(
        owner,
        UploadStatus.DONE,
        age=timedelta(days=9),
        finished_age=timedelta(days=8),
        result=passwords,
    )
    old_failed = _upload(
        other,
        UploadStatus.FAILED,
        age=timedelta(days=9),
        finished_age=timedelta(days=7, hours=1),
        result={"errors": ["第 3 行：学号为空"]},
    )
    recent_done = _upload(
        owner,
        UploadStatus.DONE,
        age=timedelta(days=7),
        finished_age=timedelta(days=6),
        result=passwords,
    )

    assert _run_job() == ("removed 2 staged upload(s) never imported, 2 finished import record(s)")
    assert _left() == {fresh, queued, running, recent_done}
    assert {stale, stale_other, old_done, old_failed}.isdisjoint(_left())
    # The recent import's passwords still wait for the importer.
    assert TableUpload.objects.get(pk=recent_done).result == passwords


def test_the_keep_times_are_settings_and_the_command_does_the_same(settings):
    owner = make_user("importer")
    settings.IMPORT_STAGED_KEEP_HOURS = 2
    settings.IMPORT_RESULT_KEEP_DAYS = 1
    staged = _upload(owner, UploadStatus.STAGED, age=timedelta(hours=3), data=b"x")
    done = _upload(
        owner, UploadStatus.DONE, age=timedelta(days=2), finished_age=timedelta(hours=25)
    )
    kept = _upload(owner, UploadStatus.STAGED, age=timedelta(hours=1), data=b"x")
    out = StringIO()
    call_command("import_leftovers_clean", stdout=out)
    assert out.getvalue().strip() == (
        "removed 1 staged upload(s) never imported, 1 finished import record(s)"
    )
    assert _left() == {kept}
    assert {staged, done}.isdisjoint(_left())


def test_a_new_upload_removes_only_its_owners_leftovers(client, training_office):
    other = make_user("another-importer")
    mine = _upload(training_office, UploadStatus.STAGED, age=timedelta(hours=30), data=b"x")
    theirs = _upload(other, UploadStatus.STAGED, age=timedelta(hours=30), data=b"x")
    # A finished import younger than IMPORT_RESULT_KEEP_DAYS keeps its uncollected passwords.
    done = _upload(
        training_office,
        UploadStatus.DONE,
        age=timedelta(days=3),
        finished_age=timedelta(days=3),
        result={"initial_passwords": [["2023001", "张三", "Xk7-secret"]]},
    )
    from tests.learning.test_roster_import import GOOD, xlsx

    client.force_login(training_office)
    response = client.post("/admin/trainee_import/", {"file": xlsx(GOOD)})
    assert response.status_code == 302
    left = _left()
    assert mine not in left and {theirs, done} <= left and len(left) == 3


def test_a_password_sheet_in_the_session_expires(client, training_office, training_class):
    from learning.classes.admin_views import PASSWORD_SHEETS_SESSION_KEY

    client.force_login(training_office)
    result = _admin_import(client, training_class)
    assert "下载初始密码表" in result
    page = client.get("/admin/trainee_import/").content.decode()
    key = page.split("/admin/trainee_import/passwords/")[1].split("/")[0]

    # Eight days later the sheet is gone from the page and from the session; no download.
    session = client.session
    sheets = session[PASSWORD_SHEETS_SESSION_KEY]
    sheets[key]["created"] = (timezone.now() - timedelta(days=8)).isoformat()
    session[PASSWORD_SHEETS_SESSION_KEY] = sheets
    session.save()
    assert "下载初始密码表" not in client.get("/admin/trainee_import/").content.decode()
    assert client.session[PASSWORD_SHEETS_SESSION_KEY] == {}
    assert client.get(f"/admin/trainee_import/passwords/{key}/").status_code == 404


def test_a_password_sheet_younger_than_the_limit_still_downloads(
    client, training_office, training_class
):
    from learning.classes.admin_views import PASSWORD_SHEETS_SESSION_KEY

    client.force_login(training_office)
    _admin_import(client, training_class)
    page = client.get("/admin/trainee_import/").content.decode()
    key = page.split("/admin/trainee_import/passwords/")[1].split("/")[0]
    session = client.session
    sheets = session[PASSWORD_SHEETS_SESSION_KEY]
    sheets[key]["created"] = (timezone.now() - timedelta(days=6)).isoformat()
    session[PASSWORD_SHEETS_SESSION_KEY] = sheets
    session.save()
    assert client.get(f"/admin/trainee_import/passwords/{key}/").status_code == 200
