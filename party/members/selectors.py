"""Reads of the member registry: who is in scope, and each member's current stage (derived from
the stage history, never stored)."""

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from party.members.models import (
    MEMBER_STAGES,
    Member,
    Stage,
    StageChange,
    StageChangeAttachment,
    StepDocument,
)
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


class PartyMembership:
    """When a person was a Party member (预备党员 or 正式党员, MEMBER_STAGES), read from their stage
    history: the one answer every app asks (dues owed, who is 应到)."""

    def __init__(self, changes: list[tuple]):
        self.changes = sorted(changes)  # [(decided_on, id, stage)]

    def stage_on(self, day) -> str | None:
        stage = None
        for decided_on, _id, value in self.changes:
            if decided_on > day:
                break
            stage = value
        return stage

    def on(self, day) -> bool:
        return self.stage_on(day) in MEMBER_STAGES


def party_memberships(*, member_ids) -> dict[int, PartyMembership]:
    """Each member's PartyMembership, in one query (members without history: never a member)."""
    rows: dict[int, list[tuple]] = {pk: [] for pk in member_ids}
    for member_id, decided_on, pk, stage in StageChange.objects.filter(
        member_id__in=list(rows)
    ).values_list("member_id", "decided_on", "id", "stage"):
        rows[member_id].append((decided_on, pk, stage))
    return {pk: PartyMembership(changes) for pk, changes in rows.items()}


def registry_members(*, user, scope: UnitScope | None = None, unit) -> QuerySet[Member]:
    """The members of `unit`'s subtree that `user` manages, with their stage changes (oldest
    first), as the registry export writes them."""
    return (
        members_in_scope(user=user, scope=scope)
        .filter(unit__path__startswith=unit.path)
        .select_related("unit", "group")
        .prefetch_related(
            Prefetch("stage_changes", queryset=StageChange.objects.order_by("decided_on", "id"))
        )
        .order_by("unit__path", "student_no")
    )


def sponsor_candidates(*, user, member: Member | None) -> QuerySet[Member]:
    """Who may be named 培养联系人/入党介绍人 of `member` from the page: 正式党员 today whose records
    `user` manages, in the member's 院系党委 (its parent unit's subtree), not the member."""
    if member is None:
        return Member.objects.none()
    parent_path = member.unit.path[: -member.unit.steplen] or member.unit.path
    return (
        members_in_scope(user=user)
        .filter(current_stage=Stage.FULL_MEMBER, unit__path__startswith=parent_path)
        .exclude(pk=member.pk)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


DOCUMENT_MODELS = {"stage": StageChangeAttachment, "step": StepDocument}
DOCUMENT_MEMBER = {"stage": "stage_change__member", "step": "step_record__member"}


def document_for_user(*, user, kind: str, pk: int):
    """A document of a member's path that `user` may download, or None (the caller answers 404):
    every document of the members they manage (unit_scope), and the documents a member uploaded
    themself (their own 思想汇报/入党申请书). Not others' documents on the member's own record
    (政治审查 conclusions, 支部大会 records stay with the branch)."""
    model = DOCUMENT_MODELS.get(kind)
    if model is None or not getattr(user, "is_authenticated", False):
        return None
    member_field = DOCUMENT_MEMBER[kind]
    scope = unit_scope(user=user)
    condition = Q(**{f"{member_field}__user": user, "uploaded_by": user})
    if scope.all:
        condition = Q()
    elif not scope.empty:
        condition |= scope.q(f"{member_field}__unit__")
    related = (member_field, f"{member_field}__unit")
    return model.objects.filter(condition, pk=pk).select_related(*related).first()


def member_documents(*, user, member: Member) -> list:
    """The documents of `member`'s path that `user` may download (as document_for_user), stage
    changes' first, oldest first, each with `kind` set: two queries."""
    scope = unit_scope(user=user)
    condition = Q()
    if not scope.covers(member.unit):
        if member.user_id is None or member.user_id != getattr(user, "pk", None):
            return []
        condition = Q(uploaded_by=user)
    documents = []
    for kind, model in DOCUMENT_MODELS.items():
        rows = model.objects.filter(condition, **{DOCUMENT_MEMBER[kind]: member})
        for document in rows.select_related("uploaded_by").order_by("uploaded_at", "id"):
            document.kind = kind
            documents.append(document)
    return documents
