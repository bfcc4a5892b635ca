"""An uploaded table kept between its preview and the import the user confirms (then emptied)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadKind(models.TextChoices):
    ROSTER = "roster", _("学员名单")
    QUESTIONS = "questions", _("试题")
    MEMBERS = "members", _("党员名册")


class UploadStatus(models.TextChoices):
    STAGED = "staged", _("待确认")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class TableUpload(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="table_uploads"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=UploadKind.choices)
    filename = models.CharField(_("文件名"), max_length=255)
    # The file itself, until the import ends (rosters carry personal data: emptied afterwards).
    data = models.BinaryField(_("文件内容"), default=b"")
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.STAGED
    )
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("表格导入")
        verbose_name_plural = _("表格导入")
        indexes = [models.Index(fields=["owner", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0
