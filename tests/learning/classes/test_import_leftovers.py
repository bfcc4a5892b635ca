"""What a roster import leaves behind: a new upload removes its owner's stale leftovers, and the
password sheets waiting in the importer's session expire after IMPORT_RESULT_KEEP_DAYS. The
periodic job that removes everyone's leftovers: tests/tabular/test_uploads_clean.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tabular.models import UploadStatus
from tests.factories import make_user
from tests.learning.classes.test_initial_passwords import _admin_import
from tests.learning.classes.test_roster_import import make_roster_units
from tests.tabular.test_uploads_clean import aged_upload, uploads_left

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roster_units(db):
    make_roster_units()


def test_a_new_upload_removes_only_its_owners_leftovers(client, training_office):
    other = make_user("another-importer")
    mine = aged_upload(training_office, UploadStatus.STAGED, age=timedelta(hours=30), data=b"x")
    theirs = aged_upload(other, UploadStatus.STAGED, age=timedelta(hours=30), data=b"x")
    # A finished import younger than IMPORT_RESULT_KEEP_DAYS keeps its uncollected passwords.
    done = aged_upload(
        training_office,
        UploadStatus.DONE,
        age=timedelta(days=3),
        finished_age=timedelta(days=3),
        result={"initial_passwords": [["2023001", "张三", "Xk7-secret"]]},
    )
    from tests.learning.classes.test_roster_import import GOOD, xlsx

    client.force_login(training_office)
    response = client.post("/admin/trainee_import/", {"file": xlsx(GOOD)})
    assert response.status_code == 302
    left = uploads_left()
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
