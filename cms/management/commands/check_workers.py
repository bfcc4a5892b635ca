"""Send pings through the task queue and report which workers answered (is anyone taking jobs?)."""

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from cms.tasks import worker_ping


class Command(BaseCommand):
    help = "向任务队列发送探测任务并报告哪些工作进程处理了它们。Ping the task workers."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10)
        parser.add_argument("--timeout", type=float, default=60.0)
        parser.add_argument("--sleep", type=float, default=0.2, help="seconds each ping takes")

    def handle(self, *args, count: int, timeout: float, sleep: float, **options):
        results = [worker_ping.enqueue(sleep_seconds=sleep) for _ in range(count)]
        deadline = time.monotonic() + timeout
        pending = list(results)
        while pending and time.monotonic() < deadline:
            for result in list(pending):
                result.refresh()
                if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
                    pending.remove(result)
            if pending:
                time.sleep(0.2)
        if pending:
            raise CommandError(
                f"{len(pending)}/{count} 个探测任务在 {timeout:.0f} 秒内未完成：没有工作进程在处理任务？"
                f" {len(pending)}/{count} pings unanswered: is any worker running?"
            )
        failed = [r for r in results if r.status == TaskResultStatus.FAILED]
        if failed:
            errors = {
                error.traceback.strip().splitlines()[-1] for r in failed for error in r.errors
            }
            raise CommandError(f"{len(failed)} pings failed: {'; '.join(sorted(errors))}")
        workers = Counter(worker for r in results for worker in (r.worker_ids or ["(inline)"]))
        for worker, n in sorted(workers.items()):
            self.stdout.write(f"{worker}\t{n}")
        self.stdout.write(self.style.SUCCESS(f"{count} pings answered by {len(workers)} worker(s)"))
