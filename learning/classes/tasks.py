"""Background work of learning.classes (django-tasks): thin wrappers over the services."""

from django_tasks import task

from learning.classes import roster


@task()
def roster_import_task(*, upload_id: int) -> str:
    """Import a confirmed roster upload: 1,000 new accounts hash 1,000 passwords, minutes of work
    that must not run inside a web request."""
    return roster.roster_upload_run(upload_id=upload_id)
