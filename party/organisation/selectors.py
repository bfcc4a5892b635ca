"""The ONE scope of party work: which units a user may see and manage. Every entry point (admin,
API, pages, imports, exports) asks here; members are in scope when their unit is."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left
from django.utils import timezone

from party.organisation.models import COMMITTEE_ROLES, Unit, UnitKind, active_on_q

MANAGE_ALL_PERMISSION = "organisation.manage_all_units"


def can_manage_all_units(user) -> bool:
    """组织部 (the permission) and superusers see and manage every unit."""
    return bool(
        user
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_perm(MANAGE_ALL_PERMISSION))
    )


@dataclass(frozen=True)
class UnitScope:
    """The units a user manages: everything (`all`), or the subtrees under `roots` (paths)."""

    all: bool
    roots: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.all and not self.roots

    def q(self, prefix: str = "") -> Q:
        """A Q over rows whose unit (reached through `prefix`, e.g. "unit__") is in scope."""
        if self.all:
            return Q()
        if not self.roots:
            return Q(pk__in=[])
        condition = Q()
        for path in self.roots:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    def covers(self, unit: Unit) -> bool:
        return self.all or any(unit.path.startswith(path) for path in self.roots)


def unit_scope(*, user, on: date | None = None) -> UnitScope:
    """The scope of `user` on `on` (today): 组织部 all; a 组织员 the 院系党委's subtree; a
    书记/副书记/委员 their unit's subtree (a branch and its 党小组). One query at most."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return UnitScope(all=False, roots=())
    if can_manage_all_units(user):
        return UnitScope(all=True, roots=())
    day = on or timezone.localdate()
    paths = (
        Unit.objects.filter(
            Q(
                active_on_q(day, "posts__"),
                posts__member__user=user,
                posts__role__in=COMMITTEE_ROLES,
            )
            | Q(active_on_q(day, "organiser_assignments__"), organiser_assignments__user=user)
        )
        .values_list("path", flat=True)
        .distinct()
    )
    # A root inside another root adds nothing.
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return UnitScope(all=False, roots=tuple(roots))


def units_in_scope(*, user, scope: UnitScope | None = None) -> QuerySet[Unit]:
    """Units `user` may see and manage, in tree order."""
    scope = scope or unit_scope(user=user)
    if scope.empty:
        return Unit.objects.none()
    return Unit.objects.filter(scope.q()).order_by("path")


def unit_tree_rows(*, user) -> list[Unit]:
    """Units in scope in tree order, each with `indent` (depth below the shallowest shown)."""
    units = list(units_in_scope(user=user))
    top = min((u.depth for u in units), default=1)
    for unit in units:
        unit.indent = unit.depth - top
    return units


def unit_parents_by_id(units) -> dict[int, int | None]:
    """Parent id of each unit, read from the paths (one query for all parents)."""
    parent_paths = {u.parent_path for u in units if u.parent_path}
    ids = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "id"))
    return {u.pk: ids.get(u.parent_path) for u in units}


# A 院系党委 sits only directly under a root 校党委 (ROOT_KINDS, CHILD_KINDS), so at depth 2: the
# first COLLEGE_PATH_LENGTH characters of a unit's path are its 院系党委's path (or, for a 直属党支部
# under the 校党委, the branch's own path, and then the "college" shown is the 校党委). A test
# holds this against CHILD_KINDS/ROOT_KINDS.
ROOT_PATH_LENGTH = Unit.steplen
COLLEGE_PATH_LENGTH = 2 * Unit.steplen
_COLLEGE_KINDS = (UnitKind.COLLEGE, UnitKind.UNIVERSITY)


def college_subquery(path_ref: str, field: str = "name") -> Subquery:
    """SQL for `field` of the 院系党委 above the unit whose path is the outer query's `path_ref`
    (e.g. "member__unit__path"): the unit at depth 2 when it is a 院系党委, else (a 直属党支部) the
    校党委. One lookup of at most two rows by the unique path index per outer row."""
    path = OuterRef(path_ref)
    return Subquery(
        Unit.objects.filter(
            Q(path=Left(path, COLLEGE_PATH_LENGTH)) | Q(path=Left(path, ROOT_PATH_LENGTH)),
            kind__in=_COLLEGE_KINDS,
        )
        .order_by("-depth")
        .values(field)[:1]
    )


def colleges_of_units(units) -> dict[int, Unit | None]:
    """The 院系党委 (as college_subquery decides) of each of `units`, by unit id, in one query."""
    units = [u for u in units if u is not None]
    if not units:
        return {}
    prefixes = {u.path[:n] for u in units for n in (COLLEGE_PATH_LENGTH, ROOT_PATH_LENGTH)}
    found = {u.path: u for u in Unit.objects.filter(path__in=prefixes, kind__in=_COLLEGE_KINDS)}
    return {
        u.pk: found.get(u.path[:COLLEGE_PATH_LENGTH]) or found.get(u.path[:ROOT_PATH_LENGTH])
        for u in units
    }


def in_college_q(college: Unit, prefix: str = "") -> Q:
    """A Q over rows whose unit (reached through `prefix`, e.g. "member__unit__") has `college` as
    its 院系党委 as college_subquery decides: a 院系党委's subtree; for the 校党委, its 直属党支部
    (members are registered in 党支部, so at depth 2 directly under it)."""
    under = Q(**{f"{prefix}path__startswith": college.path})
    if college.kind == UnitKind.COLLEGE:
        return under
    return under & Q(**{f"{prefix}depth": 2}) & ~Q(**{f"{prefix}kind": UnitKind.COLLEGE})
