"""Reads of tabular: an upload is seen by the one who uploaded it, nobody else."""

from tabular.models import TableUpload


def upload_for(*, user, upload_id: int, kind: str) -> TableUpload | None:
    return TableUpload.objects.filter(pk=upload_id, owner=user, kind=kind).first()
