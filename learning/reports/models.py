"""Certificates of completion (结业证书): issued when a class's rules are met, revocable with a reason."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

# RFC 4648 base32 alphabet: no 0/1/8/9, so numbers read aloud or typed from paper are unambiguous.
NUMBER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
NUMBER_RANDOM_CHARS = 10  # 32**10 ≈ 1.1e15 numbers a year: not guessable by trying.


def new_certificate_number(year: int | None = None) -> str:
    """ "DK" + year + 10 random base32 characters, e.g. DK2026K7Q2M4XZ9A."""
    year = year or timezone.localdate().year
    random_part = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_CHARS))
    return f"DK{year}{random_part}"


class Certificate(models.Model):
    """A 结业证书 of one trainee for one training class; revoked ones stay for the record."""

    number = models.CharField(_("证书编号"), max_length=32, unique=True, editable=False)
    trainee = models.ForeignKey(
        "classes.TraineeProfile",
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass",
        verbose_name=_("培训班"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # What the certificate says is fixed when it is issued, whatever is renamed later.
    trainee_name = models.CharField(_("姓名"), max_length=50)
    class_name = models.CharField(_("培训班名称"), max_length=260)
    earned_hours = models.DecimalField(_("所修学时"), max_digits=7, decimal_places=2)
    exam_score = models.DecimalField(
        _("考试成绩"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # The issuing body as the site settings named it that day (CertificateSettings).
    issuer_name = models.CharField(_("发证单位"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("发证时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("撤销原因"), blank=True)
    # Set when the certificate was revoked because its holder was disqualified; lifting that
    # disqualification lets the trainee qualify (and be issued a new certificate) again.
    disqualification = models.ForeignKey(
        "reports.Disqualification",
        verbose_name=_("取消结业资格记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revoked_certificates",
    )

    class Meta:
        verbose_name = _("结业证书")
        verbose_name_plural = _("结业证书")
        ordering = ["-issued_at", "-id"]
        # The report looks certificates up by (trainee, class) for every row.
        indexes = [
            models.Index(fields=["trainee", "training_class"], name="reports_cert_trainee_class")
        ]
        constraints = [
            # At most one valid certificate per trainee and class, whatever races happen.
            models.UniqueConstraint(
                fields=["trainee", "training_class"],
                condition=Q(revoked_at__isnull=True),
                name="reports_certificate_one_valid",
            )
        ]
        permissions = [("issue_certificate", _("可颁发和撤销结业证书"))]

    def __str__(self) -> str:
        return f"{self.number} {self.trainee_name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Disqualification(models.Model):
    """取消结业资格: a trainer's decision (cheating, misconduct) that a trainee cannot complete a class.

    docs/domain.md: cheating means no certificate. While a disqualification is in force the report shows
    未通过 and no certificate can be issued; a valid certificate is revoked with it. Lifting it is
    a recorded decision too (who, when, why); nothing is deleted.
    """

    enrolment = models.ForeignKey(
        "classes.Enrolment",
        verbose_name=_("参训"),
        on_delete=models.PROTECT,
        related_name="disqualifications",
    )
    reason = models.TextField(_("原因"))
    created_at = models.DateTimeField(_("决定时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("恢复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.TextField(_("恢复原因"), blank=True)

    class Meta:
        verbose_name = _("取消结业资格")
        verbose_name_plural = _("取消结业资格")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one disqualification in force per enrolment, whatever races happen.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(lifted_at__isnull=True),
                name="reports_one_active_disqualification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.reason[:20]}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


@register_setting(icon="doc-full-inverse")
class CertificateSettings(BaseSiteSetting):
    """Who issues the 结业证书 (a 党委 or its 党校) and its seal, edited in 设置 → 结业证书 (issue 14)."""

    issuer_name = models.CharField(
        _("发证单位"),
        max_length=200,
        blank=True,
        help_text=_("印在证书落款和验证页上，例如：中共××大学委员会党校。留空时使用站点名称。"),
    )
    seal = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("公章图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("透明背景的 PNG 图片，印在落款处；留空则不印。"),
    )

    class Meta:
        verbose_name = _("结业证书")


def certificate_issuer(site=None) -> tuple[str, object | None]:
    """(issuer name, seal image or None) from the default site's CertificateSettings."""
    from wagtail.models import Site

    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return "", None
    config = CertificateSettings.for_site(site)
    return (config.issuer_name or site.site_name or "").strip(), config.seal
