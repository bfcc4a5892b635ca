"""Run a background task worker for whichever task backend is configured (database or Redis).

The worker also runs the periodic jobs (cms/periodic/jobs.py) in a thread, unless `--no-periodic`
or `--burst`; several workers share them, each job running at most once per interval.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务进程（按 TASK_BACKEND 选择数据库队列或 Redis）。Run a task worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "queues", nargs="*", help=f"queues to serve (default: all of {settings.TASK_QUEUES})"
        )
        parser.add_argument("--name", help="worker name (Redis workers)")
        parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="不运行定时任务。Do not run the periodic jobs in this worker.",
        )

    def handle(
        self,
        *args,
        queues: list[str],
        name: str | None,
        burst: bool,
        no_periodic: bool = False,
        **options,
    ):
        queues = queues or list(settings.TASK_QUEUES)
        if settings.TASK_BACKEND not in ("redis", "database"):
            self.stderr.write(
                f"TASK_BACKEND={settings.TASK_BACKEND}: tasks run inline, no worker needed."
            )
            return
        scheduler = None
        if not (burst or no_periodic):
            from cms.periodic.scheduler import PeriodicScheduler, worker_label

            scheduler = PeriodicScheduler(worker=worker_label(name))
            scheduler.start()
        try:
            self._run_worker(queues=queues, name=name, burst=burst)
        finally:
            if scheduler is not None:
                scheduler.stop(timeout=10)

    def _run_worker(self, *, queues: list[str], name: str | None, burst: bool) -> None:
        if settings.TASK_BACKEND == "redis":
            extra = {"name": name} if name else {}
            # django-tasks' RQ backend needs its own Job class to record results and errors.
            call_command(
                "rqworker", *queues, job_class="django_tasks_rq.backend.Job", burst=burst, **extra
            )
        else:
            call_command(
                "db_worker",
                queue_name=",".join(queues),
                interval=1,
                batch=burst,
                **({"worker_id": name} if name else {}),
            )
