"""Files through Django's default storage: local original copies, publishing and deleting folders."""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage


def local_path(name: str) -> Path | None:
    """The file's path on this machine when the storage is local, else None."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


@contextlib.contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """A local path of a stored file; remote storages are downloaded to a temporary file first."""
    path = local_path(name)
    if path is not None:
        yield path
        return
    suffix = Path(name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with default_storage.open(name, "rb") as source:
            shutil.copyfileobj(source, tmp, length=1024 * 1024)
        tmp.flush()
        yield Path(tmp.name)


# Scratch folders live here with local storage; with remote storage in the temporary folder.
SCRATCH_FOLDER = "videos/.work"
_TEMP_PREFIX = "dangke-encode-"


def scratch_base() -> tuple[Path, str]:
    """The folder holding scratch folders, and the name prefix that marks ours in it."""
    base = local_path(SCRATCH_FOLDER)
    if base is None:
        return Path(tempfile.gettempdir()), _TEMP_PREFIX
    return base, ""


def work_dir(prefix: str = "") -> Path:
    """A fresh scratch folder for an encode (`prefix` names its owner).

    With local storage it sits under MEDIA_ROOT so that publishing is a rename on one file
    system: instant and atomic, whatever the size of the outputs.
    """
    base, marker = scratch_base()
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{marker}encode-{prefix}", dir=base))


def scratch_folders() -> list[Path]:
    base, marker = scratch_base()
    try:
        entries = list(base.iterdir())
    except FileNotFoundError:
        return []
    return [e for e in entries if e.name.startswith(marker) and e.is_dir() and not e.is_symlink()]


def scratch_usage() -> tuple[int, int]:
    """(number of scratch folders, bytes in them) on this machine."""
    folders = scratch_folders()
    total = 0
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(root, name)).st_size
    return len(folders), total


def publish_folder(source: Path, dest: str) -> None:
    """Move a finished local folder to `dest` in the storage (a new, unused name)."""
    target = local_path(dest)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError:
            shutil.move(str(source), str(target))
        return
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source).as_posix()
            with path.open("rb") as handle:
                default_storage.save(f"{dest}/{relative}", File(handle))


def delete_tree(prefix: str) -> None:
    """Delete every stored file under a folder (storages have no folders to remove, only files)."""
    if not prefix:
        return
    path = local_path(prefix)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
        return
    with contextlib.suppress(FileNotFoundError, NotImplementedError):
        dirs, files = default_storage.listdir(prefix)
        for name in files:
            default_storage.delete(f"{prefix}/{name}")
        for name in dirs:
            delete_tree(f"{prefix}/{name}")


def delete_file(name: str) -> None:
    if name:
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(name)
