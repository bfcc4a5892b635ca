"""Re-queue encoding jobs whose worker died; run it from cron or a systemd timer every few minutes."""

from django.core.management.base import BaseCommand

from media_pipeline import services


class Command(BaseCommand):
    help = "重新排队失去心跳的转码任务。Re-queue encoding jobs abandoned by dead workers."

    def handle(self, *args, **options):
        requeued = services.stale_jobs_requeue()
        self.stdout.write(f"requeued {len(requeued)} job(s): {requeued}")
