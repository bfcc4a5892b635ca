"""Reads of training classes: who may see which class, and each trainee's standing in a class."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat

from learning.classes.models import Enrolment, OfflineSession, TraineeProfile, TrainingClass
from learning.progress.models import HoursLedgerEntry
from learning.progress.selectors import (
    class_earned_hours_by_user,
    lessons_completed_by_user,
)

VIEW_ALL_PERMISSION = "classes.view_all_classes"


def can_view_all_classes(user) -> bool:
    return bool(
        user and user.is_active and (user.is_superuser or user.has_perm(VIEW_ALL_PERMISSION))
    )


def classes_for_trainer(*, user) -> QuerySet:
    """Classes a trainer may see and manage: the ones assigned to them, or all with the permission."""
    qs = TrainingClass.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if can_view_all_classes(user):
        return qs
    return qs.filter(trainers=user)


def trainees_for_trainer(*, user) -> QuerySet:
    """Trainee profiles a trainer may see (with their phone numbers): those in the trainer's classes,
    and those not yet in any class (so they can be enrolled); all for staff with the permission."""
    qs = TraineeProfile.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if can_view_all_classes(user):
        return qs
    return qs.filter(
        Q(enrolments__training_class__trainers=user) | Q(enrolments__isnull=True)
    ).distinct()


def class_exam_summary(*, user, training_class: TrainingClass) -> dict:
    """The class's final exam (quiz id) and whether the trainee passed it (from the quiz engine)."""
    from learning.quizzes.selectors import class_exam_summary as exam_summaries

    return exam_summaries(user=user, training_class_ids=[training_class.pk])[training_class.pk]


@dataclass
class ClassProgressRow:
    trainee: TraineeProfile
    earned_hours: Decimal
    required_hours: Decimal
    lessons_completed: int
    lessons_total: int


def class_progress_rows(*, training_class: TrainingClass) -> list[ClassProgressRow]:
    """Every enrolled trainee with earned/required 学时 and lessons completed (constant queries)."""
    enrolments = list(
        Enrolment.objects.filter(training_class=training_class)
        .select_related("trainee__user", "trainee__branch", "trainee__college")
        .order_by("trainee__branch__name", "trainee__student_no")
    )
    user_ids = [e.trainee.user_id for e in enrolments]
    earned = class_earned_hours_by_user(training_class=training_class, user_ids=user_ids)
    completed = lessons_completed_by_user(training_class=training_class, user_ids=user_ids)
    total = training_class.required_lessons.count()
    required = training_class.required_hours or Decimal("0")
    return [
        ClassProgressRow(
            trainee=e.trainee,
            earned_hours=earned.get(e.trainee.user_id, Decimal("0.00")),
            required_hours=required,
            lessons_completed=completed.get(e.trainee.user_id, 0),
            lessons_total=total,
        )
        for e in enrolments
    ]


def required_lesson_ids(*, user) -> list[int]:
    """Ids of the lessons required by any class the trainee is enrolled in."""
    through = TrainingClass.required_lessons.through
    ids = through.objects.filter(trainingclass__enrolments__trainee__user=user).values_list(
        "page_id", flat=True
    )
    return sorted(set(ids))


# --- offline sessions (记录线下培训) -------------------------------------------------------


def _session_reference() -> Concat:
    """The `reference` of a session's ledger entries, built in SQL for the outer session row."""
    return Concat(Value("offline-session:"), Cast(OuterRef("pk"), CharField()))


def class_sessions(*, training_class: TrainingClass) -> QuerySet:
    """A class's offline sessions, newest first, each with its attendee count (one query)."""
    attendees = (
        HoursLedgerEntry.objects.filter(
            training_class_id=OuterRef("training_class_id"),
            reference=_session_reference(),
            source=OuterRef("source"),
        )
        .order_by()
        .values("training_class_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        OfflineSession.objects.filter(training_class=training_class)
        .select_related("recorded_by")
        .annotate(attendee_count=Coalesce(Subquery(attendees), 0))
        .order_by("-occurred_on", "-id")
    )


def session_for_trainer(*, user, session_id) -> OfflineSession | None:
    """The session if it belongs to a class the user trains; None otherwise (→ 404)."""
    try:
        session_id = int(session_id)
    except (TypeError, ValueError):
        return None
    return (
        OfflineSession.objects.filter(
            pk=session_id, training_class__in=classes_for_trainer(user=user)
        )
        .select_related("training_class", "recorded_by")
        .first()
    )


def session_entries(*, session: OfflineSession) -> QuerySet:
    """The session's original ledger entries (one per attendee), each with its corrections' sum."""
    corrected = (
        HoursLedgerEntry.objects.filter(corrects=OuterRef("pk"))
        .order_by()
        .values("corrects")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        HoursLedgerEntry.objects.filter(
            training_class_id=session.training_class_id,
            reference=session.reference,
            source=session.source,
        )
        .select_related("user__trainee_profile__branch", "granted_by")
        .annotate(corrected=Coalesce(Subquery(corrected), Decimal("0")))
        .order_by("user__trainee_profile__branch__name", "user__trainee_profile__student_no")
    )


def enrolled_trainees(*, training_class: TrainingClass) -> QuerySet:
    """The class's trainees for an attendance checklist, by 党支部 then 学号."""
    return (
        TraineeProfile.objects.filter(enrolments__training_class=training_class)
        .select_related("branch")
        .order_by("branch__name", "student_no")
    )
