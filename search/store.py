"""The on-disk Whoosh index: generations swapped in atomically, serialised writes, a rebuild journal.

Layout of the index directory (settings PATH):

    current          symlink to the generation that serves searches
    gen-<stamp>/     complete Whoosh indexes (the current one and the one before it)
    build-<stamp>/   a rebuild in progress (left behind by a killed rebuild, removed by the next)
    write.lock       held (flock) by every live write, and by a rebuild while it swaps
    rebuild.lock     held by a running rebuild; the kernel drops it if the process dies
    journal          live writes made while a rebuild runs, replayed into the new index
"""

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from search.analysis import analyzer

logger = logging.getLogger(__name__)

# How long a live write waits for Whoosh's single writer before giving up (and logging).
WRITE_TIMEOUT_SECONDS = 60.0


def build_schema() -> Schema:
    schema = Schema(
        key=ID(unique=True, stored=True),
        pk=ID(stored=True, sortable=True),
        content_types=KEYWORD(),
    )
    # One text field per search field ("f_title", "f_authors__name") and per autocomplete field.
    schema.add("f_*", TEXT(analyzer=analyzer(), phrase=True), glob=True)
    schema.add("a_*", TEXT(analyzer=analyzer(), phrase=False), glob=True)
    return schema


class RebuildInProgress(Exception):
    pass


class WriteLockTimeout(Exception):
    pass


