"""Reads of learning progress and of the 学时 ledger."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from learning.progress.models import HoursLedgerEntry, LessonProgress


def hours_ledger(*, user) -> QuerySet:
    """The trainee's ledger (学习档案), newest first."""
    return (
        HoursLedgerEntry.objects.filter(user=user)
        .select_related("training_class", "granted_by", "corrects")
        .order_by("-created_at", "-id")
    )


def _required_lesson_ids(training_class) -> QuerySet:
    through = training_class.required_lessons.through
    return through.objects.filter(trainingclass_id=training_class.pk).values("page_id")


def class_ledger_q(*, training_class) -> Q:
    """Entries that count for a class: its own entries, and online credits of lessons it requires."""
    return Q(training_class_id=training_class.pk) | Q(
        training_class__isnull=True,
        lesson_id__in=_required_lesson_ids(training_class),
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
    """Lessons the trainee started and has not completed, most recent first (to resume)."""
    return list(
        LessonProgress.objects.filter(user=user, completed_at__isnull=True)
        .select_related("lesson")
        .order_by("-updated_at")[:limit]
    )
