"""`manage.py dues_summary`: bring the 党费 summary up to date (the months not held yet);
`--rebuild` recomputes it all from the records. The periodic job of the same name runs the first
every 5 minutes."""

from django.core.management.base import BaseCommand

from party.dues import summary


class Command(BaseCommand):
    help = (
        "更新党费月汇总（补齐未汇总的月份）；--rebuild 按原始记录全部重算。"
        "Update the dues summary (the months not held yet); --rebuild recomputes it all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="全部重算。Recompute it all.")

    def handle(self, *args, rebuild: bool = False, **options):
        months = summary.rebuild() if rebuild else summary.update()
        span = f"{months[0]:%Y-%m} – {months[-1]:%Y-%m}" if months else "-"
        self.stdout.write(f"computed {len(months)} month(s): {span}")
