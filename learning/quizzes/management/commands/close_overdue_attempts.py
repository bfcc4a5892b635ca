"""`manage.py close_overdue_attempts`: close attempts past their deadline now (the task worker also runs this every minute, see cms/periodic)."""

from django.core.management.base import BaseCommand

from learning.quizzes.tasks import attempts_close_overdue_task


class Command(BaseCommand):
    help = "关闭已超过截止时间的作答（按截止前保存的答案交卷）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="放入任务队列，由 worker 执行（默认立即执行）。"
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            attempts_close_overdue_task.enqueue()
            self.stdout.write("已加入任务队列。")
            return
        closed = attempts_close_overdue_task.call()
        self.stdout.write(f"已关闭 {closed} 个超时作答。")
