"""`manage.py import_questions FILE --bank NAME [--yes]`: import a question bank, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from learning.quizzes.excel import import_questions


class Command(BaseCommand):
    help = (
        "从 Excel（.xlsx/.xls）或 CSV 导入试题到题库；任何一行有错误时不导入任何试题；"
        "有需要确认的提示（如缺少分值列）时须加 --yes。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="文件路径（.xlsx、.xls 或 .csv）")
        parser.add_argument("--bank", required=True, help="题库名称（不存在时自动创建）")
        parser.add_argument(
            "--yes", action="store_true", help="确认提示（如缺少「分值」列时全部按 1 分计）"
        )

    def handle(self, *args, **options):
        try:
            with open(options["file"], "rb") as handle:
                result = import_questions(
                    file=handle, bank_name=options["bank"], accept_warnings=options["yes"]
                )
        except OSError as exc:
            raise CommandError(f"无法打开文件：{exc}") from exc
        if result.header_row:
            self.stdout.write(f"表头：第 {result.header_row} 行（{result.format_label}）")
        if result.ignored:
            self.stdout.write("已忽略列：" + "、".join(result.ignored))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.errors.omitted:
                self.stderr.write(f"……另有 {result.errors.omitted} 处错误未列出。")
            raise CommandError(f"共 {result.error_total} 处错误，未导入任何试题。")
        for warning in result.warnings:
            self.stderr.write("提示：" + warning)
        if not result.imported:
            raise CommandError("有需要确认的提示，未导入；确认无误后加 --yes 重新运行。")
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {result.created} 道试题到题库「{options['bank']}」。")
        )
