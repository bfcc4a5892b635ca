"""Reads of learning progress, of the 学时 ledger and of offline sessions."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

from learning.classes.membership import organisation_annotations, with_organisation
from learning.classes.models import (
    Enrolment,
    OfflineLeave,
    OfflineSession,
    TraineeProfile,
    TrainingClass,
)
from learning.classes.selectors import can_view_all_classes, classes_for_trainer
from learning.progress.models import HoursLedgerEntry, LessonProgress


def hours_ledger(*, user) -> QuerySet:
    """The trainee's ledger (学习档案), newest first by the day studied, then recorded."""
    return (
        HoursLedgerEntry.objects.filter(user=user)
        .select_related("training_class", "granted_by", "corrects")
        .by_study_date()
    )


def _required_lesson_ids(training_class) -> QuerySet:
    through = training_class.required_lessons.through
    return through.objects.filter(trainingclass_id=training_class.pk).values("page_id")


def class_ledger_q(*, training_class) -> Q:
    """Entries that count for a class: its own entries, and online credits of lessons it requires
    earned inside its window (TrainingClass.online_credit_window; corrections carry the date of
    the entry they correct)."""
    first, last = training_class.online_credit_window()
    online = Q(training_class__isnull=True, lesson_id__in=_required_lesson_ids(training_class))
    # An undated credit (none is made today) counts as earned on the earliest day: inside a
    # window without a first day only (as learning.reports.status does in SQL).
    if first:
        online &= Q(occurred_on__gte=first)
    if last:
        online &= Q(occurred_on__lte=last) | Q(occurred_on__isnull=True)
    return Q(training_class_id=training_class.pk) | online


def _counting_enrolments(classes) -> QuerySet:
    """Enrolments, in `classes`, that an online credit (training_class empty) of the outer entry
    counts for: the entry's trainee is enrolled there and the class requires the entry's lesson."""
    return Enrolment.objects.filter(
        trainee__user_id=OuterRef("user_id"),
        training_class__in=classes,
        training_class__required_lessons=OuterRef("lesson_id"),
    )


def ledger_entries_for_trainer(*, user) -> QuerySet:
    """The 学时 entries a user may see — the ledger admin, the trainee record (学习档案) and its
    PDF: those that count for one of the user's classes (class_ledger_q, for a trainee enrolled
    there); every entry for staff. Another class's entries of the same trainee stay hidden."""
    qs = HoursLedgerEntry.objects.select_related("user", "training_class", "granted_by")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if can_view_all_classes(user):
        return qs
    classes = classes_for_trainer(user=user)
    return qs.filter(
        Q(training_class__in=classes)
        | Q(Exists(_counting_enrolments(classes)), training_class__isnull=True)
    )


def ledger_entries_correctable_by(*, user) -> QuerySet:
    """Entries a user may correct: those that count for their own classes *alone*. An online
    credit that also counts for another trainer's class (the same lesson required there) needs
    staff: a correction would change that class's hours too."""
    qs = ledger_entries_for_trainer(user=user)
    if can_view_all_classes(user):
        return qs
    others = TrainingClass.objects.exclude(pk__in=classes_for_trainer(user=user).values("pk"))
    return qs.exclude(
        Q(Exists(_counting_enrolments(others)), training_class__isnull=True)
        | Q(training_class__isnull=True, lesson__isnull=True)
    )


