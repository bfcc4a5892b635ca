"""Video assets: the original upload and what the pipeline made of it."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def original_upload_to(instance: "Video", filename: str) -> str:
    # Never store under the user-supplied name: a random name keeps only a safe extension.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    return f"videos/originals/{uuid.uuid4().hex}{suffix}"


class Video(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        PROCESSING = "processing", _("处理中")
        READY = "ready", _("就绪")
        FAILED = "failed", _("失败")

    title = models.CharField(_("标题"), max_length=255)
    original = models.FileField(_("原始文件"), upload_to=original_upload_to, max_length=255)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    error = models.TextField(_("错误"), blank=True)
    duration_seconds = models.FloatField(_("时长（秒）"), null=True, blank=True)
    width = models.PositiveIntegerField(_("宽度"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("视频")
        verbose_name_plural = _("视频")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
