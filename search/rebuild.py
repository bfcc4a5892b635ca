"""Rebuilding the search index atomically: a complete new index is swapped in, or nothing changes."""

import time
from dataclasses import dataclass

from modelsearch.backends import get_search_backend
from modelsearch.index import get_indexed_models

CHUNK_SIZE = 500


@dataclass
class RebuildResult:
    documents: int
    seconds: float


def search_index_rebuild(
    *, backend_name: str = "default", chunk_size: int = CHUNK_SIZE, on_chunk=None
):
    """Rebuild one backend's index from the database; searches keep using the old one meanwhile.

    `on_chunk(model, count)` is called after each chunk is written (progress, and tests that
    interrupt a rebuild midway).
    """
    backend = get_search_backend(backend_name)
    if backend.rebuilder_class is None:
        return RebuildResult(documents=0, seconds=0.0)
    started = time.perf_counter()
    count = 0
    indexes = {}
    for model in get_indexed_models():
        index = backend.get_index_for_model(model)
        indexes.setdefault(index.get_key(), (index, []))[1].append(model)
    for index, models in indexes.values():
        rebuilder = backend.rebuilder_class(index)
        new_index = rebuilder.start()
        try:
            for model in models:
                new_index.add_model(model)
                queryset = model.get_indexed_objects().order_by("pk")
                last_pk = None
                while True:
                    chunk_qs = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
                    chunk = list(chunk_qs[:chunk_size])
                    if not chunk:
                        break
                    new_index.add_items(model, chunk)
                    count += len(chunk)
                    last_pk = chunk[-1].pk
                    if on_chunk is not None:
                        on_chunk(model, len(chunk))
        except BaseException:
            release = getattr(getattr(rebuilder, "rebuild", None), "release", None)
            if release is not None:
                release()
            raise
        rebuilder.finish()
    return RebuildResult(documents=count, seconds=time.perf_counter() - started)
