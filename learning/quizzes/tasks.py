"""Background work of the quiz engine: closing attempts whose time is up (thin wrappers over services)."""

from datetime import timedelta

from django_tasks import default_task_backend, task

from learning.quizzes import services


@task()
def attempt_close_overdue_task(attempt_id: int) -> bool:
    """Close one attempt at its deadline (enqueued with run_after when it starts)."""
    return services.attempt_close_if_overdue(attempt_id=attempt_id)


@task()
def attempts_close_overdue_task() -> int:
    """Close every overdue attempt (the task worker runs this every minute: cms/periodic)."""
    return services.attempts_close_overdue()


def attempt_close_schedule(sender, *, attempt, **kwargs) -> None:
    """On quizzes.signals.attempt_started: ask the task backend to close a timed attempt at its
    deadline, when the backend can run tasks later."""
    if attempt.deadline is None or not default_task_backend.supports_defer:
        return
    # Enqueued inside the attempt's transaction: with the database backend it is one commit, and
    # a task whose attempt was rolled back finds nothing to close.
    run_after = attempt.deadline + timedelta(seconds=5)
    attempt_close_overdue_task.using(run_after=run_after).enqueue(attempt_id=attempt.pk)
