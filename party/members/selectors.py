"""Reads of the member registry: who is in scope, and each member's current stage (derived from
the stage history, never stored)."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from party.members.models import Member, StageChange
from party.organisation.selectors import UnitScope, unit_scope


def _latest_change(field: str) -> Subquery:
    return Subquery(
        StageChange.objects.filter(member=OuterRef("pk"))
        .order_by("-decided_on", "-id")
        .values(field)[:1]
    )


def with_current_stage(qs: QuerySet[Member]) -> QuerySet[Member]:
    """Annotate `current_stage` and `stage_since` from the latest stage change (None without)."""
    return qs.annotate(
        current_stage=_latest_change("stage"), stage_since=_latest_change("decided_on")
    )


def members_in_scope(*, user, scope: UnitScope | None = None) -> QuerySet[Member]:
    """Members whose records `user` may manage (组织部, 组织员, 支部书记/支委), with current stage."""
    scope = scope or unit_scope(user=user)
    if scope.empty:
        return Member.objects.none()
    return with_current_stage(Member.objects.filter(scope.q("unit__")))


def members_visible(*, user, scope: UnitScope | None = None) -> QuerySet[Member]:
    """Members whose records `user` may read: those in scope, and their own (read-only)."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    scope = scope or unit_scope(user=user)
    if scope.all:
        return with_current_stage(Member.objects.all())
    condition = Q(user=user)
    if not scope.empty:
        condition |= scope.q("unit__")
    return with_current_stage(Member.objects.filter(condition))


def member_of_user(*, user) -> Member | None:
    """The user's own member record, with current stage, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return with_current_stage(Member.objects.filter(user=user)).first()


def stage_history(*, member: Member) -> list[StageChange]:
    """The member's stage changes in order, oldest first."""
    return list(member.stage_changes.select_related("recorded_by").order_by("decided_on", "id"))
