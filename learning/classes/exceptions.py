"""Typed refusals of learning.classes (trainee accounts); the API maps them once to its error format
(learning/exceptions.py). The roster import reports its rows with RosterError (roster/), which
the admin page and the command list row by row: it is not an API answer."""

from learning.exceptions import InvalidInput, LearningError


class ClassesError(LearningError):
    """Base of the classes errors."""


class WeakPassword(ClassesError, InvalidInput):
    """The new password fails Django's AUTH_PASSWORD_VALIDATORS (400, every message on
    `new_password`)."""
