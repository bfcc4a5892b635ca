"""`manage.py import_questions FILE.xlsx --bank NAME`: import a question bank from Excel, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from learning.quizzes.excel import import_questions


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入试题到题库；任何一行有错误时不导入任何试题。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件路径（.xlsx）")
        parser.add_argument("--bank", required=True, help="题库名称（不存在时自动创建）")

    def handle(self, *args, **options):
        try:
            with open(options["file"], "rb") as handle:
                result = import_questions(file=handle, bank_name=options["bank"])
        except OSError as exc:
            raise CommandError(f"无法打开文件：{exc}") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"共 {len(result.errors)} 处错误，未导入任何试题。")
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {result.created} 道试题到题库「{options['bank']}」。")
        )
