"""Remove spreadsheet imports' leftovers: previews never imported (after IMPORT_STAGED_KEEP_HOURS)
and finished imports' records with any initial passwords not collected (after
IMPORT_RESULT_KEEP_DAYS).

The task worker runs the same clean-up every hour (cms/periodic); run this by hand when needed.
"""

from django.core.management.base import BaseCommand

from tabular import services


class Command(BaseCommand):
    help = (
        "删除未导入的暂存表格和过期的导入结果（含未领取的初始密码）。"
        "Remove staged uploads never imported and expired import results."
    )

    def handle(self, *args, **options):
        staged, finished = services.uploads_clean()
        self.stdout.write(
            f"removed {staged} staged upload(s) never imported, {finished} finished import record(s)"
        )
