"""The status engine of the class report: an Enrolment queryset annotated with correlated
subqueries (学时 from the ledger, lessons completed, the counted exam attempt, the certificate)
and a status computed in SQL, so filtering, sorting and paging happen in the database and the
number of queries does not grow with the class."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.classes.membership import stage_expression
from learning.classes.models import Enrolment, OfflineLeave, TrainingClass
from learning.progress.models import HoursLedgerEntry, LessonProgress
from learning.quizzes.models import Attempt, AttemptState, GradingMethod, Quiz, QuizKind
from learning.reports.models import Certificate, Disqualification

TWO = Decimal("0.01")
HOURS = DecimalField(max_digits=9, decimal_places=2)
PERCENT = DecimalField(max_digits=5, decimal_places=2)


class ReportStatus(models.TextChoices):
    """A trainee's standing in a class as the report shows it; computed, never stored.

    The rules, first match wins (`status_expression` is their only implementation):
    0. 未通过 — disqualified (取消结业资格, e.g. cheating): a Disqualification in force.
    1. 已达结业条件 (已结业 once it holds a valid certificate) — holds a valid certificate; or
       the 结业 conditions are met: required 学时 (学时
       earned, plus the 学时 of offline sessions missed with recorded 请假 up to the class's
       leave_allowance_percent of its required 学时 — `counted_hours`), every required lesson
       completed, and the 结业考试 or its 补考 passed (or the class has no 结业考试).
       This is exactly when a certificate may be issued.
    2. 未通过 — a certificate was revoked and none is valid (unless it was revoked by a
       disqualification that has since been lifted).
    3. 待重考 — the counted attempt of the 结业考试 failed and another attempt is allowed while it
       is open.
    4. 待补考 — the 结业考试 failed (attempts used up, or it closed) or was missed (closed without
       an attempt), and its 补考 is open with an attempt left and not yet passed.
    5. 未通过 — the exam failed and no attempt or 补考 remains: a final result.
    6. 未结业 — the class has ended (end date passed) without the 结业 conditions.
    7. 学时已修满 — required 学时 met (counted_hours), something else (lessons, exam) still missing.
    8. 学习中 — some 学时 earned, or a required lesson started.
    9. 未开始 — nothing yet.
    """

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("学习中")
    HOURS_MET = "hours_met", _("学时已修满")
    RETAKE = "retake", _("待重考")
    MAKEUP = "makeup", _("待补考")
    UNFINISHED = "unfinished", _("未结业")
    # 已结业 only once the certificate is issued (ReportRow.status_label says which; issue 14).
    COMPLETED = "completed", _("已达结业条件")
    FAILED = "failed", _("未通过")


def _class_ref(class_id: int | None, depth: int = 1):
    """The enrolment's class inside a subquery `depth` levels down, or a constant class id.

    With one class (the class report) a constant lets the database evaluate the class's lesson
    list and exam once instead of once per row; the dashboard correlates with each row's class.
    """
    if class_id is not None:
        return class_id
    ref = OuterRef("training_class_id")
    for _level in range(depth - 1):
        ref = OuterRef(ref)
    return ref


def _required_lessons(class_ref) -> QuerySet:
    through = TrainingClass.required_lessons.through
    return through.objects.filter(trainingclass_id=class_ref).values("page_id")


def _earned_hours_subquery(class_id: int | None) -> Subquery:
    """learning.progress.selectors.class_ledger_q, correlated with the enrolment's user (and class).

    The two must agree; tests/learning/reports/test_report_selectors.py compares them.
    """
    entries = (
        HoursLedgerEntry.objects.filter(user_id=OuterRef("trainee__user_id"))
        .annotate(credit_day=Coalesce("occurred_on", Value(date.min)))
        .filter(
            Q(training_class_id=_class_ref(class_id))
            | Q(
                training_class__isnull=True,
                lesson_id__in=_required_lessons(_class_ref(class_id, depth=2)),
                # TrainingClass.online_credit_window, from the enrolment's class.
                credit_day__gte=Coalesce(
                    OuterRef("training_class__credits_since"),
                    OuterRef("training_class__start_date"),
                    Value(date.min),
                ),
                credit_day__lte=Coalesce(OuterRef("training_class__end_date"), Value(date.max)),
            )
        )
        .order_by()
        .values("user_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(entries, output_field=HOURS)


def _leave_hours_subquery(class_id: int | None) -> Subquery:
    """学时 of the class's offline sessions the trainee missed with recorded 请假 in force (a
    reason is required: OfflineLeave's constraint; a withdrawn leave counts for nothing), before
    the class's allowance caps them."""
    leaves = (
        OfflineLeave.objects.active()
        .filter(trainee_id=OuterRef("trainee_id"), session__training_class_id=_class_ref(class_id))
        .order_by()
        .values("trainee_id")
        .annotate(total=Sum("session__amount"))
        .values("total")
    )
    return Subquery(leaves, output_field=HOURS)


