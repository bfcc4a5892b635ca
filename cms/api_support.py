"""Shared REST plumbing: pagination and the error format of docs/api.md."""

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from learning.exceptions import InvalidInput, LearningError, Refused

# How long a client should wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE_DETAIL = _("服务暂时不可用，请稍后重试。")


def database_unavailable(exc) -> bool:
    """The error means the database is unreachable or its connection broke (a retry may work).

    OperationalError is also what a lock timeout or a deadlock raises: transient too.
    """
    return isinstance(exc, OperationalError | InterfaceError)


PAGE_NUMBER_MESSAGE = _("页码必须是正整数。page must be a positive integer.")
PAGE_SIZE_MESSAGE = _("每页条数必须是正整数。page_size must be a positive integer.")


def positive_int_param(request, name: str, message) -> int | None:
    """A query parameter that must be a positive integer when given: anything else (empty, `null`,
    `1.5`, `-3`) is a 400 in the error format, never silently replaced by a default."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise exceptions.ValidationError({name: [str(message)]})
    return int(raw)


def page_parameters(*, default_size: int, max_size: int) -> list[dict]:
    """The `page` and `page_size` query parameters as the schema states them (one definition for
    every paginated operation, whether DRF's paginator or a view's own paging serves it)."""
    return [
        {
            "name": "page",
            "required": False,
            "in": "query",
            "description": "页码，从 1 开始；超出最后一页为 404。Page number (1-based); past the last page → 404.",
            "schema": {"type": "integer", "minimum": 1},
        },
        {
            "name": "page_size",
            "required": False,
            "in": "query",
            "description": (
                f"每页条数，默认 {default_size}，大于 {max_size} 按 {max_size}。"
                f"Rows per page, default {default_size}; more than {max_size} counts as {max_size}."
            ),
            "schema": {"type": "integer", "minimum": 1},
        },
    ]


class StandardPagination(PageNumberPagination):
    """DRF's page-number pagination with strict parameters: a page or page size that is not a
    positive integer is a 400 (DRF would quietly use page 1 or the default size)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_size(self, request):
        size = positive_int_param(request, self.page_size_query_param, PAGE_SIZE_MESSAGE)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        number = positive_int_param(request, self.page_query_param, PAGE_NUMBER_MESSAGE)
        return 1 if number is None else number

    def get_schema_operation_parameters(self, view):
        return page_parameters(default_size=self.page_size, max_size=self.max_page_size)


def _as_list(value) -> list:
    """A field's messages as a flat list of strings, also for a list's items or a nested object
    (DRF gives `{index: [messages]}` there, which must not reach the client as its repr)."""
    if isinstance(value, dict):
        return [message for item in value.values() for message in _as_list(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _as_list(item)]
    return [str(value)]


class RuleRefused(exceptions.APIException):
    """A learning Refused error with its own status (409 and the like): `{"detail": message}`."""

    def __init__(self, error: Refused):
        super().__init__(detail=error.message)
        self.status_code = error.status


def learning_api_exception(exc: LearningError, view=None) -> exceptions.APIException:
    """learning's typed errors (learning/exceptions.py) as the API answers them, in one place.

    A view may name the API's fields for a service's (`error_fields`, e.g. amount → hours).
    """
    if isinstance(exc, InvalidInput):
        names = getattr(view, "error_fields", {})
        return exceptions.ValidationError(
            {names.get(field, field): messages for field, messages in exc.message_dict.items()}
        )
    if not isinstance(exc, Refused):
        raise TypeError(f"{type(exc).__name__}: a LearningError must be InvalidInput or Refused")
    if exc.status == 404:
        return exceptions.NotFound(None if exc.conceals else exc.message)
    if exc.status == 400:
        message = str(exc.message)
        return exceptions.ValidationError({exc.field: [message]} if exc.field else [message])
    return RuleRefused(exc)


def exception_handler(exc, context):
    """Every error is `{"detail": ...}`; bad input adds `"errors": {field: [messages]}`, and some
    errors add `"code"`."""
    if isinstance(exc, OverflowError):
        # An id beyond the database's integer range (SQLite refuses to bind it) names no object.
        exc = exceptions.NotFound()
    elif isinstance(exc, LearningError):
        exc = learning_api_exception(exc, context.get("view"))
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


# --- what every operation can answer (drf-spectacular postprocessing hook) -----------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "docs/api.md, Conventions: the error format.",
    "properties": {
        "detail": {"type": "string", "description": "给人看的说明 (for people)"},
        "errors": {"description": "400: 出错的字段及其说明 (the fields at fault)"},
        "code": {"type": "string", "description": "给程序看的代码 (for programs)"},
    },
    "required": ["detail"],
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}
    if headers:
        response["headers"] = headers
    return response


def _answers(path: str, operation: dict) -> dict[str, dict]:
    """The errors an operation can answer whatever its view does, by the house rules (docs/api.md):
    - 400 when it reads a body (malformed JSON, invalid fields) or query parameters (each one is
      validated, an invalid value is never silently ignored);
    - 401 for a wrong or expired token, even where anonymous access is allowed;
    - 403 when the user may not act, or must first change the initial password (every operation
      but logging in and changing the password);
    - 404 for an object in the path the user may not see, and for a page past the last one;
    - 503 with Retry-After while the database is unreachable.
    """
    params = operation.get("parameters") or []
    query = [p for p in params if p.get("in") == "query"]
    answers = {}
    if operation.get("requestBody") or query:
        answers["400"] = _error(
            "请求数据有误 (invalid input): `errors` 说明哪个字段 (names the fields)"
        )
    answers["401"] = _error("令牌无效或已过期 (wrong or expired token)")
    if operation.get("security") is not None:
        answers["403"] = _error(
            "无权操作，或须先修改初始密码 (not allowed, or `code`: password_change_required)"
        )
    if "{" in path or any(p["name"] == "page" for p in query):
        answers["404"] = _error(
            "对象不存在或无权查看，或页码超出范围 (not found, not visible, or past the last page)"
        )
    answers["503"] = _error(
        "数据库暂时不可用，稍后重试 (database unavailable; retry after Retry-After seconds)",
        headers={"Retry-After": {"schema": {"type": "integer"}, "required": True}},
    )
    return answers


def _require_body_that_needs_a_property(operation: dict) -> None:
    """A body schema given as a dict whose every `anyOf` branch requires a property (e.g. "trainee
    or all") cannot be left out: say so (drf-spectacular marks such raw bodies optional)."""
    body = operation.get("requestBody")
    if not body or body.get("required"):
        return
    schemas = [content.get("schema", {}) for content in body.get("content", {}).values()]
    if schemas and all(
        schema.get("anyOf") and all(branch.get("required") for branch in schema["anyOf"])
        for schema in schemas
    ):
        body["required"] = True


def document_standard_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add to every operation the error answers it can give by
    the house rules (`_answers`) unless the view describes them itself — one place, not a copy of
    the same `responses=` block on every view."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, methods in result.get("paths", {}).items():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in _answers(path, operation).items():
                operation["responses"].setdefault(status, response)
            _require_body_that_needs_a_property(operation)
    return result
