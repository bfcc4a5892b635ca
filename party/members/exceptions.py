"""Typed errors of member development, each with a code for programs and a message for people."""


class MemberError(Exception):
    code = "member_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class StageTransitionError(MemberError):
    """The person's current stage does not allow this change (409)."""

    code = "stage_transition"


class GateFailed(MemberError):
    """A rule forbids the change (400 with the rule's cited text). `failures` lists every gate
    that failed, so one answer tells the user everything that is missing."""

    def __init__(self, failures: list[tuple]):
        self.failures = failures  # [(GateRule, message)]
        gate, message = failures[0]
        super().__init__(message, code=gate.code)
        self.rule = gate


class OverrideError(MemberError):
    code = "override_not_allowed"
