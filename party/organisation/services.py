"""Writes of the organisation tree: creating, renaming, moving and deleting units; posts."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from party.organisation.exceptions import OutOfScopeError, UnitInUseError, UnitPlacementError
from party.organisation.models import CHILD_KINDS, ROOT_KINDS, PostRole, Unit, UnitKind, UnitPost
from party.organisation.rules import COMMITTEE_TERM_YEARS
from party.organisation.selectors import unit_scope


def _check_placement(*, kind: str, parent: Unit | None, name: str, exclude: Unit | None = None):
    if parent is None:
        if kind not in ROOT_KINDS:
            raise UnitPlacementError(_("只有校党委可以作为最上级党组织。"))
        siblings = Unit.get_root_nodes()
    else:
        if kind not in CHILD_KINDS[parent.kind]:
            raise UnitPlacementError(
                _("“%(parent)s”（%(parent_kind)s）下不能设立%(kind)s。")
                % {
                    "parent": parent.name,
                    "parent_kind": parent.get_kind_display(),
                    "kind": UnitKind(kind).label,
                }
            )
        siblings = parent.get_children()
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.filter(name=name).exists():
        raise UnitPlacementError(_("同一上级下已有名为“%(name)s”的党组织。") % {"name": name})


def _check_scope(*, user, unit: Unit | None) -> None:
    if user is None:
        return
    scope = unit_scope(user=user)
    if unit is None and not scope.all or unit is not None and not scope.covers(unit):
        raise OutOfScopeError(_("无权管理该党组织。"))


@transaction.atomic
def unit_create(
    *, kind: str, name: str, parent: Unit | None = None, code: str = "", by_user=None
) -> Unit:
    """Add a unit under `parent` (or a root 校党委). `by_user` must manage the parent."""
    name = name.strip()
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    _check_scope(user=by_user, unit=parent)
    _check_placement(kind=kind, parent=parent, name=name)
    unit = Unit(kind=kind, name=name, code=code.strip())
    if parent is None:
        return Unit.add_root(instance=unit)
    return parent.add_child(instance=unit)


@transaction.atomic
def unit_update(
    *, unit: Unit, name: str, code: str = "", parent: Unit | None = None, by_user=None
) -> Unit:
    """Rename a unit and, when `parent` differs, move it (with its subtree) under `parent`."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_scope(user=by_user, unit=unit)
    name = name.strip()
    current_parent = unit.get_parent()
    moving = (parent.pk if parent else None) != (current_parent.pk if current_parent else None)
    target = parent if moving else current_parent
    if moving:
        _check_scope(user=by_user, unit=parent)
        if parent is not None and parent.path.startswith(unit.path):
            raise UnitPlacementError(_("不能把党组织移到它自己的下级之下。"))
    _check_placement(kind=unit.kind, parent=target, name=name, exclude=unit)
    if moving:
        if parent is None:
            unit.move(Unit.get_first_root_node(), "last-sibling")
        else:
            unit.move(parent, "last-child")
        unit = Unit.objects.get(pk=unit.pk)
    unit.name = name
    unit.code = code.strip()
    unit.save(update_fields=["name", "code"])
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit, by_user=None) -> None:
    """Delete an empty unit: no sub-units, members, posts or other records pointing to it."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_scope(user=by_user, unit=unit)
    if unit.get_children_count():
        raise UnitInUseError(_("“%(name)s”下还有党组织，不能删除。") % {"name": unit.name})
    if unit.members.exists() or unit.group_members.exists():
        raise UnitInUseError(_("“%(name)s”还有党员，不能删除。") % {"name": unit.name})
    try:
        with transaction.atomic():
            unit.delete()
    except ProtectedError:  # a history names it (组织关系转接, 党小组调整): kept for the record
        raise UnitInUseError(
            _("“%(name)s”有党员的组织关系转接或党小组调整记录，不能删除。") % {"name": unit.name}
        ) from None


def term_end(starts_on: date) -> date:
    """The last day of a committee term that starts on `starts_on` (COMMITTEE_TERM_YEARS)."""
    return starts_on + relativedelta(years=COMMITTEE_TERM_YEARS.value) - relativedelta(days=1)


@transaction.atomic
def post_assign(
    *, unit: Unit, member, role: str, starts_on: date, ends_on: date | None = None, by_user=None
) -> UnitPost:
    """Give `member` a post in `unit` for a term (default: the committee term rule)."""
    _check_scope(user=by_user, unit=unit)
    if role == PostRole.GROUP_LEADER and unit.kind != UnitKind.GROUP:
        raise UnitPlacementError(_("党小组组长只能在党小组任职。"))
    if ends_on is not None and ends_on < starts_on:
        raise UnitPlacementError(_("任期结束不能早于任期开始。"))
    return UnitPost.objects.create(
        unit=unit,
        member=member,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on or term_end(starts_on),
    )
