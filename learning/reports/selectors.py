"""Reads for trainer reports: the class report in one SQL query, its charts, the dashboard, records.

The report is an Enrolment queryset annotated with correlated subqueries (学时 from the ledger,
lessons completed, the counted exam attempt, the certificate) and a status computed in SQL, so
filtering, sorting and paging happen in the database and the number of queries does not grow
with the class.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
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
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.classes.models import Enrolment, TraineeProfile, TraineeStage, TrainingClass
from learning.classes.selectors import can_view_all_classes, classes_for_trainer
from learning.progress.lessons import visible_lessons
from learning.progress.models import HoursLedgerEntry, LessonProgress
from learning.progress.selectors import (
    class_ledger_q,
    hours_ledger,
    ledger_entries_for_trainer,
)
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


def _class_enrolments(training_class: TrainingClass, *, today=None, **filters) -> QuerySet:
    return annotate_report(
        Enrolment.objects.filter(training_class=training_class, **filters),
        today=today,
        class_id=training_class.pk,
    )


# --- filters, sorting, search --------------------------------------------------------------


SORTS = {
    "student_no": "trainee__student_no",
    "name": "trainee__name",
    "college": "trainee__college__name",
    "branch": "trainee__branch__name",
    "stage": "trainee__stage",
    "earned": "earned_hours",
    "lessons": "lessons_completed",
    "exam": "exam_score",
    "status": "status",
    "certificate": "certificate_no",
}


@dataclass(frozen=True)
class ReportFilters:
    """What the trainer narrowed the report to; empty values mean "all"."""

    branch: int | None = None
    college: int | None = None
    stage: str = ""
    status: str = ""
    q: str = ""
    sort: str = "student_no"

    def describe(self, *, branch_name: str = "", college_name: str = "") -> list[tuple[str, str]]:
        """The filters applied, as (label, value) pairs for export title rows."""
        parts = []
        if self.college:
            parts.append((str(_("学院")), college_name or str(self.college)))
        if self.branch:
            parts.append((str(_("党支部")), branch_name or str(self.branch)))
        if self.stage:
            parts.append((str(_("培养阶段")), str(dict(TraineeStage.choices).get(self.stage, ""))))
        if self.status:
            parts.append((str(_("状态")), str(dict(ReportStatus.choices).get(self.status, ""))))
        if self.q:
            parts.append((str(_("搜索")), self.q))
        return parts


def apply_filters(qs: QuerySet, filters: ReportFilters) -> QuerySet:
    if filters.branch:
        qs = qs.filter(trainee__branch_id=filters.branch)
    if filters.college:
        qs = qs.filter(trainee__college_id=filters.college)
    if filters.stage:
        qs = qs.filter(trainee__stage=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(
            Q(trainee__name__icontains=filters.q) | Q(trainee__student_no__icontains=filters.q)
        )
    return qs


def apply_sort(qs: QuerySet, sort: str) -> QuerySet:
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), SORTS["student_no"])
    expression = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    # Student numbers are unique: a stable order, so paging never repeats or skips a row.
    return qs.order_by(expression, "trainee__student_no", "id")


# --- rows ----------------------------------------------------------------------------------

ROW_VALUES = {
    "id": "id",
    "training_class_id": "training_class_id",
    "trainee_id": "trainee_id",
    "user_id": "trainee__user_id",
    "name": "trainee__name",
    "student_no": "trainee__student_no",
    "college": "trainee__college__name",
    "branch": "trainee__branch__name",
    "branch_id": "trainee__branch_id",
    "stage": "trainee__stage",
    "required_hours": "training_class__required_hours",
    "earned_hours": "earned_hours",
    "lessons_completed": "lessons_completed",
    "lessons_total": "lessons_total",
    "exam_id": "exam_id",
    "exam_score": "exam_score",
    "exam_passed": "exam_passed",
    "status": "status",
    "certificate_no": "certificate_no",
    "disqualified_reason": "disqualified_reason",
}


@dataclass
class ReportRow:
    id: int  # the enrolment
    training_class_id: int
    trainee_id: int
    user_id: int
    name: str
    student_no: str
    college: str
    branch: str
    branch_id: int
    stage: str
    required_hours: Decimal
    earned_hours: Decimal
    lessons_completed: int
    lessons_total: int
    exam_id: int | None
    exam_score: Decimal | None
    exam_passed: bool | None
    status: str
    certificate_no: str | None
    disqualified_reason: str | None = None
    class_name: str = ""

    @property
    def stage_label(self) -> str:
        return str(dict(TraineeStage.choices).get(self.stage, self.stage))

    @property
    def status_label(self) -> str:
        return str(ReportStatus(self.status).label)

    @property
    def qualifies(self) -> bool:
        """Meets the certificate rules and holds no certificate yet."""
        return self.status == ReportStatus.COMPLETED and not self.certificate_no

    @property
    def percent(self) -> int:
        if not self.required_hours:
            return 100
        return min(100, int(self.earned_hours * 100 / self.required_hours))


def _hours(value) -> Decimal:
    # str() first: a float percentage becomes the decimal it prints as, not its binary expansion.
    return Decimal(str(value or 0)).quantize(TWO, rounding=ROUND_HALF_UP)


def to_row(values: dict) -> ReportRow:
    values = dict(values)
    values["earned_hours"] = _hours(values["earned_hours"])
    values["required_hours"] = _hours(values["required_hours"])
    if values["exam_score"] is not None:
        values["exam_score"] = _hours(values["exam_score"])
    if values["exam_passed"] is not None:
        values["exam_passed"] = bool(values["exam_passed"])
    return ReportRow(**values)


def class_report(
    *, training_class: TrainingClass, filters: ReportFilters | None = None, today=None
) -> QuerySet:
    """The class report as a queryset of row dicts (map them with `to_row`): filtered and sorted."""
    filters = filters or ReportFilters()
    qs = _class_enrolments(training_class, today=today)
    qs = apply_sort(apply_filters(qs, filters), filters.sort)
    return _row_values(qs)


def _row_values(qs: QuerySet) -> QuerySet:
    """Row dicts keyed like ReportRow: annotations as they are, related columns renamed."""
    same = [key for key, path in ROW_VALUES.items() if key == path]
    renamed = {key: F(path) for key, path in ROW_VALUES.items() if key != path}
    return qs.values(*same, **renamed)


# Sorting by these needs the per-row subqueries; the others sort on plain columns.
COMPUTED_SORTS = {"earned", "lessons", "exam", "status", "certificate"}


def class_report_page(
    *,
    training_class: TrainingClass,
    filters: ReportFilters,
    number,
    per_page: int = 50,
    today=None,
) -> tuple[Page, list[ReportRow]]:
    """One page of the class report (three queries at any class size).

    When neither the sort nor the filters need computed columns, the page's enrolments are
    chosen on plain columns first and only those rows get the per-row subqueries; otherwise the
    database computes every row to sort or filter them.
    """
    if filters.status or filters.sort.lstrip("-") in COMPUTED_SORTS:
        paginator = Paginator(
            class_report(training_class=training_class, filters=filters, today=today), per_page
        )
        page = paginator.get_page(number)
        return page, [to_row(values) for values in page.object_list]
    plain = apply_sort(
        apply_filters(Enrolment.objects.filter(training_class=training_class), filters),
        filters.sort,
    )
    page = Paginator(plain.values_list("id", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    computed = _row_values(_class_enrolments(training_class, today=today).filter(id__in=ids))
    by_id = {values["id"]: to_row(values) for values in computed}
    return page, [by_id[pk] for pk in ids if pk in by_id]


def iter_rows(qs: QuerySet, *, chunk_size: int = 2000):
    """Stream ReportRows from a class_report queryset without holding them all in memory."""
    for values in qs.iterator(chunk_size=chunk_size):
        yield to_row(values)


def report_row(*, training_class: TrainingClass, trainee: TraineeProfile) -> ReportRow | None:
    """One trainee's row of the class report (None when not enrolled)."""
    values = _row_values(_class_enrolments(training_class, trainee=trainee)).first()
    return to_row(values) if values else None


