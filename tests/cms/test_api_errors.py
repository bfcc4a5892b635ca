"""Errors Django raises before DRF sees the request still answer in the API's JSON format."""

import json

import pytest
from django.utils import translation
from rest_framework import exceptions as drf_exceptions

from cms.api_support import exception_handler, learning_api_exception
from learning.classes.exceptions import WeakPassword
from learning.exceptions import Refused
from learning.progress.exceptions import InvalidRecord, LeaveAlreadyWithdrawn
from learning.quizzes.exceptions import (
    AttemptClosed,
    InvalidAnswer,
    NotAllowed,
    QuizNotAvailable,
    UnknownQuestion,
)
from learning.reports.exceptions import (
    AlreadyRevoked,
    CertificateRefused,
    NotDisqualified,
    NotInClass,
    ReasonRequired,
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
            CertificateRefused("该学员已有结业证书：DK1。"),
            None,
            409,
            {"detail": "该学员已有结业证书：DK1。"},
        ),
        (AlreadyRevoked(), None, 409, {"detail": "该证书已被撤销。"}),
        (NotDisqualified(), None, 409, {"detail": "该学员没有被取消结业资格。"}),
        # The trainer sees the class: the 404 may say why.
        (NotInClass(), None, 404, {"detail": "该学员不在本培训班。"}),
        (
            ReasonRequired(),
            None,
            400,
            {"detail": "请填写撤销原因。", "errors": {"reason": ["请填写撤销原因。"]}},
        ),
        (
            WeakPassword({"new_password": ["密码太短。", "密码全是数字。"]}),
            None,
            400,
            {"detail": "密码太短。", "errors": {"new_password": ["密码太短。", "密码全是数字。"]}},
        ),
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
    assert {QuizNotAvailable, NotAllowed, LeaveAlreadyWithdrawn, CertificateRefused} <= refusals
    for cls in refusals:
        answer = learning_api_exception(cls())
        assert answer.status_code == cls.status, cls
        assert 400 <= answer.status_code < 500, cls
    assert learning_api_exception(InvalidRecord({"note": "x"})).status_code == 400


# --- the refusals of reports and classes keep their bodies (issue 13: typed, answered here) ----


def test_a_weak_new_password_answers_every_validator_message_on_new_password(django_user_model):
    from rest_framework.test import APIClient

    user = django_user_model.objects.create_user("weak-pw", password="Old-pass-2026!")
    client = APIClient()
    client.force_authenticate(user)
    with translation.override("zh-hans"):
        response = client.post(
            "/api/v1/auth/password/",
            {"old_password": "Old-pass-2026!", "new_password": "123"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400
    messages = response.json()["errors"]["new_password"]
    assert response.json() == {"detail": messages[0], "errors": {"new_password": messages}}
    # Too short, too common and all digits: Django's three validators each say so.
    assert len(messages) == 3
