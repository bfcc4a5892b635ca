"""Errors Django raises before DRF sees the request still answer in the API's JSON format."""

import json

import pytest
from django.utils import translation
from rest_framework import exceptions as drf_exceptions

from cms.api_support import exception_handler, learning_api_exception
from learning.exceptions import Refused
from learning.progress.exceptions import InvalidRecord, LeaveAlreadyWithdrawn
from learning.quizzes.exceptions import (
    AttemptClosed,
    InvalidAnswer,
    NotAllowed,
    QuizNotAvailable,
    UnknownQuestion,
)

pytestmark = pytest.mark.django_db


def test_an_oversized_api_body_is_json_413(client, settings):
    body = json.dumps(
        {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "password": "p"}
    )
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "请求内容过大。Request body too large."}


def test_too_many_form_fields_is_a_json_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = "&".join(f"f{i}=1" for i in range(10))
    response = client.post(
        "/api/v1/auth/token/", data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "请求无效。Bad request."}


def test_site_pages_keep_the_html_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    data = "&".join(f"f{i}=1" for i in range(10))
    response = client.post(
        "/accounts/login/", data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- learning's typed errors, answered in one place (cms.api_support.exception_handler) -------


class _OfflineSessionView:
    """A view whose service names a field otherwise (the offline-session views: amount → hours)."""

    error_fields = {"amount": "hours"}


@pytest.mark.parametrize(
    ("error", "view", "status", "body"),
    [
        (QuizNotAvailable(), None, 409, {"detail": "本测验当前不可作答。"}),
        (AttemptClosed(), None, 409, {"detail": "本次作答已结束，不能再修改答案。"}),
        # Not enrolled: the quiz does not exist for this user, the same 404 as a missing one.
        (NotAllowed(), None, 404, {"detail": str(drf_exceptions.NotFound.default_detail)}),
        (UnknownQuestion(), None, 404, {"detail": "本次作答中没有这道题。"}),
        (
            InvalidAnswer("单选题只能选一个选项"),
            None,
            400,
            {"detail": "单选题只能选一个选项", "errors": {"answer": ["单选题只能选一个选项"]}},
        ),
        (LeaveAlreadyWithdrawn(), None, 409, {"detail": "这条请假已经撤销过了。"}),
        (
            InvalidRecord({"amount": "学时必须大于 0。"}),
            _OfflineSessionView(),
            400,
            {"detail": "学时必须大于 0。", "errors": {"hours": ["学时必须大于 0。"]}},
        ),
        (
            InvalidRecord(
                {"amount": "学时必须是数字。", "note": "请填写说明（如培训内容、地点）。"}
            ),
            None,
            400,
            {
                "detail": "提交的数据有误，请检查后重试。",
                "errors": {
                    "amount": ["学时必须是数字。"],
                    "note": ["请填写说明（如培训内容、地点）。"],
                },
            },
        ),
    ],
)
def test_learning_errors_answer_with_their_status_and_message(error, view, status, body):
    with translation.override("zh-hans"):
        response = exception_handler(error, {"view": view})
    assert (response.status_code, response.data) == (status, body)


def test_the_english_message_goes_with_the_english_interface():
    with translation.override("en"):
        response = exception_handler(AttemptClosed(), {"view": None})
    assert response.status_code == 409
    assert response.data == {"detail": "This attempt has ended; answers can no longer be changed."}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_refusal_of_learning_has_an_answer():
    """A typed error that the handler could not answer would be a 500."""
    refusals = {cls for cls in _subclasses(Refused) if cls.__module__.startswith("learning.")}
    assert {QuizNotAvailable, NotAllowed, LeaveAlreadyWithdrawn} <= refusals
    for cls in refusals:
        answer = learning_api_exception(cls())
        assert answer.status_code == cls.status, cls
        assert 400 <= answer.status_code < 500, cls
    assert learning_api_exception(InvalidRecord({"note": "x"})).status_code == 400
