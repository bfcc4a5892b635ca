"""Typed refusals of party.appraisal: each carries a stable `code` and the HTTP status it maps to.
A refusal means nothing was written."""


class AppraisalError(Exception):
    status = 400

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class NotParticipantError(AppraisalError):
    """The caller takes no part in this campaign (not a member of the branch)."""

    status = 403


class AlreadyVotedError(AppraisalError):
    status = 409


class NotYetError(AppraisalError):
    """Asked too early: results before the 民主测评 closed (or, for a participant, before they are
    published). The request is fine; the campaign is not there yet."""

    status = 409


class OutOfScopeError(AppraisalError):
    """Not the caller's to see or manage: shown as 404, as everywhere."""

    status = 404
