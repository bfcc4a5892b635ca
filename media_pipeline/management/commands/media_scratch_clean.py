"""Remove scratch folders of encodes whose worker was killed (MEDIA_ROOT/videos/.work/).

The task worker runs the same clean-up every five minutes (cms/periodic); run this by hand when needed.
"""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from media_pipeline import selectors, services


class Command(BaseCommand):
    help = "删除已中断转码留下的临时目录。Remove scratch folders of encodes no longer running."

    def handle(self, *args, **options):
        removed = services.scratch_folders_clean()
        usage = selectors.scratch_usage()
        self.stdout.write(
            f"removed {len(removed)} scratch folder(s); {usage['folders']} left, "
            f"{filesizeformat(usage['bytes'])}"
        )
