"""`manage.py periodic_jobs`: list the periodic jobs and their last runs; `--run-due` runs due ones."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cms.periodic import scheduler
from cms.periodic.jobs import JOBS
from cms.periodic.models import PeriodicJob


def _at(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


class Command(BaseCommand):
    help = "列出定时任务及其上次运行结果。List the periodic jobs and how their last runs went."

    def add_arguments(self, parser):
        parser.add_argument(
            "--run-due",
            action="store_true",
            help="立即运行到期的定时任务（与工作进程共用领取规则）。Run the due jobs once, now.",
        )

    def handle(self, *args, run_due: bool = False, **options):
        if run_due:
            for name, outcome in scheduler.run_due().items():
                self.stdout.write(f"{name}\t{outcome}")
        rows = {row.name: row for row in PeriodicJob.objects.all()}
        now = timezone.now()
        for spec in JOBS:
            row = rows.get(spec.name)
            every = f"every {int(spec.interval.total_seconds())}s"
            if row is None:
                self.stdout.write(f"{spec.name}  {every}  never run")
                continue
            self.stdout.write(
                f"{spec.name}  {every}  last: {row.last_outcome or 'never run'}"
                f" started {_at(row.last_started_at)} finished {_at(row.last_finished_at)}"
                f" by {row.claimed_by or '-'}  next: {_at(row.next_run_at)}"
                + ("  (overdue)" if row.next_run_at < now - spec.interval else "")
            )
            if row.last_result:
                self.stdout.write(f"    {row.last_result}")
            if row.last_error:
                self.stdout.write(f"    {row.last_error.strip().splitlines()[-1]}")
