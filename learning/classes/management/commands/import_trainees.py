"""manage.py import_trainees FILE [--class ID] [--passwords-out SHEET.xlsx]: import a trainee
roster into the Party tree's existing 党支部, all or nothing; new accounts' random initial
passwords are written to the sheet."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from learning.classes.models import TrainingClass
from learning.classes.roster import (
    RosterError,
    initial_password_sheet,
    roster_plan,
    trainees_import,
)


class Command(BaseCommand):
    help = (
        "从名单（.xlsx、.xls 或 .csv）导入学员（姓名、学号/工号、学院、党支部、发展阶段、手机号），"
        "学院、党支部须是「党组织」中已有的院系党委和党支部（不新建）；有错则全部不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件（.xlsx、.xls 或 .csv）")
        parser.add_argument("--class", dest="class_id", type=int, help="同时编入此培训班（ID）")
        parser.add_argument(
            "--passwords-out",
            help="新账号随机初始密码表的保存位置（.xlsx，默认 初始密码-日期时间.xlsx）；首次登录必须修改",
        )

    def handle(self, *args, file, class_id=None, passwords_out=None, **options):
        training_class = None
        if class_id is not None:
            training_class = TrainingClass.objects.filter(pk=class_id).first()
            if training_class is None:
                raise CommandError(f"培训班 {class_id} 不存在。")
        try:
            with open(file, "rb") as handle:
                plan = roster_plan(handle, training_class=training_class)
                self.stdout.write(
                    f"表头：第 {plan.header_row} 行（{plan.format_label}）；"
                    f"共 {len(plan.rows)} 名学员：新建 {plan.to_create} 人，更新 {plan.to_update} 人；"
                    f"党员档案：关联已有档案 {plan.to_link} 人，新建档案 {plan.to_new_record} 人。"
                )
                if plan.ignored:
                    self.stdout.write("已忽略列：" + "、".join(plan.ignored))
                result = trainees_import(
                    file=handle, training_class=training_class, progress=self._progress
                )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{file}") from exc
        except RosterError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            if exc.total > len(exc.errors):
                self.stderr.write(f"……另有 {exc.total - len(exc.errors)} 处错误未列出。")
            raise CommandError(f"名单有 {exc.total} 处错误，未导入任何学员。") from exc
        if result.initial_passwords:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            passwords_out = passwords_out or f"初始密码-{stamp}.xlsx"
            # Readable by the operator only: it holds working passwords until they are changed.
            descriptor = os.open(passwords_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as sheet:
                sheet.write(initial_password_sheet(result.initial_passwords))
            self.stdout.write(f"新账号的初始密码表：{passwords_out}（分发后请销毁）")
        self.stdout.write(
            self.style.SUCCESS(
                f"新建学员 {result.created} 人，更新 {result.updated} 人，编班 {result.enrolled} 人；"
                f"党员档案：关联已有档案 {result.linked} 人，新建档案 {result.new_records} 人。"
            )
        )

    def _progress(self, done: int, total: int) -> None:
        """Progress on stderr, a line per 50 rows: a 1,000-row roster hashes 1,000 passwords."""
        self.stderr.write(f"已处理 {done}/{total}")
