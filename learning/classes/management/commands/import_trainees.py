"""manage.py import_trainees FILE.xlsx [--class ID] [--passwords-out SHEET.xlsx]: import a trainee
roster, all or nothing; new accounts' random initial passwords are written to the sheet."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from learning.classes.models import TrainingClass
from learning.classes.roster import RosterError, initial_password_sheet, trainees_import


class Command(BaseCommand):
    help = "从 .xlsx 名单导入学员（姓名、学号/工号、学院、党支部、培养阶段、手机号），有错则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件 .xlsx")
        parser.add_argument("--class", dest="class_id", type=int, help="同时报名到此培训班（ID）")
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
                result = trainees_import(file=handle, training_class=training_class)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{file}") from exc
        except RosterError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"名单有 {len(exc.errors)} 处错误，未导入任何学员。") from exc
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
                f"新建学员 {result.created} 人，更新 {result.updated} 人，报名 {result.enrolled} 人；"
                f"新建学院 {result.colleges_created} 个、党支部 {result.branches_created} 个。"
            )
        )
