"""Property-based API fuzzing (schemathesis) from our OpenAPI schema: nothing a client sends gives a 5xx.

Runs in-process against the WSGI application and the test database, anonymously and as a logged-in
trainee, so both the authentication layer and the views behind it are exercised. (Schemathesis's pytest
plugin does not support pytest 9 yet, so the operations are driven with hypothesis directly.)
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from cms.roles import TRAINEES
from tests.factories import make_article, make_course, make_user

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the schema should describe the whole API"
    return operations


def _fuzz(headers: dict) -> list[str]:
    failures = []
    for operation in _operations():

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.query} {case.body!r} -> "
                f"{response.status_code} {response.text[:300]}"
            )

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc))
    return failures


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Like Django's test client: requests must not close the connection holding the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def content():
    course = make_course("模糊测试专题")
    return make_article(course, "模糊测试课")


def test_anonymous_requests_never_get_a_server_error(content):
    assert _fuzz({}) == []


def test_trainee_requests_never_get_a_server_error(content):
    token = Token.objects.create(user=make_user(role=TRAINEES))
    assert _fuzz({"Authorization": f"Token {token.key}"}) == []
