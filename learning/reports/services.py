"""Writes of learning.reports: issuing and revoking certificates (结业证书), disqualifying trainees."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.reports.exceptions import (
    AlreadyDisqualified,
    AlreadyRevoked,
    CertificateRefused,
    NotDisqualified,
    NotInClass,
    ReasonRequired,
    ReportsError,
)
from learning.reports.models import (
    Certificate,
    Disqualification,
    certificate_issuer,
    new_certificate_number,
)
from learning.reports.selectors import (
    ReportFilters,
    ReportStatus,
    class_report,
    iter_rows,
    report_row,
)


def _new_number() -> str:
    # 32**10 possibilities make a clash unlikely; the unique index has the last word.
    for _attempt in range(5):
        number = new_certificate_number()
        if not Certificate.objects.filter(number=number).exists():
            return number
    raise CertificateRefused(_("无法生成证书编号，请重试。"))


def _locked_enrolment(*, training_class: TrainingClass, trainee: TraineeProfile) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(training_class=training_class, trainee=trainee)
        .first()
    )
    if enrolment is None:
        raise NotInClass()
    return enrolment


def certificate_issue(
    *, training_class: TrainingClass, trainee: TraineeProfile, issued_by
) -> Certificate:
    """Issue a certificate if the trainee meets the class rules (required 学时 and exam passed)."""
    with transaction.atomic():
        # The enrolment row is the lock: two trainers clicking at once issue one certificate.
        _locked_enrolment(training_class=training_class, trainee=trainee)
        row = report_row(training_class=training_class, trainee=trainee)
        if row.certificate_no:
            raise CertificateRefused(_("该学员已有结业证书：%(no)s。") % {"no": row.certificate_no})
        if row.disqualified_reason:
            raise CertificateRefused(
                _("该学员已被取消结业资格（%(reason)s），不能颁发结业证书。")
                % {"reason": row.disqualified_reason}
            )
        if row.status != ReportStatus.COMPLETED:
            message = _("不符合结业条件：当前状态为“%(status)s”。") % {"status": row.status_label}
            if row.missing:
                # What is short, in the report's words (issue 14: the 请假 allowance too).
                message += _("尚缺：%(missing)s。") % {"missing": "、".join(row.missing_labels)}
            raise CertificateRefused(message)
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    number=_new_number(),
                    trainee=trainee,
                    training_class=training_class,
                    trainee_name=trainee.name,
                    class_name=str(training_class),
                    earned_hours=row.earned_hours,
                    # Printed only if the class says so (TrainingClass.certificate_shows_score).
                    exam_score=row.exam_score if training_class.certificate_shows_score else None,
                    issuer_name=certificate_issuer()[0],
                    issued_at=timezone.now(),
                    issued_by=issued_by,
                )
        except IntegrityError as exc:
            raise CertificateRefused() from exc


@dataclass
class BulkIssuePreview:
    """Who a bulk issue would give a certificate, and who it skips and why (issue 14)."""

    to_issue: list
    skipped: list  # (ReportRow, reason)


def certificate_issue_preview(*, training_class: TrainingClass) -> BulkIssuePreview:
    """What certificate_issue_bulk would do now; nothing is written."""
    return issue_preview_of(iter_rows(class_report(training_class=training_class)))


def issue_preview_of(rows) -> BulkIssuePreview:
    """Who of these report rows (one class's) would get a certificate, who is skipped and why:
    the rule of certificate_issue_preview, also read by the trainer's landing page."""
    preview = BulkIssuePreview(to_issue=[], skipped=[])
    for row in rows:
        if row.qualifies:
            preview.to_issue.append(row)
        elif row.certificate_no:
            preview.skipped.append((row, _("已有结业证书 %(no)s") % {"no": row.certificate_no}))
        elif row.disqualified_reason:
            preview.skipped.append(
                (row, _("已取消结业资格：%(reason)s") % {"reason": row.disqualified_reason})
            )
        else:
            reason = row.status_label
            if row.missing:
                reason += "：" + "、".join(row.missing_labels)
            preview.skipped.append((row, reason))
    return preview


def certificate_issue_bulk(*, training_class: TrainingClass, issued_by) -> list[Certificate]:
    """Issue certificates to everyone in the class who qualifies and has none yet."""
    rows = iter_rows(
        class_report(
            training_class=training_class,
            filters=ReportFilters(status=ReportStatus.COMPLETED.value),
        )
    )
    trainee_ids = [row.trainee_id for row in rows if row.qualifies]
    issued = []
    for trainee in TraineeProfile.objects.filter(pk__in=trainee_ids).order_by("student_no"):
        try:
            issued.append(
                certificate_issue(
                    training_class=training_class, trainee=trainee, issued_by=issued_by
                )
            )
        except ReportsError:
            # Someone issued it in the meantime (or progress changed): skip, nothing to undo.
            continue
    return issued


def certificate_revoke(*, certificate: Certificate, revoked_by, reason: str) -> Certificate:
    """Revoke a certificate with a reason; it stays on record and verification says 已撤销."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:
            raise AlreadyRevoked()
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = revoked_by
        certificate.revoke_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate


def enrolment_disqualify(
    *, training_class: TrainingClass, trainee: TraineeProfile, by, reason: str
) -> Disqualification:
    """取消结业资格 (cheating, misconduct): the report shows 未通过 and no certificate can be issued.

    A valid certificate of the class is revoked with the same reason, linked to this decision.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("请填写取消结业资格的原因。"))
    with transaction.atomic():
        # The enrolment row is the lock, as for issuing: issue and disqualify never interleave.
        enrolment = _locked_enrolment(training_class=training_class, trainee=trainee)
        if enrolment.disqualifications.filter(lifted_at__isnull=True).exists():
            raise AlreadyDisqualified()
        now = timezone.now()
        decision = Disqualification.objects.create(
            enrolment=enrolment, reason=reason, created_at=now, created_by=by
        )
        Certificate.objects.filter(
            trainee=trainee, training_class=training_class, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=by, revoke_reason=reason, disqualification=decision)
    return decision


def enrolment_reinstate(
    *, training_class: TrainingClass, trainee: TraineeProfile, by, reason: str
) -> Disqualification:
    """Lift the disqualification in force (e.g. after an appeal); the normal rules apply again.

    The decision and its lifting both stay on record. A certificate revoked by the
    disqualification stays revoked; if the trainee meets the rules a new one can be issued.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("请填写恢复结业资格的原因。"))
    with transaction.atomic():
        enrolment = _locked_enrolment(training_class=training_class, trainee=trainee)
        decision = enrolment.disqualifications.filter(lifted_at__isnull=True).first()
        if decision is None:
            raise NotDisqualified()
        decision.lifted_at = timezone.now()
        decision.lifted_by = by
        decision.lift_reason = reason
        decision.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return decision
