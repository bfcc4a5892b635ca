"""Reads of the member registry: who is in scope, and each member's current stage (derived from
the stage history, never stored)."""

from datetime import date, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from party.members.models import (
    MEMBER_STAGES,
    GroupChange,
    Member,
    MemberTransfer,
    Stage,
    StageChange,
    StageChangeAttachment,
    StepDocument,
    TransferDirection,
    TransferDocument,
)
from party.organisation.models import Unit, UnitKind
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
    # Not those whose 组织关系 left the university (转出本校): no branch manages them any more.
    return with_current_stage(Member.objects.filter(scope.q("unit__"), left_on__isnull=True))


def members_visible(*, user, scope: UnitScope | None = None) -> QuerySet[Member]:
    """Members whose records `user` may read: those in scope, and their own (read-only). The
    records of members who left the university (转出本校) stay readable by 组织部 only."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    scope = scope or unit_scope(user=user)
    if scope.all:
        return with_current_stage(Member.objects.all())
    condition = Q(user=user)
    if not scope.empty:
        condition |= scope.q("unit__") & Q(left_on__isnull=True)
    return with_current_stage(Member.objects.filter(condition))


def member_of_user(*, user) -> Member | None:
    """The user's own member record, with current stage, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return with_current_stage(Member.objects.filter(user=user)).first()


def stage_history(*, member: Member) -> list[StageChange]:
    """The member's stage changes in order, oldest first."""
    return list(member.stage_changes.select_related("recorded_by").order_by("decided_on", "id"))


# Markers of a 转入/转出 row among stage values in party_memberships' UNION (no stage is "__…").
MOVE_IN, MOVE_OUT = "__in", "__out"


class PartyMembership:
    """When a person was a Party member (预备党员 or 正式党员, MEMBER_STAGES) of the university,
    read from their stage history and their 转入/转出本校 (MemberTransfer without a from_unit or
    a to_unit): the one answer every app asks (dues owed, who is 应到)."""

    def __init__(self, changes: list[tuple], moves: list[tuple] = ()):
        self.changes = sorted(changes)  # [(decided_on, id, stage)]
        self.moves = sorted(moves)  # [(on, id, "in" | "out")]

    def stage_on(self, day) -> str | None:
        stage = None
        for decided_on, _id, value in self.changes:
            if decided_on > day:
                break
            stage = value
        return stage

    def present_on(self, day) -> bool:
        """Whether the member's 组织关系 was in the university on `day`: before their first 转入
        or 转出, as that first move says (a 转出: yes; a 转入: no); then as the latest says."""
        if not self.moves:
            return True
        present = self.moves[0][2] == TransferDirection.OUT
        for on, _id, direction in self.moves:
            if on > day:
                break
            present = direction == TransferDirection.IN
        return present

    def on(self, day) -> bool:
        return self.stage_on(day) in MEMBER_STAGES and self.present_on(day)


def party_memberships(*, member_ids) -> dict[int, PartyMembership]:
    """Each member's PartyMembership, in one query (a UNION of their stage changes and their
    transfers into or out of the university; members without history: never a member)."""
    rows: dict[int, list[tuple]] = {pk: [] for pk in member_ids}
    moves: dict[int, list[tuple]] = {pk: [] for pk in rows}
    changes = StageChange.objects.filter(member_id__in=list(rows)).values_list(
        "member_id", "decided_on", "id", "stage"
    )
    external = (
        MemberTransfer.objects.filter(
            Q(from_unit__isnull=True) | Q(to_unit__isnull=True), member_id__in=list(rows)
        )
        .annotate(
            direction=Case(
                When(from_unit__isnull=True, then=Value(MOVE_IN)),
                default=Value(MOVE_OUT),
                output_field=CharField(),
            )
        )
        .values_list("member_id", "on", "id", "direction")
    )
    for member_id, day, pk, value in changes.order_by().union(external.order_by(), all=True):
        if value in (MOVE_IN, MOVE_OUT):
            moves[member_id].append((day, pk, value[2:]))
        else:
            rows[member_id].append((day, pk, value))
    return {pk: PartyMembership(changes, moves[pk]) for pk, changes in rows.items()}


