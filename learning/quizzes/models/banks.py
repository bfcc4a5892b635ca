"""Question banks and their questions."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from learning.quizzes.grading import stem_key
from learning.quizzes.question_types import QuestionType


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
