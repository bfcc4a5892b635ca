"""The status engine of the class report: an Enrolment queryset annotated with correlated
subqueries (学时 from the ledger, lessons completed, the counted exam attempt, the certificate)
and a status computed in SQL, so filtering, sorting and paging happen in the database and the
number of queries does not grow with the class."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.classes.models import Enrolment, TrainingClass
from learning.progress.models import HoursLedgerEntry, LessonProgress
from learning.quizzes.models import Attempt, AttemptState, GradingMethod, Quiz, QuizKind
from learning.reports.models import Certificate, Disqualification

TWO = Decimal("0.01")
HOURS = DecimalField(max_digits=9, decimal_places=2)


class ReportStatus(models.TextChoices):
    """A trainee's standing in a class as the report shows it; computed, never stored.

    The rules, first match wins (`status_expression` is their only implementation):
    0. 未通过 — disqualified (取消结业资格, e.g. cheating): a Disqualification in force.
    1. 已结业 — holds a valid certificate; or required 学时 met and the exam passed (or the class
       has no exam). This is exactly when a certificate may be issued.
    2. 未通过 — a certificate was revoked and none is valid (unless it was revoked by a
       disqualification that has since been lifted); or the counted exam attempt failed; or the
       class has ended (end date passed) without meeting the rules.
    3. 学时已满 — required 学时 met, exam not yet passed or not yet taken.
    4. 学习中 — some 学时 earned, or a required lesson started.
    5. 未开始 — nothing yet.
    """

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("学习中")
    HOURS_MET = "hours_met", _("学时已满")
    COMPLETED = "completed", _("已结业")
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

    The two must agree; tests/learning/test_report_selectors.py compares them.
    """
    entries = (
        HoursLedgerEntry.objects.filter(user_id=OuterRef("trainee__user_id"))
        .filter(
            Q(training_class_id=_class_ref(class_id))
            | Q(
                training_class__isnull=True,
                lesson_id__in=_required_lessons(_class_ref(class_id, depth=2)),
            )
        )
        .order_by()
        .values("user_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(entries, output_field=HOURS)


def _lesson_progress(class_id: int | None, *, completed: bool) -> QuerySet:
    qs = LessonProgress.objects.filter(
        user_id=OuterRef("trainee__user_id"),
        lesson_id__in=_required_lessons(_class_ref(class_id, depth=2)),
    )
    return qs.filter(completed_at__isnull=False) if completed else qs


def _counted_attempts() -> QuerySet:
    """Graded attempts of the class exam, the one its grading method counts first.

    Mirrors learning.quizzes.selectors.counted_attempt: highest percentage (earliest on a tie),
    or the last attempt.
    """
    # In floating point: SQLite divides integer-valued decimals as integers (70*100/80 = 87).
    percent = ExpressionWrapper(
        Cast("score", FloatField()) * Value(100.0) / Cast("max_score", FloatField()),
        output_field=FloatField(),
    )
    is_last = Q(quiz__grading_method=GradingMethod.LAST)
    return (
        Attempt.objects.filter(
            quiz_id=OuterRef("exam_id"),
            user_id=OuterRef("trainee__user_id"),
            score__isnull=False,
            max_score__gt=0,
        )
        # "Not any other state" rather than state = graded: with an equality SQLite picks the
        # (quiz, state) index and scans every attempt of the exam for each trainee (quadratic);
        # this way it looks up (quiz, user) in the unique index.
        .exclude(state__in=[s for s in AttemptState.values if s != AttemptState.GRADED])
        .annotate(
            percent=percent,
            key1=Case(When(is_last, then=Value(0.0)), default=percent, output_field=FloatField()),
            key2=Case(
                When(is_last, then=F("number")),
                default=Value(0) - F("number"),
                output_field=IntegerField(),
            ),
        )
        .order_by("-key1", "-key2")
    )


def status_expression(*, today: date) -> Case:
    """The ReportStatus rules (see its docstring) as one SQL expression over the annotations."""
    hours_met = Q(earned_hours__gte=F("training_class__required_hours"))
    return Case(
        When(disqualified_reason__isnull=False, then=Value(ReportStatus.FAILED.value)),
        When(certificate_no__isnull=False, then=Value(ReportStatus.COMPLETED.value)),
        When(certificate_revoked=True, then=Value(ReportStatus.FAILED.value)),
        When(
            hours_met & (Q(exam_id__isnull=True) | Q(exam_passed=True)),
            then=Value(ReportStatus.COMPLETED.value),
        ),
        When(exam_passed=False, then=Value(ReportStatus.FAILED.value)),
        When(training_class__end_date__lt=today, then=Value(ReportStatus.FAILED.value)),
        When(hours_met, then=Value(ReportStatus.HOURS_MET.value)),
        When(
            Q(earned_hours__gt=0) | Q(lesson_started=True),
            then=Value(ReportStatus.IN_PROGRESS.value),
        ),
        default=Value(ReportStatus.NOT_STARTED.value),
        output_field=models.CharField(),
    )


def annotate_report(
    enrolments: QuerySet, *, today: date | None = None, class_id: int | None = None
) -> QuerySet:
    """Enrolments with every report column as an SQL annotation.

    Pass `class_id` when all the enrolments belong to that one class (faster SQL); leave it out
    for enrolments of many classes.
    """
    today = today or timezone.localdate()
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
    # The most recently created exam of a class is its final exam (as in quizzes.selectors).
    exam = Quiz.objects.filter(kind=QuizKind.EXAM, training_class_id=_class_ref(class_id)).order_by(
        "-id"
    )
    certificates = Certificate.objects.filter(
        trainee_id=OuterRef("trainee_id"), training_class_id=_class_ref(class_id)
    )
    counted = _counted_attempts()
    return enrolments.annotate(
        earned_hours=Coalesce(
            _earned_hours_subquery(class_id), Value(Decimal("0")), output_field=HOURS
        ),
        lessons_completed=Coalesce(Subquery(completed), Value(0), output_field=IntegerField()),
        lessons_total=Coalesce(Subquery(lessons_total), Value(0), output_field=IntegerField()),
        lesson_started=Exists(_lesson_progress(class_id, completed=False)),
        exam_id=Subquery(exam.values("id")[:1]),
        exam_score=Subquery(counted.values("percent")[:1], output_field=FloatField()),
        exam_passed=Subquery(counted.values("passed")[:1], output_field=models.BooleanField()),
        certificate_no=Subquery(certificates.filter(revoked_at__isnull=True).values("number")[:1]),
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
    ).annotate(status=status_expression(today=today))


def class_enrolments(training_class: TrainingClass, *, today=None, **filters) -> QuerySet:
    return annotate_report(
        Enrolment.objects.filter(training_class=training_class, **filters),
        today=today,
        class_id=training_class.pk,
    )


def as_hours(value) -> Decimal:
    # str() first: a float percentage becomes the decimal it prints as, not its binary expansion.
    return Decimal(str(value or 0)).quantize(TWO, rounding=ROUND_HALF_UP)
