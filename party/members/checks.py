"""Facts that other apps provide to the gates, registered at start-up so that party.members never
imports them. learning registers the 发展对象 training certificate check (细则 art. 17)."""

from collections.abc import Callable
from datetime import date

# (member, since) -> whether the member holds a valid 发展对象 training certificate from a class
# that started on or after `since`.
CandidateTrainingCheck = Callable[..., bool]
_candidate_training_check: CandidateTrainingCheck | None = None


def register_candidate_training_check(check: CandidateTrainingCheck) -> None:
    global _candidate_training_check
    _candidate_training_check = check


def candidate_training_passed(*, member, since: date) -> bool | None:
    """True/False from the registered check; None when no app provides it (the gate then fails,
    saying that the certificate cannot be verified)."""
    if _candidate_training_check is None:
        return None
    return bool(_candidate_training_check(member=member, since=since))
