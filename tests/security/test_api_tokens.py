"""API tokens: they expire, logging out ends them, and changing a password ends them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cms.roles import TRAINEES
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def login(username="trainee1", password="pw-Secret-123") -> str:
    response = APIClient().post(LOGIN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def trainee(db):
    return make_user("trainee1", role=TRAINEES)


def test_logout_ends_the_token(trainee):
    key = login()
    assert with_token(key).get(ME).status_code == 200
    assert with_token(key).delete(LOGIN).status_code == 204
    assert with_token(key).get(ME).status_code == 401
    assert not Token.objects.filter(user=trainee).exists()
    # Logging out needs a token to end.
    assert APIClient().delete(LOGIN).status_code == 401


def test_an_expired_token_is_refused_and_login_issues_a_new_one(trainee, settings):
    key = login()
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS, seconds=1)
    )
    response = with_token(key).get(ME)
    assert response.status_code == 401
    assert "登录已过期" in response.json()["detail"]
    # The client still sends the stale token while logging in again: that must not get in the way.
    client = with_token(key)
    fresh = client.post(LOGIN, {"username": "trainee1", "password": "pw-Secret-123"}).json()
    assert fresh["token"] != key
    assert with_token(fresh["token"]).get(ME).status_code == 200


def test_a_token_within_its_lifetime_is_kept_across_logins(trainee):
    assert login() == login()


def test_changing_the_password_ends_the_token(trainee):
    key = login()
    trainee.set_password("New-Secret-456")
    trainee.save()
    assert with_token(key).get(ME).status_code == 401
    assert with_token(login(password="New-Secret-456")).get(ME).status_code == 200


def test_saving_a_user_without_a_new_password_keeps_the_token(trainee):
    key = login()
    trainee.first_name = "小李"
    trainee.save()
    assert with_token(key).get(ME).status_code == 200


def test_changing_the_password_on_the_site_ends_the_token(trainee, client):
    key = login()
    client.force_login(trainee)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-Secret-123",
            "new_password1": "Quite-New-789",
            "new_password2": "Quite-New-789",
        },
    )
    assert response.status_code == 302
    assert with_token(key).get(ME).status_code == 401
