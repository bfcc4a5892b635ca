"""A trainee's record (学习档案): lessons, 学时, exams, certificates, disqualifications; and the
trainee's own standing in each of their classes (我的学习) and what 结业 still needs."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from learning.classes.membership import stage_label
from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.classes.selectors import (
    can_view_all_classes,
    classes_for_trainer,
    own_trainee_profile,
)
from learning.progress.lessons import visible_lessons
from learning.progress.models import LessonProgress
from learning.progress.selectors import hours_ledger, ledger_entries_for_trainer
from learning.quizzes.models import Attempt, AttemptState
from learning.reports.class_report import ReportRow, row_values, to_row
from learning.reports.models import Certificate, Disqualification
from learning.reports.status import ReportStatus, annotate_report, as_hours


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
    certificates = list(certificates_qs.select_related("training_class"))
    class_rows = [
        to_row(values)
        for values in row_values(annotate_report(enrolments_qs).order_by("-enrolled_at"))
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
        total_hours=as_hours(sum((e.amount for e in ledger), Decimal("0"))),
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
    def status_label(self) -> str:
        return self.row.status_label

    @property
    def awaits_retake(self) -> bool:
        """待重考: the 结业考试 failed and another attempt is allowed (ReportStatus rule 3)."""
        return self.row.status == ReportStatus.RETAKE

    @property
    def awaits_makeup(self) -> bool:
        """待补考: the 补考 is what is left to take (ReportStatus rule 4)."""
        return self.row.status == ReportStatus.MAKEUP

    @property
    def earned_hours(self) -> Decimal:
        return self.row.earned_hours

    @property
    def required_hours(self) -> Decimal:
        return self.row.required_hours

    @property
    def excused_hours(self) -> Decimal:
        """学时 of sessions missed with recorded 请假 that count (within the class's allowance)."""
        return self.row.excused_hours

    @property
    def missing(self) -> list[str]:
        return self.row.missing

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


@dataclass
class MyLearning:
    """我的学习 as /api/v1/me/ answers it: the user, their trainee profile (None for a user who is not
    a trainee) and their classes."""

    user: object
    profile: TraineeProfile | None
    classes: list[MyClassStanding]

    @property
    def name(self) -> str:
        if self.profile:
            return self.profile.name
        return self.user.get_full_name() or self.user.get_username()

    @property
    def stage(self) -> str | None:
        return self.profile.current_stage if self.profile else None

    @property
    def stage_display(self) -> str | None:
        return stage_label(self.stage) if self.profile else None


def my_learning(*, user) -> MyLearning:
    """The signed-in user's 我的学习: profile (with 学院, 党支部 and stage) and class standings."""
    return MyLearning(
        user=user, profile=own_trainee_profile(user), classes=my_class_standings(user=user)
    )


def my_class_standings(*, user, today: date | None = None) -> list[MyClassStanding]:
    """The trainee's classes (我的学习, /api/v1/me/) with 学时, exam, certificate and ReportStatus.

    The same annotate_report the trainer's report uses, so a trainee and their trainer always see
    the same status (a revoked certificate shows 未通过 to both). Two queries for any number of
    classes.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    qs = annotate_report(Enrolment.objects.filter(trainee__user=user), today=today)
    rows = [to_row(values) for values in row_values(qs.order_by("-training_class_id"))]
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
    missing = max(Decimal("0"), standing.required_hours - standing.row.counted_hours)
    done = LessonProgress.objects.filter(user=user, completed_at__isnull=False).values("lesson_id")
    required = standing.training_class.required_lessons.exclude(pk__in=done)
    lessons = list(visible_lessons(user=user, queryset=required).order_by("path"))
    return CompletionSteps(standing=standing, hours_missing=missing, lessons_to_do=lessons)
