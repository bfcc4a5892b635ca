"""Question banks, quizzes and exams, attempts with their saved steps and manual grades."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from learning.quizzes.grading import stem_key

# Defined in question_types.py, so that grading.py needs no models; still importable from here.
from learning.quizzes.question_types import CHOICE_TYPES as CHOICE_TYPES
from learning.quizzes.question_types import OPTION_KEYS as OPTION_KEYS
from learning.quizzes.question_types import QuestionType


def default_pass_mark() -> Decimal:
    # Read at creation time so a deployment's settings.DANGKE["EXAM_PASS_MARK"] applies.
    return Decimal(settings.DANGKE["EXAM_PASS_MARK"])


class Difficulty(models.TextChoices):
    EASY = "easy", _("易")
    MEDIUM = "medium", _("中")
    HARD = "hard", _("难")


def new_questions_version() -> int:
    """A bank's questions_version after a change: random, so a value is never seen twice (ids and
    counters come back after a rollback; a cached pool must never match a different bank)."""
    return secrets.randbits(62)


class QuestionBank(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Who may change the bank's questions (their keys grade exams): its owner, the trainers of its
    # class, staff — and every trainer only when staff share it for editing. Everyone else may read
    # it and draw from it (selectors.banks_editable_by).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所有人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_question_banks",
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass",
        verbose_name=_("所属培训班"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="question_banks",
        help_text=_("选择后，该班的培训管理员都可以编辑这个题库。"),
    )
    shared_for_editing = models.BooleanField(
        _("允许所有培训管理员编辑"),
        default=False,
        help_text=_("默认其他培训管理员只能查看和抽题，不能修改试题和答案；仅管理员可以更改此项。"),
    )
    # New on every change to the bank's questions (drawing.bank_questions_changed): the key of the
    # candidate ids each worker keeps per draw rule (drawing._CANDIDATES).
    questions_version = models.BigIntegerField(default=new_questions_version, editable=False)

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a bank. `answer` is stored normalised (see grading.normalise_answer)."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("题库"), on_delete=models.CASCADE, related_name="questions"
    )
    type = models.CharField(_("题型"), max_length=16, choices=QuestionType.choices)
    stem = models.TextField(_("题干"))
    options = models.JSONField(
        _("选项"), default=list, blank=True, help_text=_("最多 8 个选项（A–H）。")
    )
    answer = models.JSONField(_("答案"), null=True, blank=True)
    explanation = models.TextField(_("解析"), blank=True)
    score = models.DecimalField(
        _("分值"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    difficulty = models.CharField(
        _("难度"), max_length=8, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    category = models.CharField(_("分类"), max_length=100, blank=True, db_index=True)
    tags = models.CharField(
        _("标签"), max_length=200, blank=True, help_text=_("多个标签用逗号分隔。")
    )
    # Type + normalised stem, hashed: questions with the same key in a bank are duplicates.
    stem_key = models.CharField(_("查重键"), max_length=40, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank", "id"]
        indexes = [models.Index(fields=["bank", "type", "category", "difficulty"])]

    def __str__(self) -> str:
        return f"[{self.get_type_display()}] {self.stem[:40]}"

    def save(self, *args, **kwargs):
        self.stem_key = stem_key(self.type, self.stem)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        question = super().from_db(db, field_names, values)
        # The bank it was read from: a question moved to another bank changes both.
        question._loaded_bank_id = question.__dict__.get("bank_id")
        return question


class QuizKind(models.TextChoices):
    PRACTICE = "practice", _("课后练习")
    EXAM = "exam", _("考试")


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("最高分")
    LAST = "last", _("最后一次")


class ReviewLevel(models.TextChoices):
    """What a trainee sees of a finished attempt; each level includes the ones before it."""

    NOTHING = "none", _("不显示")
    SCORE = "score", _("仅显示分数")
    ANSWERS = "answers", _("分数和正确答案")
    EXPLANATIONS = "explanations", _("分数、正确答案和解析")


REVIEW_ORDER = [
    ReviewLevel.NOTHING,
    ReviewLevel.SCORE,
    ReviewLevel.ANSWERS,
    ReviewLevel.EXPLANATIONS,
]


class Quiz(ClusterableModel):
    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=16, choices=QuizKind.choices, default=QuizKind.EXAM
    )
    description = models.TextField(_("说明"), blank=True)
    lesson = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("所属微党课"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quizzes",
        help_text=_("课后练习挂在一节微党课上。"),
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass",
        verbose_name=_("培训班"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exams",
        help_text=_("考试属于一个培训班，只有该班学员可以参加。"),
    )
    is_final_exam = models.BooleanField(
        _("本班结业考试"),
        default=False,
        help_text=_(
            "每个培训班有且只有一场结业考试：结业要求通过它（或它的补考），"
            "及格分由培训班的“及格分”决定。"
        ),
    )
    makeup_of = models.OneToOneField(
        "self",
        verbose_name=_("补考（对应的结业考试）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="makeup",
        help_text=_(
            "选择本班的结业考试，则这场考试是它的补考：只对结业考试未通过、作答次数已用完"
            "或结业考试关闭时仍未参加的学员开放；两场中通过任一场即为考试合格。"
        ),
    )
    opens_at = models.DateTimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("限时（分钟）"),
        null=True,
        blank=True,
        help_text=_("留空不限时；常见结业考试为 90 分钟。"),
    )
    attempts_allowed = models.PositiveIntegerField(
        _("允许作答次数"), default=1, help_text=_("0 表示不限次数。")
    )
    grading_method = models.CharField(
        _("成绩计算方式"),
        max_length=16,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    pass_mark = models.DecimalField(
        _("及格线（百分制）"),
        max_digits=5,
        decimal_places=2,
        default=default_pass_mark,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("得分率达到此值（满分折算为 100）即为通过；通常为 60，部分培训班为 80。"),
    )
    review_after_submit = models.CharField(
        _("交卷后可查看"), max_length=16, choices=ReviewLevel.choices, default=ReviewLevel.SCORE
    )
    review_after_close = models.CharField(
        _("考试关闭后可查看"),
        max_length=16,
        choices=ReviewLevel.choices,
        default=ReviewLevel.EXPLANATIONS,
    )
    shuffle_questions = models.BooleanField(_("打乱题目顺序"), default=True)
    shuffle_options = models.BooleanField(_("打乱选项顺序"), default=True)
    multiple_partial_credit = models.BooleanField(
        _("多选题少选按比例得分"),
        default=False,
        help_text=_("默认多选、少选、错选均不得分；勾选后少选（无错选）按选对比例得分。"),
    )
    class_hours_credit = models.DecimalField(
        _("通过后计学时"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("常见规则：通过测试可加 0.5 学时；留空不计。"),
    )
    max_focus_losses = models.PositiveIntegerField(
        _("离开考试页面次数上限"),
        default=0,
        help_text=_(
            "学员切换到其他应用或标签页、锁屏、刷新或关闭考试页面都计为离开一次；超过此次数自动交卷。"
            "0 表示不限制，只记录次数。"
        ),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("测验/考试")
        verbose_name_plural = _("测验/考试")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A class names one 结业考试 (issue 14: no more "the newest exam of the class").
            models.UniqueConstraint(
                fields=["training_class"],
                condition=models.Q(is_final_exam=True),
                name="quizzes_quiz_one_final_exam",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_exam(self) -> bool:
        return self.kind == QuizKind.EXAM

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def is_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.closes_at and now >= self.closes_at)


class QuizQuestion(Orderable):
    """A fixed question of a quiz, in the editor's order."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(
        Question, verbose_name=_("试题"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(
        _("分值"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空使用试题本身的分值。"),
    )

    class Meta:
        verbose_name = _("固定试题")
        verbose_name_plural = _("固定试题")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quiz_question_unique")
        ]

    def __str__(self) -> str:
        return str(self.question)


class QuizDrawRule(Orderable):
    """Draw `count` random questions matching type/category/difficulty from a bank, each `score`."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draw_rules")
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("题型"), max_length=16, choices=QuestionType.choices)
    category = models.CharField(_("分类"), max_length=100, blank=True, help_text=_("留空不限。"))
    difficulty = models.CharField(
        _("难度"), max_length=8, choices=Difficulty.choices, blank=True, help_text=_("留空不限。")
    )
    count = models.PositiveIntegerField(_("题数"), validators=[MinValueValidator(1)])
    score = models.DecimalField(
        _("每题分值"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("抽题规则")
        verbose_name_plural = _("抽题规则")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.bank} · {self.get_type_display()} × {self.count}"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("作答中")
    SUBMITTED = "submitted", _("已交卷")
    NEEDS_GRADING = "needs_grading", _("待阅卷")
    GRADED = "graded", _("已评分")


# The only allowed state changes; services.attempt_transition() enforces them.
ATTEMPT_TRANSITIONS: dict[str, set[str]] = {
    AttemptState.IN_PROGRESS: {AttemptState.SUBMITTED},
    AttemptState.SUBMITTED: {AttemptState.GRADED, AttemptState.NEEDS_GRADING},
    AttemptState.NEEDS_GRADING: {AttemptState.GRADED},
    # Regrading (a revised manual grade, a changed setting) may reopen manual grading.
    AttemptState.GRADED: {AttemptState.NEEDS_GRADING},
}


class Attempt(models.Model):
    """One sitting of a quiz by a user; `questions` is the snapshot taken when it started."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("测验/考试"), on_delete=models.CASCADE, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    number = models.PositiveIntegerField(_("第几次"), default=1)
    state = models.CharField(
        _("状态"), max_length=16, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    graded_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    # Snapshot: [{id, type, stem, options [{key, text}], perm, answer, explanation, score}], with
    # options in the order this trainee sees them and `answer` in the keys this trainee sees.
    questions = models.JSONField(_("试题快照"), default=list)
    multiple_partial_credit = models.BooleanField(default=False)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("满分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    # scoring.percent(score, max_score), stored when graded: the report sorts and shows it.
    percent = models.DecimalField(
        _("得分（百分制）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("是否通过"), null=True, blank=True)
    closed_by_deadline = models.BooleanField(_("超时自动交卷"), default=False)
    # 切屏检测: how often the exam page was hidden (AttemptFocusLoss rows, counted once each).
    focus_losses = models.PositiveIntegerField(_("离开考试页面次数"), default=0)
    closed_by_focus_loss = models.BooleanField(_("离开页面超限自动交卷"), default=False)

    class Meta:
        verbose_name = _("作答记录")
        verbose_name_plural = _("作答记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="attempt_number_unique"
            ),
            # At most one open attempt per user and quiz, even if two tabs start at once.
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=models.Q(state="in_progress"),
                name="attempt_one_in_progress",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "state"])]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user} · #{self.number}"


class AttemptAnswer(models.Model):
    """The latest saved answer to one question of an attempt, with its grade."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.BigIntegerField(_("试题"))
    answer = models.JSONField(_("作答"), null=True, blank=True)
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)
    awarded = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅卷人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("阅卷时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_id"], name="attempt_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class AttemptStep(models.Model):
    """Every answer as it was saved, in order (Moodle's steps): the audit trail of an attempt."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="steps")
    question_id = models.BigIntegerField()
    answer = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("作答步骤")
        verbose_name_plural = _("作答步骤")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id} @ {self.created_at:%H:%M:%S}"


class AttemptFocusLoss(models.Model):
    """One time the exam page was hidden (another app or tab, screen locked, page left), as reported
    by the page; `event_id` is the page's own id of the event, so a retried report counts once."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="focus_loss_events")
    event_id = models.CharField(_("事件编号"), max_length=64)
    # The page's clock when it was hidden (reports queued offline arrive later), and ours.
    hidden_at = models.DateTimeField(_("离开时间（学员设备）"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("离开考试页面记录")
        verbose_name_plural = _("离开考试页面记录")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "event_id"], name="attempt_focus_loss_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.event_id} @ {self.created_at:%H:%M:%S}"


class RegradeKind(models.TextChoices):
    REKEY = "rekey", _("按题库当前答案重新评分")
    REGRADE = "regrade", _("重新评分全部答卷")


class RegradeLog(models.Model):
    """Who regraded a quiz's attempts, when, with which key and pass mark, and what changed."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("测验/考试"), on_delete=models.CASCADE, related_name="regrade_logs"
    )
    kind = models.CharField(_("操作"), max_length=16, choices=RegradeKind.choices)
    # The bank question whose key was copied into the attempts; empty for a plain regrade.
    question_id = models.BigIntegerField(_("试题"), null=True, blank=True)
    # Keys in the bank's own option letters: what the attempts had, and what they have now.
    old_keys = models.JSONField(_("原答案"), default=list, blank=True)
    new_key = models.JSONField(_("新答案"), null=True, blank=True)
    pass_mark = models.DecimalField(_("及格线（百分制）"), max_digits=5, decimal_places=2)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("操作时间"), default=timezone.now)
    attempts_rekeyed = models.PositiveIntegerField(_("改答案的答卷数"), default=0)
    attempts_changed = models.PositiveIntegerField(_("成绩变化的答卷数"), default=0)
    # Changed attempts, 学时 removed or credited, certificates to review: the full result.
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("重新评分记录")
        verbose_name_plural = _("重新评分记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