def _lesson_progress(class_id: int | None, *, completed: bool) -> QuerySet:
    qs = LessonProgress.objects.filter(
        user_id=OuterRef("trainee__user_id"),
        lesson_id__in=_required_lessons(_class_ref(class_id, depth=2)),
    )
    return qs.filter(completed_at__isnull=False) if completed else qs


def _counted_attempts(quiz_ref) -> QuerySet:
    """Graded attempts of one exam by the enrolment's trainee, the one its grading method counts
    first. Mirrors learning.quizzes.selectors.counted_attempt: highest stored percentage
    (scoring.percent, earliest on a tie), or the last attempt.
    """
    is_last = Q(quiz__grading_method=GradingMethod.LAST)
    return (
        Attempt.objects.filter(
            quiz_id=quiz_ref,
            user_id=OuterRef("trainee__user_id"),
            percent__isnull=False,
        )
        # "Not any other state" rather than state = graded: with an equality SQLite picks the
        # (quiz, state) index and scans every attempt of the exam for each trainee (quadratic);
        # this way it looks up (quiz, user) in the unique index.
        .exclude(state__in=[s for s in AttemptState.values if s != AttemptState.GRADED])
        .annotate(
            key1=Case(
                When(is_last, then=Value(Decimal("0"))), default=F("percent"), output_field=PERCENT
            ),
            key2=Case(
                When(is_last, then=F("number")),
                default=Value(0) - F("number"),
                output_field=IntegerField(),
            ),
        )
        .order_by("-key1", "-key2")
    )


def _attempts_used(quiz_ref) -> Subquery:
    """How many attempts (in any state) the enrolment's trainee has started on one exam."""
    return Subquery(
        Attempt.objects.filter(quiz_id=quiz_ref, user_id=OuterRef("trainee__user_id"))
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )


def _may_attempt(prefix: str, now) -> Q:
    """The exam `prefix` ("final"/"makeup", annotations of annotate_report) is open and the
    trainee has an attempt left."""
    return (
        Q(**{("exam_id" if prefix == "final" else "makeup_id") + "__isnull": False})
        & (Q(**{f"{prefix}_closes__isnull": True}) | Q(**{f"{prefix}_closes__gt": now}))
        & (Q(**{f"{prefix}_allowed": 0}) | Q(**{f"{prefix}_allowed__gt": F(f"{prefix}_used")}))
    )


def status_expression(*, today: date, now=None) -> Case:
    """The ReportStatus rules (see its docstring) as one SQL expression over the annotations."""
    now = now or timezone.now()
    hours_met = Q(counted_hours__gte=F("training_class__required_hours"))
    lessons_met = Q(lessons_completed__gte=F("lessons_total"))
    exam_met = Q(exam_id__isnull=True) | Q(exam_passed=True)
    final_failed = Q(final_passed=False)
    final_missed = Q(final_used=0) & Q(final_closes__lte=now)
    makeup_not_passed = Q(makeup_passed__isnull=True) | Q(makeup_passed=False)
    return Case(
        When(disqualified_reason__isnull=False, then=Value(ReportStatus.FAILED.value)),
        When(certificate_no__isnull=False, then=Value(ReportStatus.COMPLETED.value)),
        When(certificate_revoked=True, then=Value(ReportStatus.FAILED.value)),
        When(hours_met & lessons_met & exam_met, then=Value(ReportStatus.COMPLETED.value)),
        When(final_failed & _may_attempt("final", now), then=Value(ReportStatus.RETAKE.value)),
        When(
            (final_failed | final_missed) & makeup_not_passed & _may_attempt("makeup", now),
            then=Value(ReportStatus.MAKEUP.value),
        ),
        When(exam_passed=False, then=Value(ReportStatus.FAILED.value)),
        When(training_class__end_date__lt=today, then=Value(ReportStatus.UNFINISHED.value)),
        When(hours_met, then=Value(ReportStatus.HOURS_MET.value)),
        When(
            Q(earned_hours__gt=0) | Q(lesson_started=True),
            then=Value(ReportStatus.IN_PROGRESS.value),
        ),
        default=Value(ReportStatus.NOT_STARTED.value),
        output_field=models.CharField(),
    )


