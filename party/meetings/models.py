"""Meetings of a Party unit (三会一课, 主题党日, 组织生活会, 谈心谈话), their attendance and the
on-site notices that announce them."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from party.meetings.rules import ATTACHMENT_EXTENSIONS
from party.organisation.models import UnitKind


class MeetingKind(models.TextChoices):
    PARTY_CONGRESS = "party_congress", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会会议")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    TALK = "talk", _("谈心谈话")
    STUDY = "study", _("集中学习")


# Which kind of unit holds which kind of meeting: a 党小组会 is a group's, all others a branch's.
HOLDING_UNIT_KIND: dict[str, str] = {
    kind: (UnitKind.GROUP if kind == MeetingKind.GROUP else UnitKind.BRANCH)
    for kind in MeetingKind.values
}


class Meeting(models.Model):
    """One meeting of a unit. Who is 应到 is derived (selectors.expected_members), never stored."""

    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), blank=True)
    host = models.ForeignKey(
        "members.Member",
        verbose_name=_("主持人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    speaker = models.CharField(_("党课主讲人"), max_length=100, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    participants = models.ManyToManyField(
        "members.Member",
        verbose_name=_("谈话对象"),
        blank=True,
        related_name="talks",
        help_text=_("仅谈心谈话：参加谈话的党员。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("安排时间"), default=timezone.now)

    class Meta:
        verbose_name = _("组织生活会议")
        verbose_name_plural = _("组织生活会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["unit", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"


def _attachment_path(instance, filename: str) -> str:
    # A random name, never the uploader's: the original name is kept in `name` for display.
    import secrets
    from pathlib import Path

    suffix = Path(filename).suffix.lower()
    return f"party/meetings/{instance.meeting_id}/{secrets.token_hex(12)}{suffix}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("文件"),
        upload_to=_attachment_path,
        validators=[FileExtensionValidator(list(ATTACHMENT_EXTENSIONS))],
    )
    name = models.CharField(_("名称"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("实到")
    LEAVE_REQUESTED = "leave_requested", _("请假待批")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    SECRETARY = "secretary", _("书记登记")
    MEMBER = "member", _("本人申请")


class Attendance(models.Model):
    """A member's current attendance at a meeting. An expected member without a row is 缺席.
    Every change also writes an AttendanceChange: the row says what is, the log how it came to be."""

    # No index of its own: the unique (meeting, member) index below leads with the meeting and
    # serves every lookup by meeting; a second one only cost each check-in an index write.
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("会议"),
        on_delete=models.CASCADE,
        related_name="attendances",
        db_index=False,
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    status = models.CharField(_("出勤"), max_length=20, choices=AttendanceStatus.choices)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    method = models.CharField(_("方式"), max_length=20, choices=AttendanceMethod.choices)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        ordering = ["meeting", "member__student_no"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="meetings_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.member} {self.get_status_display()}"


class AttendanceChange(models.Model):
    """One recorded step of a member's attendance (never edited). `late` marks a correction made
    after the meeting ended, which the attendance list shows as such."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance_changes"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+"
    )
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=AttendanceStatus.choices, blank=True
    )
    status = models.CharField(_("新状态"), max_length=20, choices=AttendanceStatus.choices)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    method = models.CharField(_("方式"), max_length=20, choices=AttendanceMethod.choices)
    late = models.BooleanField(_("会后更正"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("出勤记录")
        verbose_name_plural = _("出勤记录")
        ordering = ["meeting", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting} {self.member} → {self.get_status_display()}"


class Notice(models.Model):
    """An on-site notice to a user about a meeting (planned, changed); unread until opened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="meeting_notices",
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class Minutes(models.Model):
    """One version of a meeting's 会议记录. A draft is edited in place; once the secretary signs
    it off it is locked, and a later change is a new version (the signed one stays as it was)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="minutes"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    content = models.TextField(_("会议记录"))
    decisions = models.TextField(_("决议事项"), blank=True)
    summary = models.TextField(_("主题党日小结"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审签人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("审签时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="meetings_minutes_version")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"

    @property
    def locked(self) -> bool:
        return self.signed_off_at is not None


def _photo_path(instance, filename: str) -> str:
    import secrets
    from pathlib import Path

    return f"party/minutes/{secrets.token_hex(12)}{Path(filename).suffix.lower()}"


class MinutesPhoto(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("会议记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(
        _("照片"),
        upload_to=_photo_path,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"])],
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")
        ordering = ["minutes", "id"]

    def __str__(self) -> str:
        return self.image.name
