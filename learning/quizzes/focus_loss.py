"""切屏检测: the exam page reports each time it was hidden; past the quiz's limit the attempt is
handed in (attempts.attempt_submit)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.quizzes.attempts import attempt_overdue, attempt_submit
from learning.quizzes.exceptions import AttemptClosed
from learning.quizzes.models import Attempt, AttemptFocusLoss, AttemptState


@dataclass
class FocusLoss:
    """The attempt after a reported focus loss: its count, its limit and whether it is still open."""

    attempt_id: int
    state: str
    focus_losses: int
    max_focus_losses: int
    closed_by_focus_loss: bool
    # False when this event id had been recorded before (a retried report): nothing counted.
    recorded: bool


def attempt_focus_lost(
    *,
    attempt_id: int,
    user,
    event_id: str,
    hidden_at: datetime | None = None,
    now: datetime | None = None,
) -> FocusLoss:
    """Record that the exam page was hidden; hand the attempt in once the quiz's limit is exceeded.

    Idempotent per `event_id`: a report the page retries after a network drop counts once, and a
    retry of the report that closed the attempt answers with the closed attempt. A new report on
    a closed attempt raises AttemptClosed; one past the deadline closes the attempt by deadline.
    A constant number of queries while the limit is not exceeded: the locked attempt with its
    quiz's limit, the event lookup, the insert and the counter update.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .only(
                "id",
                "user_id",
                "state",
                "deadline",
                "focus_losses",
                "closed_by_focus_loss",
                "quiz__id",
                "quiz__max_focus_losses",
            )
            .get(pk=attempt_id, user=user)
        )
        limit = attempt.quiz.max_focus_losses
        # Under the attempt's row lock, so two copies of one report cannot both miss each other.
        seen = AttemptFocusLoss.objects.filter(attempt_id=attempt.pk, event_id=event_id).exists()

        def result(recorded: bool) -> FocusLoss:
            return FocusLoss(
                attempt_id=attempt.pk,
                state=attempt.state,
                focus_losses=attempt.focus_losses,
                max_focus_losses=limit,
                closed_by_focus_loss=attempt.closed_by_focus_loss,
                recorded=recorded,
            )

        if seen:
            return result(False)
        if attempt.state != AttemptState.IN_PROGRESS:
            raise AttemptClosed()
        if not attempt_overdue(attempt, now):
            AttemptFocusLoss.objects.create(
                attempt_id=attempt.pk, event_id=event_id, hidden_at=hidden_at, created_at=now
            )
            attempt.focus_losses += 1
            Attempt.objects.filter(pk=attempt.pk).update(focus_losses=attempt.focus_losses)
            if limit and attempt.focus_losses > limit:
                # In the same transaction: the event, the count and the hand-in go together.
                closed = attempt_submit(attempt_id=attempt.pk, now=now, focus_loss=True)
                attempt.state = closed.state
                attempt.closed_by_focus_loss = closed.closed_by_focus_loss
            return result(True)
    # Past the deadline: closed like a late answer, with the answers saved before it.
    attempt_submit(attempt_id=attempt_id, now=now)
    raise AttemptClosed(_("考试时间已到，已按截止前保存的答案自动交卷。"))
