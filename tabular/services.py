"""Writes of tabular: staging an upload, progress, finishing."""

from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tabular.models import TableUpload, UploadStatus
from tabular.reader import upload_bytes


def staged_cutoff(now=None):
    """Uploads staged before this were never imported and are removed (IMPORT_STAGED_KEEP_HOURS)."""
    return (now or timezone.now()) - timedelta(hours=settings.IMPORT_STAGED_KEEP_HOURS)


def result_cutoff(now=None):
    """Imports finished before this lose their record (IMPORT_RESULT_KEEP_DAYS)."""
    return (now or timezone.now()) - timedelta(days=settings.IMPORT_RESULT_KEEP_DAYS)


def uploads_clean(*, owner=None, now=None) -> tuple[int, int]:
    """Remove what imports leave behind: uploads staged for a preview and never imported, older
    than staged_cutoff (the raw file may hold personal data), and finished imports older than
    result_cutoff (their result; a roster's initial passwords not yet collected go with it).
    Queued and running imports are left alone. Run for everyone by the periodic job
    `import_leftovers_clean`, and for the owner on each new upload. Returns (staged, finished)."""
    uploads = (
        TableUpload.objects.all() if owner is None else TableUpload.objects.filter(owner=owner)
    )
    staged, _ = uploads.filter(
        status=UploadStatus.STAGED, created_at__lt=staged_cutoff(now)
    ).delete()
    finished, _ = uploads.filter(
        status__in=[UploadStatus.DONE, UploadStatus.FAILED], finished_at__lt=result_cutoff(now)
    ).delete()
    return staged, finished


def upload_stage(*, owner, kind: str, file, options: dict | None = None) -> TableUpload:
    """Keep the file for its preview; the owner's leftovers (uploads_clean) go on the way."""
    data = upload_bytes(file)  # TableError when too big or empty
    uploads_clean(owner=owner)
    return TableUpload.objects.create(
        owner=owner,
        kind=kind,
        filename=(getattr(file, "name", "") or "")[-255:],
        data=data,
        options=options or {},
    )


def upload_file(upload: TableUpload) -> BytesIO:
    """The staged file as a file object that the reader accepts."""
    buffer = BytesIO(bytes(upload.data))
    buffer.name = upload.filename
    return buffer


def upload_claim(*, upload_id: int, options: dict | None = None) -> bool:
    """Mark a confirmed upload as queued, once: a double-click does not import twice."""
    changes = {"status": UploadStatus.QUEUED}
    if options is not None:
        changes["options"] = options
    with transaction.atomic():
        return bool(
            TableUpload.objects.filter(pk=upload_id, status=UploadStatus.STAGED).update(**changes)
        )


def _progress_key(upload_id: int) -> str:
    return f"tabular:progress:{upload_id}"


def upload_start(*, upload_id: int, total: int) -> None:
    TableUpload.objects.filter(pk=upload_id).update(status=UploadStatus.RUNNING, total=total)
    cache.set(_progress_key(upload_id), (0, total), timeout=86400)


def upload_progress(*, upload_id: int, done: int, total: int) -> None:
    """Progress of a running import. It is written inside the import's transaction, which other
    connections cannot see until it commits, so it goes to the cache shared by web and workers."""
    cache.set(_progress_key(upload_id), (done, total), timeout=86400)


def upload_progress_read(upload: TableUpload) -> tuple[int, int]:
    """(done, total) of an upload: the cache while it runs, the row once finished."""
    if upload.status == UploadStatus.RUNNING:
        return cache.get(_progress_key(upload.pk)) or (upload.done, upload.total)
    return upload.done, upload.total


def upload_finish(*, upload_id: int, result: dict, failed: bool = False) -> None:
    """Record the outcome and drop the file (it may hold personal data)."""
    done, total = cache.get(_progress_key(upload_id)) or (0, 0)
    cache.delete(_progress_key(upload_id))
    TableUpload.objects.filter(pk=upload_id).update(
        status=UploadStatus.FAILED if failed else UploadStatus.DONE,
        done=done if not failed else 0,
        total=total,
        result=result,
        data=b"",
        finished_at=timezone.now(),
    )
