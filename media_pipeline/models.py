"""Video assets: the original upload, the encoding ladder, renditions and encoding jobs."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


def original_upload_to(instance: "Video", filename: str) -> str:
    # Never store under the user-supplied name: a random name keeps only a safe extension.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    return f"videos/originals/{uuid.uuid4().hex}{suffix}"


def captions_upload_to(instance: "Video", filename: str) -> str:
    # A random name: each new caption file gets a new URL, so no player keeps a stale copy.
    return f"videos/captions/{uuid.uuid4().hex}.vtt"


class Video(index.Indexed, models.Model):
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
    # Where the published outputs live (a folder relative to the storage root). Each successful
    # encode publishes into a fresh folder and then switches this value, so players never see
    # a half-written set of files.
    output_dir = models.CharField(_("输出目录"), max_length=255, blank=True)
    hls_master = models.CharField(_("HLS 主播放列表"), max_length=255, blank=True)
    mp4 = models.CharField(_("MP4 备用文件"), max_length=255, blank=True)
    poster = models.CharField(_("封面图"), max_length=255, blank=True)
    rotation = models.SmallIntegerField(_("旋转角度"), default=0)
    original_size = models.PositiveBigIntegerField(_("原始文件大小（字节）"), default=0)
    source_info = models.JSONField(_("源文件信息"), default=dict, blank=True)
    # 字幕: a WebVTT file (checked by media_pipeline.captions), served with the same access rule
    # as the video and offered by the player as <track kind="captions" srclang="zh-Hans">.
    captions = models.FileField(
        _("字幕（WebVTT）"), upload_to=captions_upload_to, max_length=255, blank=True
    )

    # The video library's admin search goes through the site's search backend (Chinese words).
    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.FilterField("status"),
    ]

    class Meta:
        verbose_name = _("视频")
        verbose_name_plural = _("视频")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class EncodingProfile(models.Model):
    """One rung of the encoding ladder; the ladder is data so operators can tune it."""

    name = models.SlugField(_("名称"), max_length=20, unique=True)
    # The short side of the picture: 720 means 1280×720 landscape or 720×1280 portrait.
    height = models.PositiveIntegerField(_("高度（短边像素）"))
    video_bitrate = models.PositiveIntegerField(_("视频码率上限（kbps）"))
    audio_bitrate = models.PositiveIntegerField(_("音频码率（kbps）"), default=128)
    crf = models.PositiveSmallIntegerField(_("CRF 质量"), default=23)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("转码档位")
        verbose_name_plural = _("转码档位")
        ordering = ["height"]

    def __str__(self) -> str:
        return self.name


class Rendition(models.Model):
    """One HLS variant of a video, made with one encoding profile."""

    video = models.ForeignKey(
        Video, verbose_name=_("视频"), on_delete=models.CASCADE, related_name="renditions"
    )
    profile = models.ForeignKey(
        EncodingProfile, verbose_name=_("转码档位"), on_delete=models.PROTECT, related_name="+"
    )
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    # Peak segment bitrate in bits per second, as written to the master playlist's BANDWIDTH.
    bandwidth = models.PositiveIntegerField(_("峰值码率（bps）"), default=0)
    average_bandwidth = models.PositiveIntegerField(_("平均码率（bps）"), default=0)
    playlist = models.CharField(_("播放列表"), max_length=255)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("视频规格")
        verbose_name_plural = _("视频规格")
        ordering = ["video", "height"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "profile"], name="rendition_unique_video_profile"
            )
        ]

    def __str__(self) -> str:
        return f"{self.video} · {self.profile}"


class EncodingJob(models.Model):
    """A request to turn a video's original into its renditions; one row per attempt series."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        PROCESSING = "processing", _("处理中")
        READY = "ready", _("完成")
        FAILED = "failed", _("失败")
        # A newer job of the same video exists: only the latest job may publish (PeerTube's
        # rule), so this one ended without touching the video and its output was discarded.
        SUPERSEDED = "superseded", _("已被取代")

    # The only allowed moves; every status change goes through `transition_to`.
    TRANSITIONS = {
        Status.QUEUED: {Status.PROCESSING, Status.FAILED, Status.SUPERSEDED},
        # Back to QUEUED only when the worker died (stale heartbeat).
        Status.PROCESSING: {Status.READY, Status.FAILED, Status.QUEUED, Status.SUPERSEDED},
        Status.FAILED: {Status.QUEUED},
        Status.READY: set(),
        Status.SUPERSEDED: set(),
    }

    video = models.ForeignKey(
        Video, verbose_name=_("视频"), on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    error = models.TextField(_("错误"), blank=True)
    log_tail = models.TextField(_("ffmpeg 日志"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # The background-task row (django-tasks result id) of the run holding the job, so a dead
    # worker's row can be closed as failed when its lease runs out.
    task_id = models.CharField(_("后台任务编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("转码任务")
        verbose_name_plural = _("转码任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.video} #{self.pk} ({self.get_status_display()})"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def transition_to(self, status: str) -> None:
        """Change status in memory (the caller saves), refusing moves the table does not allow."""
        if not self.can_transition_to(status):
            raise InvalidJobTransition(f"{self.status} → {status}")
        now = timezone.now()
        self.status = status
        if status == self.Status.PROCESSING:
            self.attempts += 1
            self.claimed_at = now
            self.heartbeat_at = now
            self.progress = 0
            self.error = ""
        elif status in (self.Status.READY, self.Status.FAILED, self.Status.SUPERSEDED):
            self.finished_at = now
            if status == self.Status.READY:
                self.progress = 100
        elif status == self.Status.QUEUED:
            self.claimed_at = None
            self.heartbeat_at = None
            self.finished_at = None
            self.progress = 0


class InvalidJobTransition(Exception):
    """A job status change that TRANSITIONS does not allow."""
