"""Roster accounts get random initial passwords, shown once in a sheet; until the trainee changes it,
every way in (site session, API session, API token) does nothing else; the API changes it."""

from io import BytesIO

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook
from rest_framework.test import APIClient

from learning.classes.models import TraineeProfile
from learning.classes.roster import PASSWORD_ALPHABET, PASSWORD_LENGTH, trainees_import
from tests.learning.classes.test_roster_import import GOOD, make_roster_units, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roster_units(db):
    make_roster_units()


NEW_PASSWORD = "Hong-Qi-2026!x"


@pytest.fixture
def imported():
    """The first GOOD row imported: (学号, initial password)."""
    [initial] = trainees_import(file=xlsx(GOOD[:1])).initial_passwords
    return initial.student_no, initial.password


def _token(username, password):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_initial_passwords_are_random_and_not_the_student_number():
    result = trainees_import(file=xlsx(GOOD))
    passwords = [p.password for p in result.initial_passwords]
    assert len(set(passwords)) == 3
    for entry in result.initial_passwords:
        assert len(entry.password) == PASSWORD_LENGTH
        assert set(entry.password) <= set(PASSWORD_ALPHABET)
        user = User.objects.get(username=entry.student_no)
        assert not user.check_password(entry.student_no)
        assert user.check_password(entry.password)
    # The student number no longer opens the account through the API.
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "2023001", "password": "2023001"}, format="json"
    )
    assert response.status_code == 400


def test_a_reimport_sets_no_password_for_existing_accounts():
    trainees_import(file=xlsx(GOOD))
    result = trainees_import(file=xlsx(GOOD))
    assert result.initial_passwords == []


def test_the_token_api_refuses_work_until_the_password_is_changed(imported):
    student_no, password = imported
    body = _token(student_no, password)
    assert body["password_change_required"] is True
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    for path in ("/api/v1/me/", "/api/v1/me/records/", "/api/v1/courses/"):
        response = api.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "password_change_required"
    response = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Please change your initial password before going on."
    # The change itself: wrong old password, then a weak new one, then a good one.
    wrong = api.post(
        "/api/v1/auth/password/",
        {"old_password": "nope", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert wrong.status_code == 400 and "old_password" in wrong.json()["errors"]
    weak = api.post(
        "/api/v1/auth/password/", {"old_password": password, "new_password": "123"}, format="json"
    )
    assert weak.status_code == 400 and "new_password" in weak.json()["errors"]
    response = api.post(
        "/api/v1/auth/password/",
        {"old_password": password, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    new_token = response.json()["token"]
    assert new_token and new_token != body["token"]
    # The old token ended with the password; the new one works.
    assert api.get("/api/v1/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {new_token}")
    assert api.get("/api/v1/me/").status_code == 200
    assert TraineeProfile.objects.get(student_no=student_no).must_change_password is False
    assert _token(student_no, NEW_PASSWORD)["password_change_required"] is False


def test_a_token_with_the_initial_password_may_still_log_out(imported):
    body = _token(*imported)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.delete("/api/v1/auth/token/").status_code == 204


def test_the_session_api_refuses_work_and_the_password_api_works_for_it(client, imported):
    student_no, password = imported
    assert (
        client.post("/accounts/login/", {"username": student_no, "password": password}).status_code
        == 302
    )
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    response = client.post(
        "/api/v1/auth/password/",
        {"old_password": password, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"token": None}
    # Still logged in, and now everything works.
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/me/").status_code == 200


def test_password_api_needs_a_login():
    response = APIClient().post(
        "/api/v1/auth/password/", {"old_password": "a", "new_password": "b"}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("with_profile", [False, True])
def test_the_check_costs_no_query_beyond_the_tokens(
    with_profile, imported, django_assert_num_queries
):
    from cms.authentication import ExpiringTokenAuthentication
    from learning.classes.middleware import must_change_password
    from tests.factories import make_user

    if with_profile:
        key = _token(*imported)["token"]
    else:
        make_user("plain", password="pw-Secret-123")
        key = _token("plain", "pw-Secret-123")["token"]
    with django_assert_num_queries(1):
        user, _token_row = ExpiringTokenAuthentication().authenticate_credentials(key)
        assert must_change_password(user) is with_profile


def _admin_import(client, training_class):
    """Upload, confirm the preview, open the result page."""
    response = client.post(
        "/admin/trainee_import/", {"file": xlsx(GOOD), "training_class": training_class.pk}
    )
    assert response.status_code == 302
    response = client.post(response["Location"])
    return client.get(response["Location"]).content.decode()


def test_the_admin_import_shows_the_sheet_once(client, training_office, training_class):
    client.force_login(training_office)
    result = _admin_import(client, training_class)
    assert "下载初始密码表" in result
    # The passwords left the upload's row for the importer's session.
    from tabular.models import TableUpload

    assert TableUpload.objects.get().result["initial_passwords"] == []
    page = client.get("/admin/trainee_import/").content.decode()
    assert "下载初始密码表" in page
    key = page.split("/admin/trainee_import/passwords/")[1].split("/")[0]
    url = f"/admin/trainee_import/passwords/{key}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, max_row=4, values_only=True))
    assert {no for _name, no, _pw in rows} == {"2023001", "2023002", "2023003"}
    for _name, no, pw in rows:
        assert User.objects.get(username=no).check_password(pw)
    # Once only: the passwords are gone from the session.
    assert client.get(url).status_code == 404
    assert "下载初始密码表" not in client.get("/admin/trainee_import/").content.decode()


def test_another_user_cannot_fetch_the_sheet(client, training_office, training_class):
    from cms.roles import TRAINERS
    from tests.factories import make_user

    client.force_login(training_office)
    _admin_import(client, training_class)
    page = client.get("/admin/trainee_import/").content.decode()
    key = page.split("/admin/trainee_import/passwords/")[1].split("/")[0]
    other = make_user("other-trainer", role=TRAINERS)
    client.force_login(other)
    assert client.get(f"/admin/trainee_import/passwords/{key}/").status_code == 404


def test_a_formula_as_a_name_stays_text_in_the_sheet():
    from learning.classes.roster import InitialPassword, initial_password_sheet

    content = initial_password_sheet([InitialPassword("S1", '=HYPERLINK("x")', "abc")])
    sheet = load_workbook(BytesIO(content)).active
    assert sheet["A2"].data_type == "s"
    assert sheet.freeze_panes == "A2"  # the header row stays in view (issue 21)


def test_the_trainee_form_gives_a_random_password_shown_once(client, trainer, branch, branch_unit):
    client.force_login(trainer)
    response = client.post(
        "/admin/trainees/new/",
        {
            "name": "新学员",
            "student_no": "N2026001",
            "unit": branch_unit.pk,
            "stage": "activist",
            "must_change_password": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    user = User.objects.get(username="N2026001")
    assert not user.check_password("N2026001")
    [message] = [str(m) for m in response.context["messages"] if "初始密码" in str(m)]
    password = message.split("初始密码：")[1].split("（")[0]
    assert len(password) == PASSWORD_LENGTH and user.check_password(password)
    # Once: the next page does not show it again.
    assert password not in client.get("/admin/trainees/").content.decode()
