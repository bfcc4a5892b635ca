"""Typed refusals of party.meetings: each carries a stable `code` and the HTTP status it maps to."""


class MeetingError(Exception):
    """Bad input or a rule that forbids the write; nothing was written."""

    status = 400

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class NotExpectedError(MeetingError):
    """The member is not 应到 at this meeting."""

    status = 403


class AlreadyRecordedError(MeetingError):
    """The check-in (or request) was already recorded."""

    status = 409


class OutOfScopeError(MeetingError):
    """The unit or meeting is not the caller's to manage: shown as 404, as everywhere."""

    status = 404
