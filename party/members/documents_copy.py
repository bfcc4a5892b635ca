"""Copying the documents of members' paths from the local disk to the storage a school switches to
(PARTY_DOCUMENTS_STORAGE=s3), behind `manage.py party_documents_copy` (docs/party.md).

Every file named by a StageChangeAttachment or StepDocument row is copied under the same name, so
the rows need no change. Idempotent and resumable: a name already in the destination with the same
size and SHA-256 is left alone ("present"); one with other bytes is never overwritten ("conflict").
A copy is read back and compared (size and SHA-256); a copy that does not match is removed and
reported. The local files are not deleted: the operator removes them once a run reports no
missing file and no conflict."""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.files.storage import FileSystemStorage, Storage

from party.members.models import StageChangeAttachment, StepDocument

CHUNK = 1024 * 1024


class Outcome:
    COPIED = "copied"
    WOULD_COPY = "would_copy"  # --dry-run
    PRESENT = "present"  # already in the destination, same size and hash
    MISSING = "missing"  # named by a row but not on the local disk
    CONFLICT = "conflict"  # other bytes in the destination, or the copy did not verify
    FAILED_OUTCOMES = (MISSING, CONFLICT)


@dataclass(frozen=True)
class CopyResult:
    name: str
    outcome: str
    size: int | None = None
    sha256: str = ""
    detail: str = ""


def document_names() -> list[str]:
    """Every file name the document rows hold, once each, in a stable order."""
    names = set()
    for model in (StageChangeAttachment, StepDocument):
        names.update(model.objects.exclude(file="").values_list("file", flat=True))
    return sorted(names)


def digest(storage: Storage, name: str) -> tuple[int, str]:
    """Size and SHA-256 of a stored file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


def same_place(source: Storage, destination: Storage) -> bool:
    """True when the destination is the source folder itself (the setting still names the disk)."""
    return (
        isinstance(source, FileSystemStorage)
        and isinstance(destination, FileSystemStorage)
        and source.location == destination.location
    )


def copy_documents(
    *, source: Storage, destination: Storage, names: Iterable[str], dry_run: bool = False
) -> Iterator[CopyResult]:
    """Copy each name from source to destination, yielding one result per name as it goes."""
    for name in names:
        if not source.exists(name):
            yield CopyResult(name, Outcome.MISSING, detail="not on the local disk")
            continue
        size, sha = digest(source, name)
        if destination.exists(name):
            there = digest(destination, name)
            if there == (size, sha):
                yield CopyResult(name, Outcome.PRESENT, size, sha)
            else:
                yield CopyResult(
                    name,
                    Outcome.CONFLICT,
                    size,
                    sha,
                    detail=f"destination holds other bytes ({there[0]} bytes, sha256 {there[1]})",
                )
            continue
        if dry_run:
            yield CopyResult(name, Outcome.WOULD_COPY, size, sha)
            continue
        with source.open(name, "rb") as local:
            saved = destination.save(name, local)
        copied = digest(destination, saved)
        if saved != name or copied != (size, sha):
            destination.delete(saved)
            yield CopyResult(
                name,
                Outcome.CONFLICT,
                size,
                sha,
                detail=f"the copy did not verify (saved as {saved}: {copied[0]} bytes, "
                f"sha256 {copied[1]}); removed",
            )
            continue
        yield CopyResult(name, Outcome.COPIED, size, sha)
