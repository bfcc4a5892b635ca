"""切屏 reports racing each other (a retry crossing the original, two at the limit): counted once each."""

import pytest

from learning.quizzes import services
from learning.quizzes.models import Attempt, AttemptFocusLoss, AttemptState
from tests.learning.quizzes.test_quiz_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def setup(quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank):
    user = quiz_user_factory()
    exam = quiz_exam_factory(
        quiz_class_factory(trainees=[user]),
        fixed=list(quiz_bank.questions.filter(type="single")[:1]),
        max_focus_losses=1,
    )
    attempt, _ = services.attempt_start(quiz=exam, user=user)
    return attempt, user


def lose(attempt, user, event_id):
    return lambda: services.attempt_focus_lost(attempt_id=attempt.pk, user=user, event_id=event_id)


def test_a_retry_racing_the_original_counts_once(setup):
    attempt, user = setup
    results = run_together(*(lose(attempt, user, "same") for _ in range(4)))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.recorded for r in results) == [False, False, False, True]
    attempt.refresh_from_db()
    assert attempt.focus_losses == 1 and attempt.state == AttemptState.IN_PROGRESS
    assert AttemptFocusLoss.objects.filter(attempt=attempt).count() == 1


def test_two_departures_past_the_limit_hand_in_once(setup):
    attempt, user = setup
    services.attempt_focus_lost(attempt_id=attempt.pk, user=user, event_id="first")
    results = run_together(lose(attempt, user, "a"), lose(attempt, user, "b"))
    closed = [r for r in results if not isinstance(r, Exception)]
    # One report exceeds the limit and hands the attempt in; the other finds it closed (409).
    assert len(closed) == 1 and closed[0].closed_by_focus_loss and closed[0].focus_losses == 2
    assert [type(r).__name__ for r in results if isinstance(r, Exception)] == ["AttemptClosed"]
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.state == AttemptState.GRADED and attempt.closed_by_focus_loss
    assert attempt.focus_losses == 2
