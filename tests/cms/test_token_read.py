"""The token lookup of every API request: one statement compiled once, the same objects as the ORM's
select_related (cms.authentication.token_with_user, issue 20)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from cms.authentication import token_with_user
from tests.factories import make_trainee_profile, make_user

pytestmark = pytest.mark.django_db


def _orm(key):
    return Token.objects.select_related("user", "user__trainee_profile").get(key=key)


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_trainee_token_loads_user_and_profile_like_select_related():
    profile = make_trainee_profile()
    profile.must_change_password = True
    profile.save()
    key = Token.objects.create(user=profile.user).key
    expected = _orm(key)
    with CaptureQueriesContext(connection) as queries:
        token = token_with_user(key)
        # Everything the authentication and the views read of them is loaded: no query more.
        assert token.user.is_active and token.user.trainee_profile.must_change_password
        assert token.user.trainee_profile.user is token.user
        assert token.user.auth_token is token
    assert len(queries) == 1
    assert _fields(token) == _fields(expected)
    assert _fields(token.user) == _fields(expected.user)
    assert _fields(token.user.trainee_profile) == _fields(expected.user.trainee_profile)
    # Instances as the ORM's: saved state, the database they came from.
    assert not token._state.adding and token.user._state.db == expected.user._state.db


def test_a_user_without_a_profile_has_none_cached():
    user = make_user("staff1", is_staff=True)
    key = Token.objects.create(user=user).key
    with CaptureQueriesContext(connection) as queries:
        token = token_with_user(key)
        assert token.user.pk == user.pk and token.user.is_staff
        assert getattr(token.user, "trainee_profile", None) is None
    assert len(queries) == 1
    assert token.created == Token.objects.get(key=key).created


def test_an_unknown_key_finds_nothing_and_the_marker_is_not_a_key():
    make_user("someone")
    assert token_with_user("0" * 40) is None
    assert token_with_user("!dangke-token-key!") is None
    assert token_with_user("") is None


def test_the_api_authenticates_with_one_statement(client):
    profile = make_trainee_profile()
    key = Token.objects.create(user=profile.user).key
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert sum("authtoken_token" in q["sql"] for q in queries.captured_queries) == 1
