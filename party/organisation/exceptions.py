"""Typed errors of the organisation tree; each carries a code and a message for the user."""


class OrganisationError(Exception):
    code = "organisation_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class UnitPlacementError(OrganisationError):
    code = "unit_placement"


class UnitInUseError(OrganisationError):
    code = "unit_in_use"


class OutOfScopeError(OrganisationError):
    code = "out_of_scope"
