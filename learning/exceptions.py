"""Typed errors shared by learning's apps; each app derives its own in its exceptions.py.

Services raise them; the API maps them once (cms.api_support.exception_handler) to the error
format of docs/api.md, with `status`:

- InvalidInput: 400 `{"detail", "errors": {field: [messages]}}`, the fields at fault. It is a
  Django ValidationError too, so that admin forms put the messages on their fields.
- Refused: its `status` with `{"detail": message}`; a 400 names `field` in `errors` when it has
  one; a 404 that `conceals` says only "not found" (the user may not know that the thing exists).
- Conflict: 409, the thing is not in a state that allows the request (submitted, withdrawn, …).

This module sits at the top of learning/ and imports none of its apps, so every layer may use it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LearningError(Exception):
    """Base of learning's typed errors; `status` is the API's answer."""

    status = 400


class InvalidInput(LearningError, ValidationError):
    """The input breaks a rule (400), `{field: message or [messages]}` like ValidationError."""


class Refused(LearningError):
    """A rule refused the request, with one message for people."""

    default_message = _("操作失败。")
    # A 400 about one input field names it in `errors`.
    field: str | None = None
    # A 404 that must not reveal that the thing exists answers with the plain "not found".
    conceals = False

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class Conflict(Refused):
    """409: the request is understood, but the thing is not in a state that allows it."""

    status = 409
    default_message = _("当前状态不允许此操作。")