# --- charts --------------------------------------------------------------------------------


@dataclass
class ReportStats:
    total: int = 0
    statuses: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)
    hours_bins: list[tuple[str, int]] = field(default_factory=list)
    exam_bins: list[tuple[str, int]] = field(default_factory=list)
    examined: int = 0
    passed: int = 0
    qualifying: int = 0  # meet the certificate rules and hold none yet
    daily: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def completion_rate(self) -> Decimal | None:
        done = next((n for v, _label, n in self.statuses if v == ReportStatus.COMPLETED), 0)
        return _rate(done, self.total)

    @property
    def pass_rate(self) -> Decimal | None:
        return _rate(self.passed, self.examined)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def class_report_stats(
    *, training_class: TrainingClass, filters: ReportFilters | None = None, today=None
) -> ReportStats:
    """Status breakdown, 学时 and exam score distributions, daily credited 学时 (two queries)."""
    filters = filters or ReportFilters()
    qs = apply_filters(_class_enrolments(training_class, today=today), filters).order_by()
    stats = ReportStats()
    status_counts: Counter = Counter()
    required = training_class.required_hours or Decimal("0")
    # Five 学时 bins relative to the requirement: 0, <50%, 50–99%, ≥100%… as share of required.
    hour_labels = ["0", "<25%", "25–50%", "50–75%", "75–100%", "≥100%"]
    hour_counts = [0] * len(hour_labels)
    exam_counts = [0] * 10
    for status, earned, score, passed, certificate_no in qs.values_list(
        "status", "earned_hours", "exam_score", "exam_passed", "certificate_no"
    ):
        stats.total += 1
        status_counts[status] += 1
        if status == ReportStatus.COMPLETED and not certificate_no:
            stats.qualifying += 1
        earned = Decimal(earned or 0)
        if earned <= 0:
            hour_counts[0] += 1
        elif not required or earned >= required:
            hour_counts[5] += 1
        else:
            hour_counts[1 + min(3, int(earned * 4 / required))] += 1
        if score is not None:
            stats.examined += 1
            stats.passed += 1 if passed else 0
            exam_counts[min(9, max(0, int(_hours(score) // 10)))] += 1
    stats.statuses = [(s.value, str(s.label), status_counts[s.value]) for s in ReportStatus]
    stats.hours_bins = list(zip(hour_labels, hour_counts, strict=True))
    stats.exam_bins = [
        (f"{i * 10}–{i * 10 + 9 if i < 9 else 100}", n) for i, n in enumerate(exam_counts)
    ]
    stats.daily = daily_class_hours(
        training_class=training_class, user_ids=qs.values("trainee__user_id")
    )
    return stats


def daily_class_hours(
    *, training_class: TrainingClass, user_ids=None
) -> list[tuple[date, Decimal]]:
    """学时 credited towards the class per day (the study date, else the day it was recorded)."""
    qs = HoursLedgerEntry.objects.filter(class_ledger_q(training_class=training_class))
    if user_ids is None:
        user_ids = Enrolment.objects.filter(training_class=training_class).values(
            "trainee__user_id"
        )
    qs = qs.filter(user_id__in=user_ids)
    rows = (
        qs.annotate(day=Coalesce("occurred_on", TruncDate("created_at")))
        .order_by()
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by("day")
    )
    return [(row["day"], _hours(row["total"])) for row in rows if row["day"] is not None]


# --- dashboard -----------------------------------------------------------------------------


@dataclass
class ClassSummary:
    training_class: TrainingClass
    trainees: int = 0
    completed: int = 0
    examined: int = 0
    passed: int = 0
    statuses: dict = field(default_factory=dict)

    @property
    def completion_rate(self) -> Decimal | None:
        return _rate(self.completed, self.trainees)

    @property
    def pass_rate(self) -> Decimal | None:
        return _rate(self.passed, self.examined)


def dashboard(*, user, filters: ReportFilters | None = None, today=None) -> list[ClassSummary]:
    """Every class the user may see with trainees, completion and pass rates (two queries)."""
    filters = filters or ReportFilters()
    classes = list(classes_for_trainer(user=user).order_by("-start_date", "-id"))
    summaries = {tc.pk: ClassSummary(training_class=tc) for tc in classes}
    if not classes:
        return []
    qs = annotate_report(
        Enrolment.objects.filter(training_class_id__in=list(summaries)), today=today
    )
    qs = apply_filters(qs, filters).order_by()
    counts: dict[int, Counter] = defaultdict(Counter)
    for class_id, status, score, passed in qs.values_list(
        "training_class_id", "status", "exam_score", "exam_passed"
    ):
        summary = summaries[class_id]
        summary.trainees += 1
        counts[class_id][status] += 1
        if score is not None:
            summary.examined += 1
            summary.passed += 1 if passed else 0
    for class_id, summary in summaries.items():
        summary.completed = counts[class_id][ReportStatus.COMPLETED.value]
        summary.statuses = dict(counts[class_id])
    return list(summaries.values())


# --- scoping and the trainee record --------------------------------------------------------


def class_for_user(*, user, class_id) -> TrainingClass | None:
    """The class if the user trains it (or sees all classes); None otherwise (→ 404)."""
    try:
        class_id = int(class_id)
    except (TypeError, ValueError):
        return None
    return classes_for_trainer(user=user).filter(pk=class_id).first()


def trainee_in_class(*, training_class: TrainingClass, trainee_id) -> TraineeProfile | None:
    try:
        trainee_id = int(trainee_id)
    except (TypeError, ValueError):
        return None
    return (
        TraineeProfile.objects.filter(pk=trainee_id, enrolments__training_class=training_class)
        .select_related("user", "college", "branch")
        .first()
    )


@dataclass
class LessonLine:
    lesson_id: int
    title: str
    started_at: object
    completed_at: object
    credited_seconds: float
    class_hours: Decimal | None


@dataclass
class TraineeRecord:
    trainee: TraineeProfile
    ledger: list
    total_hours: Decimal
    lessons: list[LessonLine]
    attempts: list
    certificates: list
    classes: list[ReportRow]


def trainee_record(*, trainee: TraineeProfile, viewer=None) -> TraineeRecord:
    """A trainee's 学习档案: ledger, lessons, exam attempts, certificates, classes.

    `viewer` is the trainer or staff member reading it (admin page and PDF): a trainer sees only
    what counts for their own classes — 学时 entries (progress.selectors.ledger_entries_for_trainer,
    the ledger admin's own rule), the lessons those classes require, their exams and the practice
    quizzes of those lessons, their certificates and class rows. None: the whole record (the
    trainee's own copy)."""
    user = trainee.user
    ledger_qs = hours_ledger(user=user).select_related("lesson")
    progress_qs = LessonProgress.objects.filter(user=user)
    attempts_qs = Attempt.objects.filter(user=user)
    certificates_qs = Certificate.objects.filter(trainee=trainee)
    enrolments_qs = Enrolment.objects.filter(trainee=trainee)
    if viewer is not None and not can_view_all_classes(viewer):
        classes = classes_for_trainer(user=viewer).filter(enrolments__trainee=trainee)
        required = TrainingClass.required_lessons.through.objects.filter(
            trainingclass__in=classes
        ).values("page_id")
        ledger_qs = ledger_qs.filter(pk__in=ledger_entries_for_trainer(user=viewer).values("pk"))
        progress_qs = progress_qs.filter(lesson_id__in=required)
        attempts_qs = attempts_qs.filter(
            Q(quiz__training_class__in=classes)
            | Q(quiz__training_class__isnull=True, quiz__lesson_id__in=required)
        )
        certificates_qs = certificates_qs.filter(training_class__in=classes)
        enrolments_qs = enrolments_qs.filter(training_class__in=classes)
    ledger = list(ledger_qs)
    online = {e.lesson_id: e.amount for e in ledger if e.lesson_id and e.source == "online_lesson"}
    lessons = [
        LessonLine(
            lesson_id=p.lesson_id,
            title=p.lesson.title,
            started_at=p.created_at,
            completed_at=p.completed_at,
            credited_seconds=p.credited_seconds,
            class_hours=online.get(p.lesson_id),
        )
        for p in progress_qs.select_related("lesson").order_by("created_at", "id")
    ]
    attempts = list(
        attempts_qs.exclude(state=AttemptState.IN_PROGRESS)
        .select_related("quiz", "quiz__training_class")
        .order_by("started_at", "id")
    )
    for attempt in attempts:
        attempt.percent = (
            (attempt.score * 100 / attempt.max_score).quantize(TWO, rounding=ROUND_HALF_UP)
            if attempt.score is not None and attempt.max_score
            else None
        )
    certificates = list(certificates_qs.select_related("training_class"))
    class_rows = [
        to_row(values)
        for values in _row_values(annotate_report(enrolments_qs).order_by("-enrolled_at"))
    ]
    class_names = {
        e.training_class_id: str(e.training_class)
        for e in enrolments_qs.select_related("training_class")
    }
    for row in class_rows:
        row.class_name = class_names.get(row.training_class_id, "")
    return TraineeRecord(
        trainee=trainee,
        ledger=ledger,
        total_hours=_hours(sum((e.amount for e in ledger), Decimal("0"))),
        lessons=lessons,
        attempts=attempts,
        certificates=certificates,
        classes=class_rows,
    )


def disqualifications(
    *, training_class: TrainingClass, trainee: TraineeProfile
) -> list[Disqualification]:
    """Every 取消结业资格 decision of a trainee in a class, in force or lifted, newest first."""
    return list(
        Disqualification.objects.filter(
            enrolment__training_class=training_class, enrolment__trainee=trainee
        ).select_related("created_by", "lifted_by")
    )


def my_certificates(*, user) -> list[Certificate]:
    """The signed-in trainee's certificates, valid and revoked, newest first (for 我的学习)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Certificate.objects.filter(trainee__user=user)
        .select_related("training_class")
        .order_by("-issued_at", "-id")
    )


@dataclass
class MyClassStanding:
    """One of the signed-in trainee's classes, judged by exactly the rules of the class report."""

    training_class: TrainingClass
    row: ReportRow

    @property
    def status(self) -> ReportStatus:
        return ReportStatus(self.row.status)

    @property
    def earned_hours(self) -> Decimal:
        return self.row.earned_hours

    @property
    def required_hours(self) -> Decimal:
        return self.row.required_hours

    @property
    def exam(self) -> int | None:
        return self.row.exam_id

    @property
    def exam_passed(self) -> bool:
        return bool(self.row.exam_passed)

    @property
    def certificate_no(self) -> str | None:
        return self.row.certificate_no

    @property
    def percent(self) -> int:
        return self.row.percent


def my_class_standings(*, user, today: date | None = None) -> list[MyClassStanding]:
    """The trainee's classes (我的学习, /api/v1/me/) with 学时, exam, certificate and ReportStatus.

    The same annotate_report the trainer's report uses, so a trainee and their trainer always see
    the same status (a revoked certificate shows 未通过 to both). Two queries for any number of
    classes.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    qs = annotate_report(Enrolment.objects.filter(trainee__user=user), today=today)
    rows = [to_row(values) for values in _row_values(qs.order_by("-training_class_id"))]
    classes = TrainingClass.objects.in_bulk([row.training_class_id for row in rows])
    standings = [MyClassStanding(training_class=classes[r.training_class_id], row=r) for r in rows]
    # Newest class first; classes without dates after dated ones, on every database.
    standings.sort(key=lambda s: s.training_class.start_date or date.min, reverse=True)
    return standings


@dataclass
class CompletionSteps:
    """What a trainee still needs for 结业 in one class, by the rules of ReportStatus."""

    standing: MyClassStanding
    hours_missing: Decimal
    lessons_to_do: list = field(default_factory=list)  # required lesson pages not completed

    @property
    def exam_needed(self) -> bool:
        return bool(self.standing.exam) and not self.standing.exam_passed

    @property
    def done(self) -> bool:
        return self.standing.status == ReportStatus.COMPLETED

    @property
    def anything_to_do(self) -> bool:
        return bool(self.hours_missing or self.lessons_to_do or self.exam_needed)


def completion_steps(*, user, training_class_id: int, today=None) -> CompletionSteps | None:
    """The trainee's standing in the class and what is missing: 学时, required lessons, the exam."""
    standing = next(
        (
            s
            for s in my_class_standings(user=user, today=today)
            if s.training_class.pk == training_class_id
        ),
        None,
    )
    if standing is None:
        return None
    missing = max(Decimal("0"), standing.required_hours - standing.earned_hours)
    done = LessonProgress.objects.filter(user=user, completed_at__isnull=False).values("lesson_id")
    required = standing.training_class.required_lessons.exclude(pk__in=done)
    lessons = list(visible_lessons(user=user, queryset=required).order_by("path"))
    return CompletionSteps(standing=standing, hours_missing=missing, lessons_to_do=lessons)
