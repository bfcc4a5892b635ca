"""Reads of training classes: who may see which class and trainee, and who is enrolled."""

from django.db.models import Q, QuerySet

from learning.classes.membership import with_organisation
from learning.classes.models import TraineeProfile, TrainingClass
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import college_subquery, units_in_scope

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


def required_lesson_ids(*, user) -> list[int]:
    """Ids of the lessons required by any class the trainee is enrolled in."""
    through = TrainingClass.required_lessons.through
    ids = through.objects.filter(trainingclass__enrolments__trainee__user=user).values_list(
        "page_id", flat=True
    )
    return sorted(set(ids))


def enrolled_trainees(*, training_class: TrainingClass) -> QuerySet:
    """The class's trainees for an attendance checklist, by 党支部 (the member's unit) then 学号,
    with organisation annotations (membership.with_organisation)."""
    return with_organisation(
        TraineeProfile.objects.filter(enrolments__training_class=training_class)
    ).order_by("branch_name", "student_no")


TRAINERS_GROUP = "培训管理员"  # cms.roles.TRAINERS; learning/ may not import cms/.


def trainee_branch_choices(user) -> QuerySet:
    """The 党支部 units a trainee may be placed in, from the trainee form or a roster import:
    every existing branch for staff who see all classes and for trainers (most 培训管理员 hold no
    party post, so their unit scope would be empty); for anyone else the branches of their unit
    scope (party.organisation.selectors.unit_scope: a 组织员 their 院系党委's, a 书记 or 支委
    their own), none without one. Each with `college_name` for a "学院 / 党支部" label, in tree
    order. Nobody creates units here (that is the organisation tree's)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Unit.objects.none()
    if can_view_all_classes(user) or user.groups.filter(name=TRAINERS_GROUP).exists():
        branches = Unit.objects.filter(kind=UnitKind.BRANCH)
    else:
        branches = units_in_scope(user=user).filter(kind=UnitKind.BRANCH)
    return branches.annotate(college_name=college_subquery("path")).order_by("path")


def own_trainee_profile(user) -> TraineeProfile | None:
    """The user's own trainee profile with 学院, 党支部 and stage from their member record."""
    if not getattr(user, "is_authenticated", False):
        return None
    return with_organisation(TraineeProfile.objects.filter(user=user)).first()
