"""民主评议党员: a branch's yearly campaign, its participants (自我评价, 组织评定), the secret
民主测评 and the follow-up of 不合格 members.

The ballot is secret by construction (docs/party.md, "民主测评: what the database holds"): who has
voted (`BallotCast`, the day only) and what was voted (`Tally`, counters per member and grade) are
kept apart, and there is no row per vote at all — a vote adds one to counters that were created
when the campaign opened, and every ballot rewrites all counters of its campaign in one statement,
so no counter, id, position or transaction stamp says which ballot last touched it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from party.organisation.records import RecordedBy


class Phase(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("个人自评")
    PEER_RATING = "peer_rating", _("民主测评")
    PROPOSAL = "proposal", _("支委会提出评定意见")
    DECISION = "decision", _("支部大会评定")
    PUBLISHED = "published", _("结果已公布")


PHASE_ORDER: tuple[str, ...] = tuple(Phase.values)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class Campaign(models.Model):
    """One 民主评议 of one branch in one year. The phase moves forward only; each phase's date is
    planned when the campaign opens and replaced by the actual day when the phase starts."""

    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("党支部"),
        on_delete=models.PROTECT,
        related_name="appraisal_campaigns",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    phase = models.CharField(
        _("阶段"), max_length=20, choices=Phase.choices, default=Phase.SELF_ASSESSMENT
    )
    self_assessment_from = models.DateField(_("个人自评开始"))
    peer_rating_from = models.DateField(_("民主测评开始"))
    proposal_from = models.DateField(_("支委会评定开始"))
    decision_from = models.DateField(_("支部大会评定"))
    published_on = models.DateField(_("结果公布"))
    excellent_max_percent = models.PositiveSmallIntegerField(
        _("优秀比例上限（%）"), help_text=_("开启时取自设置，之后不随设置变化。")
    )
    probationary_counted = models.BooleanField(
        _("预备党员的测评计票"), help_text=_("开启时取自设置（党章第七条：预备党员没有表决权）。")
    )
    decision_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("评定的支部大会"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("支部大会评定日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开启人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("开启时间"), default=timezone.now)

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="appraisal_one_campaign_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {_('民主评议党员')}"

    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)

    def reached(self, phase: str) -> bool:
        return self.phase_index() >= PHASE_ORDER.index(phase)


class Participant(models.Model):
    """A Party member of the branch when the campaign opened: writes a 自我评价, is rated, may
    rate; the committee proposes a grade and the 支部大会 decides it. Whether they have voted is
    NOT here (see BallotCast)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("民主评议"), on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="appraisals",
    )
    stage = models.CharField(_("开启时的阶段"), max_length=20)
    self_assessment = models.TextField(_("自我评价"), blank=True)
    self_assessment_saved_at = models.DateTimeField(_("自我评价保存时间"), null=True, blank=True)
    proposed_grade = models.CharField(
        _("支委会意见"), max_length=20, choices=Grade.choices, blank=True
    )
    proposal_note = models.CharField(_("意见说明"), max_length=300, blank=True)
    decided_grade = models.CharField(
        _("评定等次"), max_length=20, choices=Grade.choices, blank=True
    )

    class Meta:
        verbose_name = _("参评党员")
        verbose_name_plural = _("参评党员")
        ordering = ["campaign", "member__student_no"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="appraisal_one_participant")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.member}"


class BallotCast(models.Model):
    """That a member has voted in a campaign, and on which day — nothing of what they voted."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("民主评议"), on_delete=models.CASCADE, related_name="ballots"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    cast_on = models.DateField(_("投票日期"))

    class Meta:
        verbose_name = _("已投票记录")
        verbose_name_plural = _("已投票记录")
        ordering = ["campaign", "member__student_no"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="appraisal_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.member}"


class Tally(models.Model):
    """How many counted ballots gave `member` the grade `grade`: created at zero for every
    participant and grade when the campaign opens, only ever incremented by whole ballots."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("民主评议"), on_delete=models.CASCADE, related_name="tallies"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("被测评党员"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("等次"), max_length=20, choices=Grade.choices)
    votes = models.PositiveIntegerField(_("票数"), default=0)

    class Meta:
        verbose_name = _("测评票数")
        verbose_name_plural = _("测评票数")
        ordering = ["campaign", "member", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member", "grade"], name="appraisal_one_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_grade_display()} {self.votes}"


class FollowUpAction(models.TextChoices):
    """What the branch does with a member graded 不合格 (党章第九条; 《关于加强和改进党员队伍建设
    的意见》: 限期改正, and after it 劝其退党 or 除名)."""

    RECTIFY = "rectify", _("限期改正")
    PERSUADE = "persuade", _("劝其退党")
    REMOVE = "remove", _("除名")


class FollowUp(RecordedBy):
    """The follow-up of a member graded 不合格: the action, the deadline and its outcome (who
    recorded it: RecordedBy)."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("参评党员"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    action = models.CharField(_("处置方式"), max_length=20, choices=FollowUpAction.choices)
    deadline = models.DateField(_("改正期限"), null=True, blank=True)
    note = models.TextField(_("帮助措施"), blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("不合格党员处置")
        verbose_name_plural = _("不合格党员处置")
        ordering = ["participant", "created_at"]

    def __str__(self) -> str:
        return f"{self.participant.member} {self.get_action_display()}"
