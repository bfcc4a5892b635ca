"""Shared REST plumbing: pagination and the error format of docs/api.md."""

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

# How long a client should wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE_DETAIL = _("服务暂时不可用，请稍后重试。")


def database_unavailable(exc) -> bool:
    """The error means the database is unreachable or its connection broke (a retry may work).

    OperationalError is also what a lock timeout or a deadlock raises: transient too.
    """
    return isinstance(exc, OperationalError | InterfaceError)


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _as_list(value) -> list:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def exception_handler(exc, context):
    """Every error is `{"detail": ...}`; bad input adds `"errors": {field: [messages]}`, and some
    errors add `"code"`."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail
        if isinstance(data, dict):
            errors = {str(field): _as_list(msgs) for field, msgs in data.items()}
        else:
            errors = {"non_field_errors": _as_list(data)}
        first = next(iter(errors.values()), [""])
        detail = (
            first[0] if len(errors) == 1 and first else str(_("提交的数据有误，请检查后重试。"))
        )
        response.data = {"detail": detail, "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    else:
        response.data = {"detail": str(getattr(exc, "detail", exc))}
    # Errors a client must act on in a particular way name themselves (e.g. "login_throttled",
    # "password_change_required"); the message is for people, the code for programs.
    public_code = getattr(exc, "public_code", None)
    if public_code:
        response.data["code"] = public_code
    return response


def public_api_only(endpoints):
    """drf-spectacular preprocessing hook: describe our /api/v1/ only, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
