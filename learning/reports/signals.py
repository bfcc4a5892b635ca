"""Reactions of learning.reports to what happens in the layers below it."""

from learning.quizzes.models import AttemptState
from learning.quizzes.selectors import counted_attempt
from learning.reports.models import Certificate


def certificates_to_review_on_regrade(sender, *, quiz, attempts, summary, **kwargs) -> None:
    """After a regrade (quizzes.signals.quiz_regraded): flag the valid certificates whose holder
    no longer passes the exam, for a person to review. Certificates are never revoked here."""
    lost = {change.user_id for change in summary.pass_to_fail}
    if not lost or not quiz.training_class_id:
        return
    certificates = dict(
        Certificate.objects.filter(
            training_class_id=quiz.training_class_id,
            trainee__user_id__in=lost,
            revoked_at__isnull=True,
        ).values_list("trainee__user_id", "number")
    )
    names = {change.user_id: change.trainee for change in summary.changes}
    by_user: dict[int, list] = {}
    for attempt in attempts:
        by_user.setdefault(attempt.user_id, []).append(attempt)
    for user_id in sorted(lost):
        mine = by_user.get(user_id, [])
        if any(a.state == AttemptState.GRADED and a.passed for a in mine):
            continue
        counted = counted_attempt(mine, quiz.grading_method)
        if user_id in certificates and not (counted and counted.passed):
            summary.certificates_to_review.append(
                {
                    "user": user_id,
                    "trainee": names.get(user_id, ""),
                    "certificate": certificates[user_id],
                }
            )
