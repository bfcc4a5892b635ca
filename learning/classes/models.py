"""Trainees (members of the Party tree), training classes (培训班) and their enrolments."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from party.members.models import Member, Stage
from party.members.selectors import with_current_stage


def lesson_page_models() -> list[tuple[str, str]]:
    """(app label, model name) of each lesson page model, from settings.LESSON_PAGE_MODELS."""
    pairs = []
    for dotted in settings.LESSON_PAGE_MODELS:
        app_label, model = dotted.split(".")
        pairs.append((app_label, model.lower()))
    return pairs


def lesson_pages_q(prefix: str = "content_type__") -> Q:
    """Q object limiting wagtailcore.Page rows to lesson pages (articles and videos)."""
    condition = Q()
    for app_label, model in lesson_page_models():
        condition |= Q(**{f"{prefix}app_label": app_label, f"{prefix}model": model})
    return condition


def lesson_content_type_ids() -> list[int]:
    """Content type ids of the lesson page models (from ContentType's cache, no join needed)."""
    from django.contrib.contenttypes.models import ContentType

    ids = []
    for app_label, model in lesson_page_models():
        try:
            ids.append(ContentType.objects.get_by_natural_key(app_label, model).pk)
        except ContentType.DoesNotExist:
            continue
    return ids


def _lesson_choices() -> Q:
    return lesson_pages_q()


class TraineeStage(models.TextChoices):
    """The five stages of a person on the way into and inside the Party (docs/domain.md)."""

    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL_MEMBER = "full_member", _("正式党员")

    @classmethod
    def from_label(cls, text: str) -> "TraineeStage | None":
        """The stage whose Chinese name (or value) is `text`, for roster files."""
        text = (text or "").strip()
        for stage in cls:
            # Roster files are Chinese whatever language the trainer's browser uses.
            with translation.override(settings.LANGUAGE_CODE):
                chinese = str(stage.label)
            if text in (stage.value, chinese, str(stage.label)):
                return stage
        return None


class TraineeProfile(models.Model):
    """A trainee (学员): the person behind a user account, pointing at their member record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="trainee_profile",
    )
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("党员/发展对象档案"),
        on_delete=models.PROTECT,
        related_name="trainee_profile",
        help_text=_("这名学员在党组织中的档案（所在党支部与发展阶段记录）。"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    student_no = models.CharField(_("学号/工号"), max_length=30, unique=True)
    # A trainee's 学院 and 党支部 are their member record's unit, their stage its documented
    # history (membership.organisation_annotations, stage_expression): no field of their own.
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("首次登录须修改密码"),
        default=False,
        help_text=_("批量导入的账号使用初始密码，学员首次登录时必须先修改密码。"),
    )

    class Meta:
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        ordering = ["student_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.student_no}）"

    def stage_now(self) -> str:
        """The current stage, from the member's history (`current_stage` when annotated, e.g. by
        membership.with_organisation; else one query); "" without a history."""
        stage = getattr(self, "current_stage", None)
        if not stage:
            stage = member_current_stage(self.member_id)
        return stage or ""

    @property
    def stage_display(self) -> str:
        """The current stage's name (stage_now)."""
        return stage_label(self.stage_now())


def default_required_hours(stage: str) -> Decimal | None:
    """Required 学时 of a class for this audience, from settings.DANGKE; None for a 入党申请人
    class: no rule sets its 学时 (the members' yearly 32 学时 is not theirs, issue 14), so
    whoever creates it says how many."""
    rules = settings.DANGKE
    if stage == TraineeStage.CANDIDATE:
        return Decimal(rules["CANDIDATE_REQUIRED_HOURS"])
    if stage == TraineeStage.ACTIVIST:
        return Decimal(rules["ACTIVIST_REQUIRED_HOURS"])
    if stage in (TraineeStage.PROBATIONARY, TraineeStage.FULL_MEMBER):
        return Decimal(rules["MEMBER_YEARLY_HOURS"])
    return None


def leave_allowance_max() -> Decimal:
    """The most a class may allow to be missed with 请假, in percent (settings.DANGKE: missing
    more than a quarter of the 学时 means no certificate, university 党校 rules)."""
    return Decimal(settings.DANGKE["LEAVE_ALLOWANCE_MAX_PERCENT"])


def default_pass_mark() -> Decimal:
    return Decimal(settings.DANGKE["EXAM_PASS_MARK"])


