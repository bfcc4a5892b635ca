"""Typed refusals of party.dues: each carries a stable `code` and the HTTP status it maps to."""


class DuesError(Exception):
    """Bad input or a rule that forbids the write; nothing was written."""

    status = 400

    def __init__(self, message: str, *, code: str, errors: list | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or []  # row or field errors: [{"row"/"member"/"field", "message"}]


class OutOfScopeError(DuesError):
    """The member or unit is not the caller's to manage: shown as 404, as everywhere."""

    status = 404


class ConflictError(DuesError):
    """Already done in another way (a reversed entry, a gateway id with other details)."""

    status = 409
