"""Per-trainee lesson progress, playback sessions, and the append-only 学时 ledger."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.classes.models import OfflineSource, hours_text


class LessonProgress(models.Model):
    """What one trainee has honestly watched or read of one lesson."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="lesson_progress",
    )
    lesson = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("微党课"), on_delete=models.CASCADE, related_name="+"
    )
    # Union of watched intervals [[start, end], ...] in seconds, sorted and non-overlapping.
    intervals = models.JSONField(_("已观看区间"), default=list, blank=True)
    furthest_position = models.FloatField(_("最远观看位置（秒）"), default=0)
    last_position = models.FloatField(_("上次停留位置（秒）"), default=0)
    # Videos: the length of the union of watched intervals; articles: active reading seconds.
    credited_seconds = models.FloatField(_("已计时长（秒）"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    # Bumped by every write of a progress report; a guarded write checks it (playback_rows.py).
    revision = models.PositiveBigIntegerField(_("修订号"), default=0, editable=False)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_lesson_unique")
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="progress_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson_id}"


class PlaybackSession(models.Model):
    """One viewing of a lesson in one tab or device, named by the client's session id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="playback_sessions",
    )
    lesson = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("微党课"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("会话标识"), max_length=64)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    # The anchor of the segment being played: where and when the last accepted report was.
    # anchor_at is None while the session is not playing (paused, ended, hidden, or superseded).
    anchor_position = models.FloatField(_("锚点位置（秒）"), default=0)
    anchor_at = models.DateTimeField(_("锚点时间"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("最近上报时间"), null=True, blank=True)
    events = models.PositiveIntegerField(_("上报次数"), default=0)
    credited_seconds = models.FloatField(_("本次计入时长（秒）"), default=0)

    class Meta:
        verbose_name = _("播放会话")
        verbose_name_plural = _("播放会话")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "key"], name="progress_session_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson_id} · {self.key}"


class ActivePlayback(models.Model):
    """The one playback session of a trainee that may accrue time; its row is the per-trainee lock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="active_playback",
    )
    session = models.ForeignKey(
        PlaybackSession,
        verbose_name=_("当前会话"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("当前播放")
        verbose_name_plural = _("当前播放")

    def __str__(self) -> str:
        return f"{self.user} · {self.session_id}"


class LedgerSource(models.TextChoices):
    ONLINE_LESSON = "online_lesson", _("在线学习")
    # The kinds of offline session (classes.OfflineSession), one value and label each.
    OFFLINE_LECTURE = OfflineSource.OFFLINE_LECTURE.value, OfflineSource.OFFLINE_LECTURE.label
    OFFLINE_DISCUSSION = (
        OfflineSource.OFFLINE_DISCUSSION.value,
        OfflineSource.OFFLINE_DISCUSSION.label,
    )
    OFFLINE_PRACTICE = OfflineSource.OFFLINE_PRACTICE.value, OfflineSource.OFFLINE_PRACTICE.label
    EXAM = "exam", _("考试")
    # 党课, 主题党日 study, 集中学习 attended (party.meetings announces it; learning/progress/org_life.py)
    ORG_LIFE = "org_life", _("组织生活")
    CORRECTION = "correction", _("更正")


OFFLINE_SOURCES = (
    LedgerSource.OFFLINE_LECTURE,
    LedgerSource.OFFLINE_DISCUSSION,
    LedgerSource.OFFLINE_PRACTICE,
)


class ImmutableLedgerError(ValidationError):
    """The ledger is append-only: entries are corrected by new entries, never edited or deleted."""


class HoursLedgerQuerySet(models.QuerySet):
    def by_study_date(self):
        """Newest first by the day studied (学习日期; for entries without one, the local day
        they were recorded), then by when they were recorded: the order every ledger list shows
        (学习档案, its PDF, 我的学习记录, the API, the ledger admin) — issue 21."""
        return self.annotate(
            study_date=Coalesce(
                "occurred_on", TruncDate("created_at"), output_field=models.DateField()
            )
        ).order_by("-study_date", "-created_at", "-id")

    def update(self, **kwargs):
        raise ImmutableLedgerError(_("学时记录不可修改，请添加更正记录。"))

    def delete(self):
        raise ImmutableLedgerError(_("学时记录不可删除，请添加更正记录。"))


class HoursLedgerEntry(models.Model):
    """One credited (or corrected) amount of 学时: the auditable ledger (学习档案)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="hours_ledger",
    )
    source = models.CharField(_("来源"), max_length=20, choices=LedgerSource.choices)
    amount = models.DecimalField(_("学时"), max_digits=6, decimal_places=2)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)
    occurred_on = models.DateField(_("学习日期"), null=True, blank=True)
    # None means the system granted it (an online lesson completed, an exam passed).
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta (NULL_MOSTLY)
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass",
        verbose_name=_("培训班"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,  # partial index in Meta (NULL_MOSTLY)
    )
    # A deleted lesson page must not take its credits with it; its title stays in lesson_title.
    lesson = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("微党课"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # partial index in Meta (NULL_MOSTLY)
    )
    lesson_title = models.CharField(_("课程名称"), max_length=255, blank=True)
    reference = models.CharField(_("关联记录"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        db_index=False,  # partial index in Meta (NULL_MOSTLY)
    )

    objects = HoursLedgerQuerySet.as_manager()

    # Not in Wagtail's reference index (registering the admin viewset would put it there): every
    # credit would otherwise cost an index write (a task and five queries; a QR check-in burst is
    # one credit per scan), and a lesson page's or class's usage view would list one "use" per
    # trainee credited. What that view showed of the ledger is gone: deleting a lesson keeps its
    # entries (lesson SET_NULL, lesson_title kept); deleting a class with entries is refused by
    # PROTECT (cms's ProtectedError message). Migration 0005 removed the rows already indexed.
    wagtail_reference_index_ignore = True

    # NULL_MOSTLY: each entry has at most one of a training class, a lesson, a corrected entry
    # and a recording person (a QR check-in's credit has none), so each of these columns is
    # indexed only where it is set: an index that holds only the rows that have a value serves
    # every lookup by a value (x = … implies x IS NOT NULL, on both databases) and costs a new
    # entry no write where it has none — a check-in's credit 4 index writes fewer (SQLite writes
    # each touched index page to its WAL at commit; docs/performance.md, QR check-in).
    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=[name],
                name=f"ledger_{name}_set",
                condition=Q(**{f"{name}__isnull": False}),
            )
            for name in ("granted_by", "training_class", "lesson", "corrects")
        ]
        constraints = [
            # A lesson is credited once per trainee, whatever races happen.
            models.UniqueConstraint(
                fields=["user", "lesson"],
                condition=Q(source="online_lesson"),
                name="progress_ledger_lesson_once",
            ),
            models.UniqueConstraint(
                fields=["user", "training_class"],
                condition=Q(source="exam"),
                name="progress_ledger_exam_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_source_display()} {hours_text(self.amount)}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableLedgerError(_("学时记录不可修改，请添加更正记录。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableLedgerError(_("学时记录不可删除，请添加更正记录。"))

    def learning_day(self):
        """学习日期 as the lists show it: the day studied, else the local day it was recorded
        (the `study_date` of HoursLedgerQuerySet.by_study_date, which orders by it)."""
        return self.occurred_on or timezone.localdate(self.created_at)

    learning_day.short_description = _("学习日期")
    learning_day.admin_order_field = "study_date"
