"""The admin search of a trainer (issue 21): their classes and their trainees, found through the
same selectors that scope every other trainer screen (classes_for_trainer, trainees_for_trainer)
— never another trainer's class, nor a trainee enrolled only there."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from learning.classes.membership import with_organisation
from learning.classes.models import Enrolment
from learning.classes.selectors import (
    can_view_all_classes,
    classes_for_trainer,
    trainees_for_trainer,
)

MAX_QUERY = 100
LIMIT = 20


@dataclass
class TrainingSearchResult:
    query: str
    classes: list
    trainees: list  # TraineeProfile, each with .my_enrolments (the user's classes only)
    more_classes: bool = False
    more_trainees: bool = False


def may_search_training(user) -> bool:
    """Anyone who trains a class, or sees all classes. Asked by the sidebar on every admin page
    (the search area and the reports menu item), so remembered on the request's user object."""
    cached = getattr(user, "_dangke_trains_classes", None)
    if cached is None:
        cached = can_view_all_classes(user) or (
            user.is_authenticated and user.trained_classes.exists()
        )
        user._dangke_trains_classes = cached
    return cached


def training_search(*, user, query: str, limit: int = LIMIT) -> TrainingSearchResult:
    """Classes by name or 期次, trainees by name or 学号 (case-insensitive substring)."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return TrainingSearchResult(query="", classes=[], trainees=[])
    classes = list(
        classes_for_trainer(user=user)
        .filter(Q(name__icontains=query) | Q(intake__icontains=query))
        .order_by("-start_date", "-id")[: limit + 1]
    )
    mine = Enrolment.objects.filter(
        training_class__in=classes_for_trainer(user=user)
    ).select_related("training_class")
    trainees = list(
        with_organisation(trainees_for_trainer(user=user))
        .filter(Q(name__icontains=query) | Q(student_no__icontains=query))
        .prefetch_related(Prefetch("enrolments", queryset=mine, to_attr="my_enrolments"))
        .order_by("student_no", "id")[: limit + 1]
    )
    return TrainingSearchResult(
        query=query,
        classes=classes[:limit],
        trainees=trainees[:limit],
        more_classes=len(classes) > limit,
        more_trainees=len(trainees) > limit,
    )
