"""Quizzes and exams: their settings, fixed questions and draw rules."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from learning.quizzes.models.banks import Difficulty, Question, QuestionBank
from learning.quizzes.question_types import QuestionType


def default_pass_mark() -> Decimal:
    # Read at creation time so a deployment's settings.DANGKE["EXAM_PASS_MARK"] applies.
    return Decimal(settings.DANGKE["EXAM_PASS_MARK"])


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
