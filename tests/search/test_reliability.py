"""Index writes under contention and crashes: concurrent writers, a held lock, killed and failed rebuilds."""

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.models import Page

from cms.pages.models import ArticleLessonPage
from search.rebuild import search_index_rebuild
from search.store import IndexStore, RebuildInProgress, _flock
from tests.factories import publish

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)

# A writer process: publishes (indexes) `count` lessons one at a time through the real backend.
# Once set up it says "ready" and waits for "go" on its standard input, so that the test can start
# it and its twin at the same moment.
WRITER = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django
    django.setup()
    from django.conf import settings
    from cms.pages.models import ArticleLessonPage
    from search.backend import WhooshSearchBackend

    path, start_pk, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    backend = WhooshSearchBackend({"PATH": path, "RAISE_INDEXING_ERRORS": True})
    print("ready", flush=True)
    assert sys.stdin.readline() == "go\\n"
    for pk in range(start_pk, start_pk + count):
        page = ArticleLessonPage(pk=pk, id=pk, title=f"并发发布第{pk}课 两学一做")
        backend.add(page)
    """
)

KILLED_REBUILD = textwrap.dedent(
    """
    import os, signal, sys
    from search.store import IndexStore
    store = IndexStore(sys.argv[1])
    rebuild = store.start_rebuild()
    rebuild.add([{"key": "wagtailcore.page:999", "pk": "999", "content_types": "wagtailcore_page",
                  "f_title": "只在新索引里"}])
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def run_python(script: str, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_two_processes_writing_at_once_lose_nothing(backend, search_index):
    backend.store.open()  # the first generation exists before the writers race
    writers = [run_python(WRITER, search_index, start, 25) for start in (1000, 2000)]
    for writer in writers:
        assert writer.stdout.readline() == b"ready\n", writer.communicate(timeout=120)[1].decode()
    for writer in writers:
        writer.stdin.write(b"go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    with backend.store.searcher() as searcher:
        keys = {fields["key"] for fields in searcher.all_stored_fields()}
    expected = {f"wagtailcore.page:{pk}" for pk in [*range(1000, 1025), *range(2000, 2025)]}
    assert keys == expected


def test_a_write_that_cannot_get_the_lock_is_logged_not_raised(
    settings, search_index, course, caplog
):
    settings.WAGTAILSEARCH_BACKENDS["default"]["WRITE_TIMEOUT"] = 0.2
    from modelsearch.backends import get_search_backend

    backend = get_search_backend()
    backend.store.open()
    with _flock(backend.store.write_lock_path), caplog.at_level(logging.ERROR):
        backend.add(course)  # must not raise while another writer holds the lock
    assert "Could not update the search index" in caplog.text
    backend.add(course)
    assert [p.title for p in backend.search("党史", Page)] == [course.title]


def test_a_killed_rebuild_leaves_the_old_index_serving(backend, search_index, lessons, reindex):
    reindex()
    serving = os.readlink(search_index / "current")
    killed = run_python(KILLED_REBUILD, search_index)
    killed.communicate(timeout=60)
    assert killed.returncode == -9
    assert list(search_index.glob("build-*"))  # the half-built index is still on disk
    assert os.readlink(search_index / "current") == serving
    assert [p.title for p in backend.search("积极分子", Page)] == ["入党积极分子培养教育"]
    assert [p.title for p in backend.search("只在新索引里", Page)] == []
    assert not backend.store.rebuild_running()  # the kernel released the dead rebuild's lock

    reindex()  # the next rebuild clears the debris and completes
    assert not list(search_index.glob("build-*"))
    assert os.readlink(search_index / "current") != serving
    assert [p.title for p in backend.search("积极分子", Page)] == ["入党积极分子培养教育"]


def test_a_failed_rebuild_changes_nothing_and_releases_its_lock(
    backend, search_index, lessons, reindex
):
    reindex()
    serving = os.readlink(search_index / "current")

    def crash(model, count):
        raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        search_index_rebuild(on_chunk=crash)
    assert os.readlink(search_index / "current") == serving
    assert [p.title for p in backend.search("两学一做", Page)] == ["两学一做学习教育"]
    reindex()


def test_searches_work_during_a_rebuild_and_live_writes_reach_the_new_index(
    backend, lessons, reindex, django_capture_on_commit_callbacks
):
    reindex()
    activist = lessons["activist"]
    seen = []

    def during(model, count):
        # Chunks of one object, by pk: the first article chunk is the activist lesson.
        if seen or model is not ArticleLessonPage:
            return
        seen.append(True)
        # Mid-rebuild: the old index still answers…
        assert [p.title for p in backend.search("积极分子", Page)] == ["入党积极分子培养教育"]
        # …and an editor publishes a change to a lesson the rebuild has already copied.
        with django_capture_on_commit_callbacks(execute=True):
            activist.title = "发展对象政治审查"
            publish(activist)

    search_index_rebuild(chunk_size=1, on_chunk=during)
    assert [p.title for p in backend.search("政治审查", Page)] == ["发展对象政治审查"]
    assert [p.title for p in backend.search("积极分子培养", Page, fields=["title"])] == []


def test_only_one_rebuild_at_a_time(search_index):
    store = IndexStore(search_index)
    first = store.start_rebuild()
    try:
        with pytest.raises(RebuildInProgress):
            store.start_rebuild()
    finally:
        first.release()
