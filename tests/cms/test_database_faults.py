"""The database going away mid-request: an answer save is retried once on a fresh connection so
the trainee sees no error; other requests answer 503 with Retry-After (JSON under /api/), not a
500 page. The connections are really killed, with pg_terminate_backend on PostgreSQL."""

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learning.quizzes import attempts
from learning.quizzes import services as quizzes
from learning.quizzes.models import AttemptAnswer, QuestionType

# The quiz factories of the learning tests, used here as fixtures.
from tests.learning.conftest import (  # noqa: F401
    quiz_bank,
    quiz_class_factory,
    quiz_exam_factory,
    quiz_user_factory,
)

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="kills the connection with pg_terminate_backend (PostgreSQL)",
)
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _terminate(pid: int) -> None:
    """Kill one server connection from another, and wait until it is gone."""
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as other:
        # With a timeout (PostgreSQL 14+) the server itself waits until the backend has ended.
        (ended,) = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
    assert ended, f"backend {pid} still there"


class ConnectionKiller:
    """An execute wrapper that kills this process's database connection just before the matching
    queries run, `times` times: a database restart or failover hitting requests in flight."""

    def __init__(self, match: str = "", times: int = 1):
        self.match, self.left, self.killed = match, times, 0

    def __call__(self, execute, sql, params, many, context):
        if self.left and self.match in sql:
            self.left -= 1
            self.killed += 1
            _terminate(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)


@pytest.fixture
def exam_attempt(quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank):  # noqa: F811
    trainee = quiz_user_factory()
    singles = list(quiz_bank.questions.filter(type=QuestionType.SINGLE)[:2])
    exam = quiz_exam_factory(quiz_class_factory(trainees=[trainee]), fixed=singles)
    attempt, _ = quizzes.attempt_start(quiz=exam, user=trainee)
    return attempt, singles, trainee


def _between_requests() -> None:
    """What a server does at the end of each request (Django's test client skips it): a broken
    connection is dropped, and the next request opens a new one."""
    close_old_connections()


def _api(user) -> APIClient:
    # As a server would: an exception becomes the error handler's response, not a test failure.
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@postgresql_only
@TRANSACTIONAL
def test_an_answer_save_cut_off_by_a_dropped_connection_is_saved_without_an_error(exam_attempt):
    attempt, singles, trainee = exam_attempt
    client = _api(trainee)
    # The connection dies as the save takes its row lock, inside the save's transaction.
    killer = ConnectionKiller("FOR UPDATE")
    with connection.execute_wrapper(killer):
        response = client.put(
            f"/api/v1/attempts/{attempt.pk}/answers/{singles[0].pk}/",
            {"answer": "B"},
            format="json",
        )
    assert killer.killed == 1
    assert response.status_code == 200, response.content
    assert response.json()["answer"] == "B"
    saved = AttemptAnswer.objects.get(attempt=attempt, question_id=singles[0].pk)
    assert saved.answer == "B"


@postgresql_only
@TRANSACTIONAL
def test_an_answer_save_whose_retry_fails_too_answers_503_json(exam_attempt):
    attempt, singles, trainee = exam_attempt
    client = _api(trainee)
    killer = ConnectionKiller("FOR UPDATE", times=2)
    with connection.execute_wrapper(killer):
        response = client.put(
            f"/api/v1/attempts/{attempt.pk}/answers/{singles[0].pk}/",
            {"answer": "B"},
            format="json",
        )
    assert killer.killed == 2
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "服务暂时不可用，请稍后重试。"}
    _between_requests()
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()
    # The next request gets a fresh connection and works.
    response = client.put(
        f"/api/v1/attempts/{attempt.pk}/answers/{singles[0].pk}/", {"answer": "B"}, format="json"
    )
    assert response.status_code == 200


@postgresql_only
@TRANSACTIONAL
def test_other_api_requests_answer_503_json_with_retry_after(exam_attempt):
    attempt, _singles, trainee = exam_attempt
    client = _api(trainee)
    # The token lookup is the request's first query.
    killer = ConnectionKiller("authtoken_token")
    with connection.execute_wrapper(killer):
        response = client.get(f"/api/v1/attempts/{attempt.pk}/")
    assert killer.killed == 1
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "服务暂时不可用，请稍后重试。"}
    _between_requests()
    assert client.get(f"/api/v1/attempts/{attempt.pk}/").status_code == 200


@postgresql_only
@TRANSACTIONAL
def test_a_page_answers_503_with_retry_after_not_a_500_page(exam_attempt):
    _attempt, _singles, trainee = exam_attempt
    client = Client(raise_request_exception=False)
    client.force_login(trainee)
    killer = ConnectionKiller("django_session")
    with connection.execute_wrapper(killer):
        response = client.get("/")
    assert killer.killed == 1
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "服务暂时不可用" in response.content.decode()
    _between_requests()
    assert client.get("/").status_code in (200, 302)


@pytest.mark.django_db
def test_a_connection_lost_inside_an_outer_transaction_is_not_retried(exam_attempt, monkeypatch):
    """Inside the caller's transaction a retry would run without what it did before: re-raise."""
    from django.db import OperationalError

    attempt, singles, trainee = exam_attempt
    calls = []

    def lost(*args):
        calls.append(args)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(attempts, "_answer_store", lost)
    with pytest.raises(OperationalError):
        quizzes.attempt_answer_save(
            attempt_id=attempt.pk, user=trainee, question_id=singles[0].pk, answer="B"
        )
    assert len(calls) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/api/v1/attempts/AAA/submit/"),
        ("put", "/api/v1/attempts/AAA/answers/1/"),
        ("delete", "/api/v1/no-such-thing/"),
        ("get", "/api/nothing"),
        ("patch", "/api/v1/courses/abc/"),
    ],
)
def test_every_unknown_api_path_answers_a_json_404(method, path):
    # CSRF checks on, as for a browser with a session: no HTML CSRF page either.
    client = Client(enforce_csrf_checks=True)
    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。Not found."}
