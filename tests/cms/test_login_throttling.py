"""Login throttling (django-axes, cms/security.py): per account and address, 429 with Retry-After,
nothing counted while locked, and the client's address from trusted proxies only."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from rest_framework.test import APIClient

from cms.security import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

RIGHT = "Right-Password-1"
ATTACKER = "203.0.113.5"
USER_ADDRESS = "198.51.100.7"


@pytest.fixture
def user():
    return make_user("wangxm", password=RIGHT)


def _site_login(client, password, path="/accounts/login/", **extra):
    return client.post(path, {"username": "wangxm", "password": password}, **extra)


def _api_login(password, **extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": "wangxm", "password": password}, format="json", **extra
    )


def _fail(settings, n=None, **extra):
    for _ in range(settings.LOGIN_FAILURE_LIMIT if n is None else n):
        _api_login("wrong", **extra)


def test_site_login_locks_with_429_retry_after_and_the_message(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert _site_login(client, "wrong").status_code == 200
    response = _site_login(client, "wrong")
    assert response.status_code == 429
    response = _site_login(client, RIGHT)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_LOCKOUT_SECONDS
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_do_not_lock_and_success_resets(client, user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _site_login(client, "wrong")
    assert _site_login(client, RIGHT).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _site_login(client, "wrong")
    assert _site_login(client, RIGHT).status_code == 302


def test_admin_login_is_throttled_too(client, user, settings):
    user.is_superuser = True
    user.save()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _site_login(client, "wrong", path="/admin/login/")
    response = _site_login(client, RIGHT, path="/admin/login/")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert response["Retry-After"]


def test_token_api_answers_429_with_retry_after_and_a_code(user, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert _api_login("wrong").status_code == 400
    assert _api_login("wrong").status_code == 429
    response = _api_login(RIGHT)
    assert response.status_code == 429
    body = response.json()
    assert "token" not in body
    assert body["code"] == "login_throttled"
    assert body["detail"].startswith("登录失败次数过多")
    assert "15 分钟" in body["detail"]
    assert 890 <= int(response["Retry-After"]) <= settings.LOGIN_LOCKOUT_SECONDS


def test_token_api_message_in_english(user, settings):
    _fail(settings)
    response = _api_login(RIGHT, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed logins")


def test_an_attacker_cannot_lock_out_a_user_on_another_address(client, user, settings):
    _fail(settings, 3 * settings.LOGIN_FAILURE_LIMIT, REMOTE_ADDR=ATTACKER)
    assert _api_login(RIGHT, REMOTE_ADDR=ATTACKER).status_code == 429
    assert _api_login(RIGHT, REMOTE_ADDR=USER_ADDRESS).status_code == 200
    assert _site_login(client, RIGHT, REMOTE_ADDR=USER_ADDRESS).status_code == 302


def test_one_address_gets_only_a_handful_of_guesses_per_account(user, settings):
    _fail(settings, 50, REMOTE_ADDR=ATTACKER)
    attempt = AccessAttempt.objects.get(username="wangxm", ip_address=ATTACKER)
    assert attempt.failures_since_start == settings.LOGIN_FAILURE_LIMIT


def test_tries_while_locked_are_not_counted_and_the_lock_ends(user, settings):
    _fail(settings, REMOTE_ADDR=ATTACKER)
    attempt = AccessAttempt.objects.get(username="wangxm", ip_address=ATTACKER)
    locked_at = attempt.attempt_time
    _fail(settings, 10, REMOTE_ADDR=ATTACKER)
    attempt.refresh_from_db()
    assert (attempt.failures_since_start, attempt.attempt_time) == (
        settings.LOGIN_FAILURE_LIMIT,
        locked_at,
    )
    # Ten minutes later the lock has five minutes left, whatever was tried meanwhile.
    AccessAttempt.objects.update(attempt_time=locked_at - timedelta(minutes=10))
    response = _api_login(RIGHT, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert 290 <= int(response["Retry-After"]) <= 300
    assert "5 分钟" in response.json()["detail"]
    # And when LOGIN_LOCKOUT_SECONDS have passed since the last counted failure, it is over.
    AccessAttempt.objects.update(
        attempt_time=locked_at - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    )
    assert _api_login(RIGHT, REMOTE_ADDR=ATTACKER).status_code == 200


def test_behind_a_trusted_proxy_clients_are_told_apart(user, settings):
    """Behind nginx every request comes from 127.0.0.1: one guesser must not lock everyone out."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    _fail(settings, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)
    assert (
        _api_login(RIGHT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    )
    ok = _api_login(RIGHT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=USER_ADDRESS)
    assert ok.status_code == 200
    # A client that writes its own X-Forwarded-For through the proxy gains nothing: nginx appends
    # the real address, and only the part after it is believed.
    spoofed = _api_login(
        RIGHT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{USER_ADDRESS}, {ATTACKER}"
    )
    assert spoofed.status_code == 429


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(user, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        _api_login("wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    response = _api_login(RIGHT, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.5", "1.2.3.4", "203.0.113.5"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        (["127.0.0.1"], "127.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "10.9.9.9, 10.1.2.3", "10.9.9.9"),
        (["127.0.0.1"], "127.0.0.1", "not-an-address", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
