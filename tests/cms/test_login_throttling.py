"""Repeated login failures lock the account on the site, the admin and the token API."""

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user("wangxm", password="Right-Password-1")


def _fail(client, n, path="/accounts/login/"):
    for _ in range(n):
        client.post(path, {"username": "wangxm", "password": "wrong"})


def test_site_login_locks_after_five_failures(client, user, settings):
    _fail(client, settings.LOGIN_FAILURE_LIMIT)
    response = client.post(
        "/accounts/login/", {"username": "wangxm", "password": "Right-Password-1"}
    )
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_do_not_lock_and_success_resets(client, user, settings):
    _fail(client, settings.LOGIN_FAILURE_LIMIT - 1)
    response = client.post(
        "/accounts/login/", {"username": "wangxm", "password": "Right-Password-1"}
    )
    assert response.status_code == 302
    client.logout()
    _fail(client, settings.LOGIN_FAILURE_LIMIT - 1)
    assert (
        client.post(
            "/accounts/login/", {"username": "wangxm", "password": "Right-Password-1"}
        ).status_code
        == 302
    )


def test_admin_login_is_throttled_too(client, user, settings):
    user.is_superuser = True
    user.save()
    _fail(client, settings.LOGIN_FAILURE_LIMIT, path="/admin/login/")
    response = client.post("/admin/login/", {"username": "wangxm", "password": "Right-Password-1"})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()


def test_token_api_is_throttled(client, user, settings):
    from rest_framework.test import APIClient

    api = APIClient()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": "wangxm", "password": "x"}, format="json")
    response = api.post(
        "/api/v1/auth/token/", {"username": "wangxm", "password": "Right-Password-1"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_lock_is_per_account(client, user, settings):
    other = make_user("lisi", password="Other-Password-2")
    _fail(client, settings.LOGIN_FAILURE_LIMIT)
    assert (
        client.post(
            "/accounts/login/", {"username": other.username, "password": "Other-Password-2"}
        ).status_code
        == 302
    )


def test_address_lock_across_accounts(client, user, settings):
    for i in range(settings.LOGIN_FAILURE_LIMIT * settings.LOGIN_FAILURE_IP_FACTOR):
        client.post("/accounts/login/", {"username": f"guess{i}", "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": "wangxm", "password": "Right-Password-1"}
    )
    assert response.status_code == 200