def class_earned_hours(*, training_class, user) -> Decimal:
    """学时 a trainee has earned towards a class (online lessons it requires + its own entries)."""
    total = (
        HoursLedgerEntry.objects.filter(user=user)
        .filter(class_ledger_q(training_class=training_class))
        .aggregate(total=Sum("amount"))["total"]
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


def class_earned_hours_by_user(*, training_class, user_ids=None) -> dict[int, Decimal]:
    """学时 earned towards a class for many trainees in one query: {user_id: hours}."""
    qs = HoursLedgerEntry.objects.filter(class_ledger_q(training_class=training_class))
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    rows = qs.values("user_id").annotate(total=Sum("amount")).order_by()
    return {row["user_id"]: Decimal(row["total"] or 0).quantize(Decimal("0.01")) for row in rows}


def lessons_completed_by_user(*, training_class, user_ids=None) -> dict[int, int]:
    """How many of the class's required lessons each trainee has completed, in one query."""
    qs = LessonProgress.objects.filter(
        completed_at__isnull=False, lesson_id__in=_required_lesson_ids(training_class)
    )
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    rows = qs.values("user_id").annotate(n=Count("id")).order_by()
    return {row["user_id"]: row["n"] for row in rows}


def lesson_progress_map(*, user, lesson_ids) -> dict[int, LessonProgress]:
    """The trainee's progress on these lessons, by lesson id."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        p.lesson_id: p for p in LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids)
    }


def recent_unfinished(*, user, limit: int = 5) -> list[LessonProgress]:
    """Lessons the trainee started and has not completed, most recent first (to resume).

    Started means something was credited or played: a lesson only opened (0 s) is not listed.
    """
    return list(
        LessonProgress.objects.filter(user=user, completed_at__isnull=True)
        .filter(Q(credited_seconds__gt=0) | Q(last_position__gt=0))
        .select_related("lesson")
        .order_by("-updated_at")[:limit]
    )


@dataclass
class ClassProgressRow:
    trainee: TraineeProfile
    earned_hours: Decimal
    required_hours: Decimal
    lessons_completed: int
    lessons_total: int


def class_progress_rows(*, training_class: TrainingClass) -> list[ClassProgressRow]:
    """Every enrolled trainee with earned/required 学时 and lessons completed (constant queries)."""
    trainees = list(
        with_organisation(TraineeProfile.objects.filter(enrolments__training_class=training_class))
        .select_related("user")
        .order_by("branch_name", "student_no")
    )
    user_ids = [t.user_id for t in trainees]
    earned = class_earned_hours_by_user(training_class=training_class, user_ids=user_ids)
    completed = lessons_completed_by_user(training_class=training_class, user_ids=user_ids)
    total = training_class.required_lessons.count()
    required = training_class.required_hours or Decimal("0")
    return [
        ClassProgressRow(
            trainee=t,
            earned_hours=earned.get(t.user_id, Decimal("0.00")),
            required_hours=required,
            lessons_completed=completed.get(t.user_id, 0),
            lessons_total=total,
        )
        for t in trainees
    ]


# --- offline sessions (记录线下培训) -------------------------------------------------------


def _session_reference() -> Concat:
    """The `reference` of a session's ledger entries, built in SQL for the outer session row."""
    return Concat(Value("offline-session:"), Cast(OuterRef("pk"), CharField()))


def class_sessions(*, training_class: TrainingClass) -> QuerySet:
    """A class's offline sessions, newest first, each with its attendee and 请假 counts (one
    query)."""
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
        .annotate(
            attendee_count=Coalesce(Subquery(attendees), 0),
            leave_count=Coalesce(
                Subquery(
                    OfflineLeave.objects.active()
                    .filter(session_id=OuterRef("pk"))
                    .order_by()
                    .values("session_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
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
        .select_related("user__trainee_profile", "granted_by")
        .annotate(
            corrected=Coalesce(Subquery(corrected), Decimal("0")),
            **organisation_annotations("user__trainee_profile__"),
        )
        .order_by("branch_name", "user__trainee_profile__student_no")
    )


def session_leaves(*, session: OfflineSession) -> QuerySet:
    """Every 请假 recorded for the session, withdrawn ones too (they are its history), by student
    number, the oldest first (one query). `.active()` narrows it to those in force."""
    return (
        OfflineLeave.objects.filter(session=session)
        .select_related("trainee", "recorded_by", "withdrawn_by")
        .order_by("trainee__student_no", "created_at", "id")
    )