class TrainingClass(models.Model):
    """A training class (培训班), one intake (一期) for one audience stage."""

    name = models.CharField(_("名称"), max_length=200)
    intake = models.CharField(_("期次"), max_length=50, blank=True, help_text=_("例如：第 12 期"))
    audience_stage = models.CharField(
        _("培训对象"), max_length=20, choices=TraineeStage.choices, default=TraineeStage.ACTIVIST
    )
    start_date = models.DateField(_("开班日期"), null=True, blank=True)
    end_date = models.DateField(_("结业日期"), null=True, blank=True)
    credits_since = models.DateField(
        _("在线学时起算日期"),
        null=True,
        blank=True,
        help_text=_(
            "在线学时默认只计开班日期至结业日期之间获得的；填写更早的日期，则从这一天起获得的"
            "在线学时也计入本班。线下学时的日期须在开班日期至结业日期之间。"
        ),
    )
    required_hours = models.DecimalField(
        _("应修学时"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("留空则按培训对象取默认值：发展对象 24 学时，入党积极分子 40 学时。"),
    )
    required_lessons = models.ManyToManyField(
        "wagtailcore.Page",
        verbose_name=_("必修微党课"),
        blank=True,
        related_name="+",
        limit_choices_to=_lesson_choices,
    )
    pass_mark = models.DecimalField(
        _("及格分"),
        max_digits=5,
        decimal_places=2,
        default=default_pass_mark,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    leave_allowance_percent = models.DecimalField(
        _("可请假学时比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "线下培训记录了请假（须写明事由）而未参加的学时，在应修学时的这一比例以内视为已修，"
            "超出部分须补足。默认 0；最多 25%：缺课超过学时的四分之一不得结业（高校党校规定）。"
        ),
    )
    certificate_shows_score = models.BooleanField(
        _("证书上印考试成绩"),
        default=False,
        help_text=_("勾选后结业证书写明结业考试成绩；默认只写“经考核合格”。"),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("培训管理员"),
        blank=True,
        related_name="trained_classes",
    )
    trainees = models.ManyToManyField(
        TraineeProfile,
        verbose_name=_("学员"),
        through="Enrolment",
        blank=True,
        related_name="training_classes",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start_date", "-id"]
        permissions = [("view_all_classes", _("可查看和管理全部培训班"))]

    def __str__(self) -> str:
        return f"{self.name} {self.intake}".strip()

    def save(self, *args, **kwargs):
        if self.required_hours is None:
            self.required_hours = default_required_hours(self.audience_stage)
        if self.required_hours is None:
            raise ValidationError({"required_hours": self.no_default_hours_message()})
        super().save(*args, **kwargs)

    def no_default_hours_message(self) -> str:
        return _(
            "%(audience)s培训班没有统一的应修学时（党员每年 %(yearly)s 学时的规定不适用），"
            "请填写应修学时。"
        ) % {
            "audience": self.get_audience_stage_display(),
            "yearly": hours_text(Decimal(settings.DANGKE["MEMBER_YEARLY_HOURS"])),
        }

    def clean(self) -> None:
        if self.required_hours is None and default_required_hours(self.audience_stage) is None:
            raise ValidationError({"required_hours": self.no_default_hours_message()})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结业日期不能早于开班日期。")})
        if self.credits_since and self.start_date and self.credits_since > self.start_date:
            raise ValidationError(
                {"credits_since": _("在线学时起算日期不能晚于开班日期（留空即从开班日期起算）。")}
            )
        most = leave_allowance_max()
        if self.leave_allowance_percent is not None and not (
            Decimal("0") <= self.leave_allowance_percent <= most
        ):
            raise ValidationError(
                {
                    "leave_allowance_percent": _(
                        "可请假学时比例须在 0 到 %(most)s%% 之间：缺课超过学时的四分之一不得结业。"
                    )
                    % {"most": hours_text(most)}
                }
            )

    def leave_allowance_hours(self) -> Decimal:
        """The 学时 of recorded 请假 this class counts as studied (its share of required 学时)."""
        return (self.required_hours or Decimal("0")) * self.leave_allowance_percent / 100

    def online_credit_window(self) -> tuple[date | None, date | None]:
        """(first day, last day) in which an online credit counts for this class (issue 14,
        细则 art. 17: the training happens in the class): from credits_since, else the start
        date, to the end date; None where the class sets no bound."""
        return (self.credits_since or self.start_date, self.end_date)


class Enrolment(models.Model):
    """A trainee enrolled in a training class."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="enrolments"
    )
    trainee = models.ForeignKey(
        TraineeProfile, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(_("编班时间"), default=timezone.now)
    # Set when staff enrolled someone whose stage is not the class's audience (membership.py).
    audience_override_reason = models.TextField(_("不符合培训对象仍编入的理由"), blank=True)
    audience_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("放行人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("参训")
        verbose_name_plural = _("参训")
        ordering = ["training_class", "trainee__student_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "trainee"], name="classes_enrolment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainee} → {self.training_class}"


def hours_text(value) -> str:
    """学时 as people write them: 8, 2.5, 0.25 (not 8.00, and never 1E+1)."""
    return format(Decimal(value).normalize(), "f")


class OfflineSource(models.TextChoices):
    """Kinds of offline session; the 学时 ledger (progress.LedgerSource) uses the same values."""

    # 集中培训 is the name of the whole course (细则 art. 17); its sessions are these kinds.
    OFFLINE_LECTURE = "offline_lecture", _("集中授课")
    OFFLINE_DISCUSSION = "offline_discussion", _("分组讨论")
    OFFLINE_PRACTICE = "offline_practice", _("实践教学")


def _offline_source_choices() -> list[tuple[str, str]]:
    # Named by migration 0003, hence a function.
    return OfflineSource.choices


class OfflineSession(models.Model):
    """An offline session (集中授课, 分组讨论, 实践教学) of a class; its attendees are credited in the
    学时 ledger, one entry each, referencing the session ("offline-session:<id>")."""

    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("培训班"),
        on_delete=models.PROTECT,
        related_name="offline_sessions",
    )
    source = models.CharField(_("类型"), max_length=20, choices=_offline_source_choices)
    topic = models.CharField(_("主题"), max_length=200)
    occurred_on = models.DateField(_("日期"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    amount = models.DecimalField(_("每人学时"), max_digits=6, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("线下培训")
        verbose_name_plural = _("线下培训")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.topic}"

    @property
    def hours_text(self) -> str:
        return hours_text(self.amount)

    @property
    def reference(self) -> str:
        """The `reference` of this session's ledger entries."""
        return f"offline-session:{self.pk}"


class OfflineLeaveQuerySet(models.QuerySet):
    def active(self):
        """Leaves in force: not withdrawn (ACTIVE_LEAVE, the one definition)."""
        return self.filter(ACTIVE_LEAVE)


# A leave counts (allowance, 请假人数, the bar on a late sign-in) until it is withdrawn.
ACTIVE_LEAVE = Q(withdrawn_at__isnull=True)


class OfflineLeave(models.Model):
    """请假 recorded by a trainer for a trainee who missed an offline session, with the reason.

    Recording it is the approval. The session's 学时 count as studied for the 结业 rule up to the
    class's leave_allowance_percent of its required 学时 (learning/reports/status.py), never beyond.
    A leave recorded by mistake is withdrawn (撤销请假), not deleted: it stays, with who withdrew it
    and when, and no longer counts; the trainee may then be credited (补记) or given a new leave.
    """

    session = models.ForeignKey(
        OfflineSession,
        verbose_name=_("线下培训"),
        on_delete=models.PROTECT,
        related_name="leaves",
    )
    trainee = models.ForeignKey(
        TraineeProfile,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="offline_leaves",
    )
    reason = models.TextField(_("请假事由"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    # "请假" context: a leave is withdrawn, a certificate revoked (the same Chinese words).
    withdrawn_at = models.DateTimeField(pgettext_lazy("请假", "撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("请假", "撤销人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = OfflineLeaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("线下培训请假")
        verbose_name_plural = _("线下培训请假")
        ordering = ["session", "trainee__student_no", "created_at"]
        constraints = [
            # One leave in force per session and trainee; withdrawn ones are kept beside it.
            models.UniqueConstraint(
                fields=["session", "trainee"],
                condition=ACTIVE_LEAVE,
                name="classes_leave_unique_active",
            ),
            # 请假 without a reason does not count (issue 14); the service says so in words.
            models.CheckConstraint(condition=~models.Q(reason=""), name="classes_leave_reason"),
            # Withdrawn means both when and by whom.
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="classes_leave_withdrawn_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.session}"

    @property
    def is_active(self) -> bool:
        """In force (ACTIVE_LEAVE in Python): not withdrawn."""
        return self.withdrawn_at is None


def member_current_stage(member_id: int) -> str | None:
    """A member's current stage, derived from the history (None without one): one query."""
    return (
        with_current_stage(Member.objects.filter(pk=member_id))
        .values_list("current_stage", flat=True)
        .first()
    )


def stage_label(stage: str | None) -> str:
    """The name of a stage (发展阶段) for display; an unknown value is shown as it is."""
    return str(dict(Stage.choices).get(stage, stage or ""))
