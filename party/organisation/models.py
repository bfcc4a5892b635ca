"""The Party organisation tree (校党委 → 院系党委/党总支 → 党支部 → 党小组), its posts and 组织员."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class UnitKind(models.TextChoices):
    UNIVERSITY = "university", _("校党委")
    COLLEGE = "college", _("院系党委/党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


# Which kinds of unit may sit directly under which (a university may have 直属党支部).
CHILD_KINDS: dict[str, frozenset[str]] = {
    UnitKind.UNIVERSITY: frozenset({UnitKind.COLLEGE, UnitKind.BRANCH}),
    UnitKind.COLLEGE: frozenset({UnitKind.BRANCH}),
    UnitKind.BRANCH: frozenset({UnitKind.GROUP}),
    UnitKind.GROUP: frozenset(),
}
ROOT_KINDS = frozenset({UnitKind.UNIVERSITY})


class Unit(MP_Node):
    """A Party organisation. A materialised path (django-treebeard, as Wagtail's pages) makes "this
    unit and everything under it" one indexed prefix query, which every scope check needs."""

    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        permissions = [("manage_all_units", _("可查看和管理全部党组织及党员（组织部）"))]

    def __str__(self) -> str:
        return self.name

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen] if self.depth > 1 else ""


class PostRole(models.TextChoices):
    """Posts of a unit's committee (《中国共产党支部工作条例（试行）》2018)."""

    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANISATION = "organisation", _("组织委员")
    PUBLICITY = "publicity", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    GROUP_LEADER = "group_leader", _("党小组组长")


# Posts whose holders manage their unit (支部书记/支委); a 党小组组长 does not.
COMMITTEE_ROLES = frozenset(
    {
        PostRole.SECRETARY,
        PostRole.DEPUTY_SECRETARY,
        PostRole.ORGANISATION,
        PostRole.PUBLICITY,
        PostRole.DISCIPLINE,
    }
)


def active_on_q(day, prefix: str = "") -> Q:
    """Q for rows (posts, assignments) whose term covers `day`."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


class UnitPost(models.Model):
    """A member holding a post in a unit's committee for a term."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="posts"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="posts"
    )
    role = models.CharField(_("职务"), max_length=20, choices=PostRole.choices)
    starts_on = models.DateField(_("任期开始"), default=timezone.localdate)
    ends_on = models.DateField(
        _("任期结束"), null=True, blank=True, help_text=_("留空则按任期规则（3年）计算。")
    )

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["unit__path", "role", "-starts_on"]
        indexes = [models.Index(fields=["member", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()}"


class OrganiserAssignment(models.Model):
    """A 组织员 of a 院系党委: manages that unit and everything under it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="organiser_assignments",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="organiser_assignments",
    )
    starts_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织员")
        verbose_name_plural = _("组织员")
        ordering = ["unit__path", "user__username"]

    def __str__(self) -> str:
        return f"{self.unit} {_('组织员')} {self.user}"
