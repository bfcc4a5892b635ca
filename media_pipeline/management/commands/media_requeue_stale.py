"""Recover encoding jobs: re-queue those whose worker died and re-enqueue long-waiting ones.

The task worker runs the same check every 15 seconds (cms/periodic); run this by hand when needed.
"""

from django.core.management.base import BaseCommand

from media_pipeline import services


class Command(BaseCommand):
    help = "重新排队失去心跳的转码任务。Re-queue encoding jobs abandoned by dead workers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--waiting",
            action="store_true",
            help="同时重新投递长时间未被领取的任务。Also re-enqueue queued jobs nobody picked up.",
        )

    def handle(self, *args, waiting: bool = False, **options):
        requeued = services.stale_jobs_requeue()
        self.stdout.write(f"requeued {len(requeued)} stale job(s): {requeued}")
        if waiting:
            again = services.queued_jobs_enqueue()
            self.stdout.write(f"enqueued again {len(again)} waiting job(s): {again}")
