"""Errors of party.stats: bad input a caller must correct (400 with a code)."""


class StatsInputError(ValueError):
    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code
