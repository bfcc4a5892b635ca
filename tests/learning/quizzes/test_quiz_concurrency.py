"""Two tabs at once: concurrent starts give one attempt; concurrent saves and submit never corrupt it."""

import threading

import pytest
from django.db import connection

from learning.quizzes import services
from learning.quizzes.exceptions import AttemptClosed
from learning.quizzes.models import Attempt, AttemptAnswer, AttemptState, AttemptStep

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(*targets):
    """Run the callables in threads released at the same moment; return their results or errors."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def wrap(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # noqa: BLE001 - collected and inspected by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def setup(quiz_exam_factory, quiz_class_factory, quiz_user_factory, quiz_bank):
    user = quiz_user_factory()
    exam = quiz_exam_factory(
        quiz_class_factory(trainees=[user]),
        fixed=list(quiz_bank.questions.filter(type__in=["single", "true_false"])),
        shuffle_options=False,
    )
    return exam, user


def test_two_tabs_starting_at_once_get_the_same_attempt(setup):
    exam, user = setup
    results = run_together(
        lambda: services.attempt_start(quiz=exam, user=user),
        lambda: services.attempt_start(quiz=exam, user=user),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0][0].pk == results[1][0].pk
    assert Attempt.objects.filter(quiz=exam, user=user).count() == 1


def test_concurrent_saves_keep_every_step_and_one_answer_per_question(setup):
    exam, user = setup
    attempt, _ = services.attempt_start(quiz=exam, user=user)
    single = next(q for q in attempt.questions if q["type"] == "single")
    targets = [
        (
            lambda key=key: services.attempt_answer_save(
                attempt_id=attempt.pk, user=user, question_id=single["id"], answer=key
            )
        )
        for key in "ABCDABCD"
    ]
    results = run_together(*targets)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert AttemptStep.objects.filter(attempt=attempt).count() == 8
    rows = AttemptAnswer.objects.filter(attempt=attempt)
    assert rows.count() == 1
    # The kept answer is the last step saved: the row and the step log agree.
    last_step = AttemptStep.objects.filter(attempt=attempt).order_by("id").last()
    assert rows.get().answer == last_step.answer


def test_save_racing_submit_is_either_saved_before_or_refused(setup):
    exam, user = setup
    attempt, _ = services.attempt_start(quiz=exam, user=user)
    single = next(q for q in attempt.questions if q["type"] == "single")
    results = run_together(
        lambda: services.attempt_answer_save(
            attempt_id=attempt.pk, user=user, question_id=single["id"], answer=single["answer"]
        ),
        lambda: services.attempt_submit(attempt_id=attempt.pk, user=user),
        lambda: services.attempt_submit(attempt_id=attempt.pk, user=user),
    )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED
    saved, first, second = results
    assert first.score == second.score == attempt.score
    if isinstance(saved, AttemptClosed):
        assert attempt.score == 0
    else:
        assert not isinstance(saved, Exception), saved
        assert attempt.score == 2  # the save was taken before the submit graded it
