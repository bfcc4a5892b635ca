"""Signal handlers: they only enqueue work, after the transaction commits."""

from django.db import transaction
from django.db.models.signals import post_delete

from media_pipeline.models import Video


def video_deleted(sender, instance: Video, **kwargs) -> None:
    # The whole per-video folder goes, including outputs of earlier encodes.
    original, output_dir = instance.original.name or "", f"videos/hls/{instance.pk}"

    def enqueue() -> None:
        from media_pipeline.tasks import video_files_delete_task

        video_files_delete_task.enqueue(original=original, output_dir=output_dir)

    transaction.on_commit(enqueue)


def register() -> None:
    post_delete.connect(video_deleted, sender=Video, dispatch_uid="media_pipeline_video_deleted")
