"""党费 records: each member's monthly base (with its history), the ledger of payments and the
months each covers, and the reasons recorded for months not paid. Nothing is edited in place: a
new base, a reversing payment or a new reason is a new row."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from party.dues.rules import Category

MONEY = {"max_digits": 12, "decimal_places": 2}


class DuesBase(models.Model):
    """A member's monthly dues from a month on (normally January, set once a year by the 组织委员).
    The base in force for a month is the latest row starting on or before it; a correction is a
    new row with the same start (the later record wins)."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="dues_bases",
    )
    starts_on = models.DateField(_("起始月份"))  # the first day of a month
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    # The declared after-tax monthly salary or pension: personal, shown only to the member and the
    # branch's finance roles (组织委员, 书记), never in reports.
    declared_base = models.DecimalField(_("申报基数（税后月收入）"), null=True, blank=True, **MONEY)
    monthly_amount = models.DecimalField(_("月交纳额"), **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("核定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["member", "starts_on", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0), name="dues_base_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_on:%Y-%m} {self.monthly_amount}"


class PaymentSource(models.TextChoices):
    SINGLE = "single", _("逐笔登记")
    BULK = "bulk", _("按月批量登记")
    STATEMENT = "statement", _("导入缴费明细")
    GATEWAY = "gateway", _("在线支付")
    CORRECTION = "correction", _("冲正")


class Payment(models.Model):
    """Money received from a member (or, with a negative amount, the reversal of such an entry).
    `months` says which months it pays and how much of it goes to each; their sum is the amount."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    paid_on = models.DateField(_("交纳日期"))
    source = models.CharField(_("来源"), max_length=20, choices=PaymentSource.choices)
    # The gateway's transaction id (or a statement's 流水号): one entry per id, so a gateway that
    # posts the same confirmation twice records it once.
    reference = models.CharField(_("流水号"), max_length=64, null=True, blank=True, unique=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("冲正的记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("党费交纳记录")
        verbose_name_plural = _("党费交纳记录")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["member", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.member} {self.amount} {self.paid_on}"


class PaymentMonth(models.Model):
    """The part of a payment that pays one month."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("交纳记录"), on_delete=models.CASCADE, related_name="months"
    )
    member = models.ForeignKey(  # denormalised from the payment: reports sum by member and month
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("所属月份"))  # the first day of the month
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("党费所属月份")
        verbose_name_plural = _("党费所属月份")
        ordering = ["month"]
        indexes = [models.Index(fields=["member", "month"])]
        constraints = [
            models.UniqueConstraint(fields=["payment", "month"], name="dues_payment_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


class ArrearsReason(models.Model):
    """Why a member did not pay for some months (长期病休, 出国学习 …), recorded by the branch: those
    months do not count toward the 党章第九条 six-month flag."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="arrears_reasons",
    )
    starts_on = models.DateField(_("起始月份"))
    ends_on = models.DateField(_("截止月份"))
    reason = models.CharField(_("原因"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("未交党费原因")
        verbose_name_plural = _("未交党费原因")
        ordering = ["member", "starts_on"]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_on:%Y-%m}–{self.ends_on:%Y-%m} {self.reason}"


class StatementImport(models.Model):
    """A 缴费明细 statement checked and shown in its preview, kept until the 组织委员 confirms it.
    Holds the validated rows (not the file); emptied once imported."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dues_statements"
    )
    unit = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("文件名"), max_length=255)
    rows = models.JSONField(_("明细"), default=list)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("党费明细导入")
        verbose_name_plural = _("党费明细导入")

    def __str__(self) -> str:
        return self.filename


class MonthSummary(models.Model):
    """党费 per branch and month, kept by party.dues.summary so the reports and the statistics
    dashboard read a few rows instead of every member's months: what was owed and paid, how many
    members owed something and how many of them paid it in full (已交清). A member counts in the
    branch they belonged to on the month's counted day (its last day, or today), whatever their
    branch today. Derived: rebuilt from the records by `manage.py dues_summary`; only months listed
    in SummaryMonth are kept here, and only branches with something to show."""

    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("月份"))  # the first day of the month
    # Whole 分: sums stay exact on SQLite, which adds decimals as floats.
    owed_fen = models.BigIntegerField(_("应交（分）"))
    paid_fen = models.BigIntegerField(_("实交（分）"))
    members = models.PositiveIntegerField(_("应交人数"))
    paid_members = models.PositiveIntegerField(_("已交清人数"))

    class Meta:
        verbose_name = _("党费月汇总")
        verbose_name_plural = _("党费月汇总")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="dues_summary_unit_month_once")
        ]
        indexes = [models.Index(fields=["month", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.owed_fen} {self.paid_fen}"


class SummaryMonth(models.Model):
    """A month whose MonthSummary rows are complete (every branch computed): the reports read it
    from the summary; a month not listed here is computed from the records on each read."""

    month = models.DateField(_("月份"), unique=True)
    built_at = models.DateTimeField(_("汇总时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已汇总的党费月份")
        verbose_name_plural = _("已汇总的党费月份")
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
