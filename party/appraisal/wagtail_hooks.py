"""Admin wiring of party.appraisal: a 民主评议 menu item, shown to those whose scope covers a
branch (组织部, a 院系党委's 组织员; 支部书记 who have admin access). The work itself happens on the
site's pages (/party/appraisal/), made for phones, which the item opens."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from party.organisation.models import UnitKind
from party.organisation.selectors import units_in_scope


class AppraisalMenuItem(MenuItem):
    def is_shown(self, request):
        return units_in_scope(user=request.user).filter(kind=UnitKind.BRANCH).exists()


@hooks.register("register_admin_menu_item")
def register_appraisal_menu_item():
    return AppraisalMenuItem(
        _("民主评议"),
        reverse("appraisal:list"),
        name="party-appraisal",
        icon_name="tasks",
        order=265,
    )
