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


# (user_ids, year) -> {user_id: Decimal}: 学时 credited in the calendar year (micro-lessons, training
# classes, organisation life), provided by learning (learning/progress/org_life.py).
YearlyHours = Callable[..., dict]
_yearly_hours: YearlyHours | None = None


def register_yearly_hours(provider: YearlyHours) -> None:
    global _yearly_hours
    _yearly_hours = provider


def yearly_hours(*, members, year: int) -> dict | None:
    """{member pk: Decimal 学时 in `year`} for `members` (a member without an account has 0, the
    ledger being keyed by user); None when no app provides the ledger. One query (the provider's).
    party.members.education.yearly_standing adds the required line."""
    if _yearly_hours is None:
        return None
    from decimal import Decimal

    by_user = _yearly_hours(user_ids={m.user_id for m in members if m.user_id}, year=year)
    return {
        m.pk: by_user.get(m.user_id, Decimal("0")) if m.user_id else Decimal("0") for m in members
    }