@contextlib.contextmanager
def _flock(path: Path, *, blocking: bool = True, timeout: float | None = None):
    """An exclusive flock on `path`; yields False when non-blocking and already held elsewhere.

    With a timeout, waits at most that long and then raises WriteLockTimeout.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                if blocking and deadline is None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                else:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not blocking:
                    yield False
                    return
                if time.monotonic() >= deadline:
                    raise WriteLockTimeout(f"{path} is held by another writer") from None
                time.sleep(0.02)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class IndexStore:
    """All access to one index directory goes through here; safe across threads and processes."""

    _open_indexes: dict[str, whoosh_index.Index] = {}
    _open_lock = threading.Lock()

    def __init__(self, root: Path, *, write_timeout: float = WRITE_TIMEOUT_SECONDS):
        self.root = Path(root)
        self.write_timeout = write_timeout
        self.current_link = self.root / "current"
        self.write_lock_path = self.root / "write.lock"
        self.rebuild_lock_path = self.root / "rebuild.lock"
        self.journal_path = self.root / "journal"

    # Reading

    def _ensure_current(self) -> Path:
        target = self._current_dir()
        if target is not None:
            return target
        self.root.mkdir(parents=True, exist_ok=True)
        with _flock(self.write_lock_path):
            target = self._current_dir()
            if target is None:
                target = self._new_generation("gen")
                self._swap_to(target)
        return target

    def _current_dir(self) -> Path | None:
        try:
            target = self.root / os.readlink(self.current_link)
        except OSError:
            return None
        return target if target.is_dir() else None

    def open(self, directory: Path | None = None) -> whoosh_index.Index:
        path = str(directory or self._ensure_current())
        with self._open_lock:
            ix = self._open_indexes.get(path)
            if ix is None:
                ix = whoosh_index.open_dir(path)
                self._open_indexes[path] = ix
            return ix

    @contextlib.contextmanager
    def searcher(self):
        with self.open().searcher() as searcher:
            yield searcher

    # Writing

    def _write(self, directory: Path, documents=(), delete_keys=()) -> None:
        ix = self.open(directory)
        writer = ix.writer(timeout=self.write_timeout, delay=0.05)
        try:
            for key in delete_keys:
                writer.delete_by_term("key", key)
            for document in documents:
                writer.update_document(**document)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def write(self, *, documents=(), delete_keys=(), journal_entries=()) -> None:
        """A live write to the serving index; recorded for replay if a rebuild is running."""
        documents = list(documents)
        delete_keys = list(delete_keys)
        if not documents and not delete_keys:
            return
        current = self._ensure_current()
        with _flock(self.write_lock_path, timeout=self.write_timeout):
            current = self._current_dir() or current
            self._write(current, documents, delete_keys)
            if journal_entries and self.rebuild_running():
                with open(self.journal_path, "a", encoding="utf-8") as journal:
                    for entry in journal_entries:
                        journal.write(json.dumps(entry) + "\n")

    def rebuild_running(self) -> bool:
        if not self.rebuild_lock_path.exists():
            return False
        with _flock(self.rebuild_lock_path, blocking=False) as acquired:
            return not acquired

    # Generations

    def _new_generation(self, prefix: str) -> Path:
        # Nanoseconds first so generations sort by age, even several within one second.
        stamp = f"{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"
        directory = self.root / f"{prefix}-{stamp}"
        directory.mkdir(parents=True)
        whoosh_index.create_in(str(directory), build_schema())
        return directory

    def _swap_to(self, directory: Path) -> None:
        """Point `current` at a directory in one rename, so readers see the old or the new index."""
        temporary = self.root / f".current-{uuid.uuid4().hex}"
        os.symlink(directory.name, temporary)
        os.replace(temporary, self.current_link)

    def _prune(self, keep: int = 2) -> None:
        """Remove old generations, keeping the newest `keep` (searches may still read the previous one)."""
        generations = sorted(self.root.glob("gen-*"), key=lambda p: p.name, reverse=True)
        current = self._current_dir()
        for directory in generations[keep:]:
            if current is None or directory.resolve() != current.resolve():
                shutil.rmtree(directory, ignore_errors=True)
                with self._open_lock:
                    self._open_indexes.pop(str(directory), None)

    def start_rebuild(self) -> "Rebuild":
        self.root.mkdir(parents=True, exist_ok=True)
        return Rebuild(self)

    def reset(self) -> None:
        """Swap in a new empty index."""
        rebuild = self.start_rebuild()
        rebuild.finish(replay=lambda directory, entries: None)


class Rebuild:
    """A new index built beside the serving one; `finish()` swaps it in, a crash leaves the old one."""

    def __init__(self, store: IndexStore):
        self.store = store
        self._writer = None
        self._seen: set[str] = set()
        self._late_documents: list[dict] = []
        self._late_deletes: list[str] = []
        self._lock_fd = os.open(store.rebuild_lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise RebuildInProgress(f"a rebuild of {store.root} is already running") from None
        # Anything left by a killed rebuild is garbage now that we hold the lock.
        for stale in store.root.glob("build-*"):
            shutil.rmtree(stale, ignore_errors=True)
        with _flock(store.write_lock_path):
            store.journal_path.unlink(missing_ok=True)
        self.directory = store._new_generation("build")

    def add(self, documents) -> None:
        """Add documents to the new index through one writer held for the whole rebuild.

        A fresh index needs no delete-before-add; the rare object added twice (a model and its
        subclass both listing it) is replaced after the main commit.
        """
        if self._writer is None:
            self._writer = self.store.open(self.directory).writer(limitmb=256)
        for document in documents:
            if document["key"] in self._seen:
                self._late_documents.append(document)
            else:
                self._seen.add(document["key"])
                self._writer.add_document(**document)

    def delete(self, key: str) -> None:
        self._late_deletes.append(key)

    def finish(self, *, replay) -> None:
        """Replay the journal of live writes into the new index, then swap it in.

        `replay(directory, entries)` re-applies the journal entries to the index in `directory`.
        """
        store = self.store
        try:
            if self._writer is not None:
                self._writer.commit()
                self._writer = None
            if self._late_documents or self._late_deletes:
                store._write(self.directory, self._late_documents, self._late_deletes)
            with _flock(store.write_lock_path):
                entries = []
                if store.journal_path.exists():
                    with open(store.journal_path, encoding="utf-8") as journal:
                        entries = [json.loads(line) for line in journal if line.strip()]
                if entries:
                    replay(self.directory, entries)
                final = store.root / ("gen-" + self.directory.name.removeprefix("build-"))
                with store._open_lock:
                    store._open_indexes.pop(str(self.directory), None)
                os.rename(self.directory, final)
                store._swap_to(final)
                store.journal_path.unlink(missing_ok=True)
            store._prune()
        finally:
            self.release()

    def release(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None
