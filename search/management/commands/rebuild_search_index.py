"""`manage.py rebuild_search_index`: rebuild the search index atomically (old index serves meanwhile)."""

from django.core.management.base import BaseCommand, CommandError
from modelsearch.conf import get_app_config

from search.rebuild import CHUNK_SIZE, search_index_rebuild
from search.store import RebuildInProgress


class Command(BaseCommand):
    help = "重建搜索索引：新索引完整建好后一次性替换旧索引，期间搜索照常使用旧索引。"

    def add_arguments(self, parser):
        parser.add_argument("--backend", dest="backend_name", default=None)
        parser.add_argument("--chunk-size", dest="chunk_size", type=int, default=CHUNK_SIZE)

    def handle(self, *args, backend_name=None, chunk_size=CHUNK_SIZE, verbosity=1, **options):
        names = (
            [backend_name] if backend_name else list(get_app_config().get_search_backend_config())
        )
        for name in names:
            try:
                result = search_index_rebuild(backend_name=name, chunk_size=chunk_size)
            except RebuildInProgress as exc:
                raise CommandError(
                    f"另一个重建正在进行 (a rebuild is already running): {exc}"
                ) from exc
            if verbosity:
                rate = result.documents / result.seconds if result.seconds else 0
                self.stdout.write(
                    f"{name}: indexed {result.documents} objects in {result.seconds:.1f}s ({rate:.0f} docs/s)"
                )
