"""Background work of the quiz engine: closing attempts whose time is up (thin wrappers over services)."""

from django_tasks import task

from learning.quizzes import services


@task()
def attempt_close_overdue_task(attempt_id: int) -> bool:
    """Close one attempt at its deadline (enqueued with run_after when it starts)."""
    return services.attempt_close_if_overdue(attempt_id=attempt_id)


@task()
def attempts_close_overdue_task() -> int:
    """Close every overdue attempt (the task worker runs this every minute: cms/periodic)."""
    return services.attempts_close_overdue()
