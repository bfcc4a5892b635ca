"""Background tasks (django-tasks, queue "media"): thin wrappers over the services."""

from django_tasks import task

from media_pipeline import services


@task(queue_name="media", takes_context=True)
def encoding_job_run_task(context, *, job_id: int) -> str:
    # Each worker that picks up work first rescues jobs abandoned by dead workers.
    services.stale_jobs_requeue()
    job = services.encoding_job_run(job_id=job_id, task_id=str(context.task_result.id))
    return job.status if job else "deleted"


@task(queue_name="media")
def stale_jobs_requeue_task() -> list[int]:
    return services.stale_jobs_requeue()


@task(queue_name="media")
def video_files_delete_task(*, original: str, output_dir: str) -> None:
    services.video_files_delete(original=original, output_dir=output_dir)