# --- the unit a member belonged to on a day (组织关系转接) -------------------------------------
# One rule, read in SQL (unit_on_expression, in_units_on_q) and in Python (UnitHistory): the unit on
# `day` is the to_unit of the latest transfer on or before it (by on, then id); before the first
# transfer it is that transfer's from_unit; a member without transfers was always in Member.unit.
# Outside the university (after a 转出本校, before a 转入本校) the unit is none: 0 in SQL (no unit
# has that id), None in Python.


def unit_on_expression(day) -> Coalesce:
    """SQL over Member rows: the id of the unit each member belonged to on `day` (0: none, the
    member's 组织关系 was outside the university)."""
    outside = Value(0, output_field=BigIntegerField())
    latest = Subquery(
        MemberTransfer.objects.filter(member=OuterRef("pk"), on__lte=day)
        .order_by("-on", "-id")
        .values(unit=Coalesce("to_unit_id", outside))[:1]
    )
    first = Subquery(
        MemberTransfer.objects.filter(member=OuterRef("pk"))
        .order_by("on", "id")
        .values(unit=Coalesce("from_unit_id", outside))[:1]
    )
    return Coalesce(latest, first, F("unit_id"), output_field=BigIntegerField())


def in_units_on_q(unit_ids, day: date, prefix: str = "", *, among: Q | None = None) -> Q:
    """A Q over Member rows (reached through `prefix`) that belonged to one of `unit_ids` (ids, or
    a values("pk") queryset) on `day`. Members who never transferred match on their unit column
    (the index, no history read); the history is read only for members whose transfers touch
    these units. No extra statement: a condition inside the caller's query.

    `among` (a Q over Member) narrows the set inside the subquery when the caller wants only a
    few members (the check-in asks about one user): the database then reads those members'
    rows, not the whole unit's. The result is the same as filtering outside."""
    among = among if among is not None else Q()
    stayed = (
        Member.objects.filter(among, unit_id__in=unit_ids)
        .exclude(Exists(MemberTransfer.objects.filter(member=OuterRef("pk"))))
        .order_by()
        .values("pk")
    )
    touched = MemberTransfer.objects.filter(
        Q(from_unit_id__in=unit_ids) | Q(to_unit_id__in=unit_ids)
    ).values("member_id")
    transferred = (
        Member.objects.filter(among, pk__in=touched)
        .annotate(unit_on=unit_on_expression(day))
        .filter(unit_on__in=unit_ids)
        .order_by()
        .values("pk")
    )
    # One set (a UNION): the planner reads the branch's members through the unit index.
    return Q(**{f"{prefix}pk__in": stayed.union(transferred)})


def members_of_unit_on(unit, day: date) -> QuerySet[Member]:
    """The members who belonged to `unit` (a 党支部) on `day`, whatever their unit today."""
    return Member.objects.filter(in_units_on_q([unit.pk], day))