def annotate_report(
    enrolments: QuerySet,
    *,
    today: date | None = None,
    class_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """Enrolments with every report column as an SQL annotation.

    Pass `class_id` when all the enrolments belong to that one class (faster SQL); leave it out
    for enrolments of many classes.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    through = TrainingClass.required_lessons.through
    lessons_total = (
        through.objects.filter(trainingclass_id=_class_ref(class_id))
        .order_by()
        .values("trainingclass_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    completed = (
        _lesson_progress(class_id, completed=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    # The class names its 结业考试 (Quiz.is_final_exam); its 补考 is linked to it (makeup_of).
    final = Quiz.objects.filter(
        kind=QuizKind.EXAM, is_final_exam=True, training_class_id=_class_ref(class_id)
    )
    makeup = Quiz.objects.filter(makeup_of_id=OuterRef("exam_id"))
    certificates = Certificate.objects.filter(
        trainee_id=OuterRef("trainee_id"), training_class_id=_class_ref(class_id)
    )
    final_counted = _counted_attempts(OuterRef("exam_id"))
    makeup_counted = _counted_attempts(OuterRef("makeup_id"))
    return (
        enrolments.annotate(
            earned_hours=Coalesce(
                _earned_hours_subquery(class_id), Value(Decimal("0")), output_field=HOURS
            ),
            leave_hours=Coalesce(
                _leave_hours_subquery(class_id), Value(Decimal("0")), output_field=HOURS
            ),
            lessons_completed=Coalesce(Subquery(completed), Value(0), output_field=IntegerField()),
            lessons_total=Coalesce(Subquery(lessons_total), Value(0), output_field=IntegerField()),
            lesson_started=Exists(_lesson_progress(class_id, completed=False)),
            # The trainee's stage is their documented history's (party.members), not a free field.
            trainee_stage=stage_expression("trainee__"),
            exam_id=Subquery(final.values("id")[:1]),
            final_closes=Subquery(final.values("closes_at")[:1]),
            final_allowed=Subquery(final.values("attempts_allowed")[:1]),
        )
        .annotate(
            # The allowance: 请假 counts as studied up to the class's share of its required 学时,
            # never beyond (TrainingClass.leave_allowance_hours says the same in Python). The one place the rule is computed.
            excused_hours=Least(
                F("leave_hours"),
                Coalesce(F("training_class__required_hours"), Value(Decimal("0")))
                * F("training_class__leave_allowance_percent")
                / Value(Decimal("100")),
                output_field=HOURS,
            ),
            makeup_id=Subquery(makeup.values("id")[:1]),
            makeup_closes=Subquery(makeup.values("closes_at")[:1]),
            makeup_allowed=Subquery(makeup.values("attempts_allowed")[:1]),
            final_used=Coalesce(
                _attempts_used(OuterRef("exam_id")), Value(0), output_field=IntegerField()
            ),
            final_percent=Subquery(final_counted.values("percent")[:1], output_field=PERCENT),
            final_passed=Subquery(
                final_counted.values("passed")[:1], output_field=models.BooleanField()
            ),
        )
        .alias(
            # An alias, not a selected annotation: every reference to an annotation repeats its
            # whole SQL, so selecting it would evaluate the ledger sum (the report's dominant
            # cost) once more per row. ReportRow.counted_hours adds the two selected columns.
            counted_hours=ExpressionWrapper(
                F("earned_hours") + F("excused_hours"), output_field=HOURS
            ),
        )
        .annotate(
            makeup_used=Coalesce(
                _attempts_used(OuterRef("makeup_id")), Value(0), output_field=IntegerField()
            ),
            makeup_percent=Subquery(makeup_counted.values("percent")[:1], output_field=PERCENT),
            makeup_passed=Subquery(
                makeup_counted.values("passed")[:1], output_field=models.BooleanField()
            ),
        )
        .annotate(
            # A pass in either counts; the score shown is the passing one, else the 补考's
            # when it was taken, else the 结业考试's.
            exam_passed=Case(
                When(Q(final_passed=True) | Q(makeup_passed=True), then=Value(True)),
                When(Q(final_passed=False) | Q(makeup_passed=False), then=Value(False)),
                default=Value(None),
                output_field=models.BooleanField(null=True),
            ),
            exam_by_makeup=Case(
                When(final_passed=True, then=Value(False)),
                When(makeup_percent__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            exam_score=Case(
                When(final_passed=True, then=F("final_percent")),
                When(makeup_percent__isnull=False, then=F("makeup_percent")),
                default=F("final_percent"),
                output_field=PERCENT,
            ),
            certificate_no=Subquery(
                certificates.filter(revoked_at__isnull=True).values("number")[:1]
            ),
            certificate_revoked=Exists(
                certificates.filter(revoked_at__isnull=False).exclude(
                    disqualification__lifted_at__isnull=False
                )
            ),
            disqualified_reason=Subquery(
                Disqualification.objects.filter(enrolment_id=OuterRef("pk"), lifted_at__isnull=True)
                .order_by("-id")
                .values("reason")[:1]
            ),
        )
        .annotate(status=status_expression(today=today, now=now))
    )


def class_enrolments(training_class: TrainingClass, *, today=None, **filters) -> QuerySet:
    return annotate_report(
        Enrolment.objects.filter(training_class=training_class, **filters),
        today=today,
        class_id=training_class.pk,
    )


def as_hours(value) -> Decimal:
    # str() first: a float percentage becomes the decimal it prints as, not its binary expansion.
    return Decimal(str(value or 0)).quantize(TWO, rounding=ROUND_HALF_UP)