def unit_of_members_on(day: date, qs: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """`qs` (all members) annotated with `unit_on`: the id of each one's unit on `day`."""
    qs = Member.objects.all() if qs is None else qs
    return qs.annotate(unit_on=unit_on_expression(day))


# --- the 党小组 a member belonged to on a day (党小组调整, GroupChange) -------------------------
# One rule, in SQL (in_group_on_q) and in Python (GroupHistory): the 党小组 on `day` is the
# from_group of the member's first GroupChange dated after it (by on, then id); with none after it,
# Member.group (today's). Every write of Member.group records a GroupChange whose from_group is the
# group it replaces (services.member_group_change, member_transfer, member_create), so this equals
# "the to_group of the latest change on or before the day".
# One exception, the 建档 row (`at_registration`, services.group_first_record: the 党小组 the record
# was registered in, dated the day of registration, always the member's first row): the record was
# entered late, so that 党小组 counts from the day the member joined the branch, not from the
# row's date. On a day before it the member was in its to_group unless they joined the branch
# after that day (a transfer dated after the day and on or before the row: a 转入本校 dated before
# the 建档, before which they were in no unit); a member without transfers was always in it, as in
# their branch (the unit rule above). A 党小组 set later on a record registered without one is an
# ordinary change: hidden before its date.


def in_group_on_q(group_id: int, day: date, *, among: Q | None = None) -> Q:
    """A Q over Member rows in the 党小组 `group_id` on `day`: its members today with no change
    after `day`, those whose first change after `day` took them out of it, and those whose 建档 row
    (after `day`) registered them in it when they had already joined the branch by `day`. No extra
    statement. `among` narrows the subqueries as in in_units_on_q."""
    among = among if among is not None else Q()
    later = GroupChange.objects.filter(member=OuterRef("pk"), on__gt=day)
    left = (
        Member.objects.filter(
            among,
            pk__in=GroupChange.objects.filter(from_group_id=group_id, on__gt=day).values(
                "member_id"
            ),
        )
        .annotate(group_on=Subquery(later.order_by("on", "id").values("from_group_id")[:1]))
        .filter(group_on=group_id)
        .values("pk")
    )
    joined_after = MemberTransfer.objects.filter(
        member=OuterRef("member_id"), on__gt=day, on__lte=OuterRef("on")
    )
    registered = Member.objects.filter(
        among,
        pk__in=GroupChange.objects.filter(at_registration=True, to_group_id=group_id, on__gt=day)
        .exclude(Exists(joined_after))
        .values("member_id"),
    ).values("pk")
    return (Q(group_id=group_id) & ~Exists(later)) | Q(pk__in=left) | Q(pk__in=registered)


class GroupHistory:
    """A member's 党小组 on any day, from their GroupChange rows and the dates of their transfers
    loaded once (the rule above)."""

    def __init__(self, group_id: int | None, changes: list[tuple], transfer_days=()):
        self.group_id = group_id
        # [(on, id, from_group_id, to_group_id, at_registration)]; a 4-tuple: not a 建档 row
        self.changes = sorted(tuple(c) + (False,) * (5 - len(c)) for c in changes)
        self.transfer_days = sorted(transfer_days)

    def on(self, day: date) -> int | None:
        for on, _pk, from_group, to_group, at_registration in self.changes:
            if on > day:
                if at_registration and not any(day < t <= on for t in self.transfer_days):
                    return to_group
                return from_group
        return self.group_id

    @property
    def days(self) -> list[date]:
        """The days on which `on` may change: each change's and each transfer's."""
        return sorted({c[0] for c in self.changes} | set(self.transfer_days))

    @property
    def group_ids(self) -> set[int]:
        """Every 党小组 the member was in, today's included."""
        ids = {self.group_id} if self.group_id else set()
        for _on, _pk, from_group, to_group, _registration in self.changes:
            ids.update(i for i in (from_group, to_group) if i)
        return ids


def group_histories(*, members) -> dict[int, GroupHistory]:
    """Each member's GroupHistory, in one query (`members`: Member rows with group_id): a UNION of
    their GroupChange rows and the days of their transfers (the 建档 row's rule reads them)."""
    rows: dict[int, list[tuple]] = {m.pk: [] for m in members}
    days: dict[int, list[date]] = {pk: [] for pk in rows}
    number = BigIntegerField()
    changes = (
        GroupChange.objects.filter(member_id__in=list(rows))
        .annotate(
            kind=Case(
                When(at_registration=True, then=Value(1)), default=Value(0), output_field=number
            )
        )
        .values_list("member_id", "on", "id", "from_group_id", "to_group_id", "kind")
    )
    moves = (
        MemberTransfer.objects.filter(member_id__in=list(rows))
        .annotate(
            no_from=Value(None, output_field=number),
            no_to=Value(None, output_field=number),
            kind=Value(-1, output_field=number),
        )
        .values_list("member_id", "on", "id", "no_from", "no_to", "kind")
    )
    for member_id, on, pk, from_group, to_group, kind in changes.order_by().union(
        moves.order_by(), all=True
    ):
        if kind == -1:
            days[member_id].append(on)
        else:
            rows[member_id].append((on, pk, from_group, to_group, kind == 1))
    return {m.pk: GroupHistory(m.group_id, rows[m.pk], days[m.pk]) for m in members}


def group_history(*, member: Member) -> list[GroupChange]:
    """The member's 党小组 changes, oldest first."""
    return list(
        member.group_changes.select_related("from_group", "to_group", "recorded_by").order_by(
            "on", "id"
        )
    )


def group_choices(*, user, member: Member):
    """The 党小组 `user` may put `member` in: those of the member's branch, when the user manages
    the member (the scope selector: the branch's 支部书记/支委, the 组织员, 组织部)."""
    scope = unit_scope(user=user)
    if scope.empty or not scope.covers(member.unit):
        return Unit.objects.none()
    return Unit.objects.filter(kind=UnitKind.GROUP, path__startswith=member.unit.path).order_by(
        "path"
    )


class UnitHistory:
    """A member's unit on any day, from their transfers loaded once (the rule above)."""

    def __init__(self, unit_id: int, transfers: list[tuple]):
        self.unit_id = unit_id
        self.transfers = sorted(transfers)  # [(on, id, from_unit_id, to_unit_id, from_group_id)]

    def on(self, day: date) -> int | None:
        """The unit on `day`; None when the member's 组织关系 was outside the university."""
        if not self.transfers:
            return self.unit_id
        unit = self.transfers[0][2]
        for on, _pk, _from, to, _group in self.transfers:
            if on > day:
                break
            unit = to
        return unit

    @property
    def days(self) -> list[date]:
        """The days on which `on` may change: each transfer's."""
        return sorted({t[0] for t in self.transfers})

    @property
    def unit_ids(self) -> set[int]:
        """Every unit and 党小组 the member was in, today's unit included."""
        ids = {self.unit_id}
        for _on, _pk, from_unit, to_unit, from_group in self.transfers:
            ids.update(i for i in (from_unit, to_unit, from_group) if i)
        return ids


def unit_histories(*, members) -> dict[int, UnitHistory]:
    """Each member's UnitHistory, in one query (`members`: Member rows with unit_id)."""
    rows: dict[int, list[tuple]] = {m.pk: [] for m in members}
    for member_id, *row in MemberTransfer.objects.filter(member_id__in=list(rows)).values_list(
        "member_id", "on", "id", "from_unit_id", "to_unit_id", "from_group_id"
    ):
        rows[member_id].append(tuple(row))
    return {m.pk: UnitHistory(m.unit_id, rows[m.pk]) for m in members}


def histories_of_user(*, user) -> tuple[Member, UnitHistory, GroupHistory] | None:
    """The user's member record (pk, unit_id, group_id) with its UnitHistory and GroupHistory, in
    one query (a UNION of its transfers, its GroupChange rows and the row itself); None without
    one."""
    number = BigIntegerField()

    def shaped(qs, kind: int, member, on, pk, a, b, c):
        """Seven columns in one order in every branch of the UNION (all annotations)."""

        def column(value, field=number):
            return F(value) if isinstance(value, str) else Value(value, output_field=field)

        return qs.annotate(
            c_kind=Value(kind, output_field=number),
            c_member=column(member),
            c_on=column(on, DateField()),
            c_pk=column(pk),
            c_a=column(a),
            c_b=column(b),
            c_c=c if not isinstance(c, str | None) else column(c),
        ).values_list("c_kind", "c_member", "c_on", "c_pk", "c_a", "c_b", "c_c")

    moves = shaped(
        MemberTransfer.objects.filter(member__user=user),
        0,
        "member_id",
        "on",
        "id",
        "from_unit_id",
        "to_unit_id",
        "from_group_id",
    )
    registration = Case(
        When(at_registration=True, then=Value(1)), default=Value(0), output_field=number
    )
    changes = shaped(
        GroupChange.objects.filter(member__user=user),
        1,
        "member_id",
        "on",
        "id",
        "from_group_id",
        "to_group_id",
        registration,
    )
    row = shaped(Member.objects.filter(user=user), 2, "pk", None, "pk", "unit_id", "group_id", None)
    member, transfers, group_rows = None, [], []
    for kind, member_id, on, pk, a, b, c in moves.order_by().union(
        changes.order_by(), row.order_by(), all=True
    ):
        if kind == 0:
            transfers.append((on, pk, a, b, c))
        elif kind == 1:
            group_rows.append((on, pk, a, b, c == 1))
        else:
            member = Member(pk=member_id, unit_id=a, group_id=b, user=user)
    if member is None:
        return None
    units = UnitHistory(member.unit_id, transfers)
    groups = GroupHistory(member.group_id, group_rows, [t[0] for t in transfers])
    return member, units, groups


def stays(units: UnitHistory, groups: GroupHistory) -> list[tuple[int, date | None, date | None]]:
    """The periods a member was in each unit and 党小组, from their histories (the rules above):
    (unit id, first day or None: always, day after the last or None: still), in order. Both
    histories are constant between the days of their rows, so each such stretch is read once."""
    days = sorted(set(units.days) | set(groups.days))
    starts: list[date | None] = [None, *days]
    found: list[list] = []
    open_: dict[int, list] = {}
    for start in starts:
        probe = (
            start if start is not None else (days[0] - timedelta(days=1) if days else date.today())
        )
        here = {u for u in (units.on(probe), groups.on(probe)) if u}
        for unit_id in list(open_):
            if unit_id not in here:
                open_.pop(unit_id)[2] = start
        for unit_id in here:
            if unit_id not in open_:
                open_[unit_id] = [unit_id, start, None]
                found.append(open_[unit_id])
    return [tuple(stay) for stay in found]


def transfer_history(*, member: Member) -> list[MemberTransfer]:
    """The member's transfers, oldest first."""
    return list(
        member.transfers.select_related("from_unit", "to_unit", "from_group", "recorded_by")
        .prefetch_related("documents")
        .order_by("on", "id")
    )


def transfer_target_units(*, user, member: Member):
    """The 党支部 `user` may transfer `member` into: branches in their scope other than the
    member's own (a move out of the caller's scope belongs to the level above that covers both)."""
    scope = unit_scope(user=user)
    if scope.empty or not scope.covers(member.unit):
        return Unit.objects.none()
    return (
        Unit.objects.filter(scope.q(), kind=UnitKind.BRANCH)
        .exclude(pk=member.unit_id)
        .order_by("path")
    )


def transfers_external(scope: UnitScope, unit: Unit) -> bool:
    """Whether `scope` may record 转入/转出本校 for the branch `unit`: it covers the unit above
    (the 院系党委's 组织员, 组织部), not only the branch (a 支部书记)."""
    return scope.all or any(unit.parent_path.startswith(root) for root in scope.roots)


def external_in_new_units(*, scope: UnitScope) -> QuerySet[Unit]:
    """The branches a 转入本校 of a person not on record yet may go to: those in `scope` for which
    it may record 转入/转出本校 (transfers_external, the one rule; two queries)."""
    if scope.empty:
        return Unit.objects.none()
    branches = Unit.objects.filter(scope.q(), kind=UnitKind.BRANCH)
    ids = [
        unit.pk for unit in branches.only("pk", "path", "depth") if transfers_external(scope, unit)
    ]
    return Unit.objects.filter(pk__in=ids).order_by("path")


def external_in_units(*, scope: UnitScope, member: Member):
    """The branches a 转入本校 of `member` may go to from the timeline, or None when none may be
    recorded: for a record that left (转出本校; 组织部 reads it) any branch in scope; for a record
    without any transfer, its own branch (the 党小组 it may be registered in is that branch's)."""
    if member.left_on is not None:
        if not scope.all:
            return None
        return Unit.objects.filter(kind=UnitKind.BRANCH).order_by("path")
    if not transfers_external(scope, member.unit) or member.transfers.exists():
        return None
    return Unit.objects.filter(pk=member.unit_id)


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


DOCUMENT_MODELS = {
    "stage": StageChangeAttachment,
    "step": StepDocument,
    "transfer": TransferDocument,  # a 转入/转出本校's 介绍信 (listed with its transfer)
}
DOCUMENT_MEMBER = {
    "stage": "stage_change__member",
    "step": "step_record__member",
    "transfer": "transfer__member",
}
PATH_DOCUMENTS = ("stage", "step")  # member_documents: the documents of the path


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
    for kind in PATH_DOCUMENTS:
        model = DOCUMENT_MODELS[kind]
        rows = model.objects.filter(condition, **{DOCUMENT_MEMBER[kind]: member})
        for document in rows.select_related("uploaded_by").order_by("uploaded_at", "id"):
            document.kind = kind
            documents.append(document)
    return documents
