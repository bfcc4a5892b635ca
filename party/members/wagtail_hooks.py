"""Admin wiring of party work: the 党组织 menu group (units, posts, 组织员, member records). It lives
here because party.members may import party.organisation, not the other way round."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from party.members.viewsets import (
    access_log_viewset,
    member_viewset,
    step_definition_viewset,
)
from party.organisation.viewsets import (
    organiser_assignment_viewset,
    unit_post_viewset,
    unit_viewset,
)


class PartyAdminGroup(ViewSetGroup):
    menu_label = _("党组织")
    menu_icon = "site"
    menu_order = 260
    items = (
        unit_viewset,
        member_viewset,
        unit_post_viewset,
        organiser_assignment_viewset,
        step_definition_viewset,
        access_log_viewset,
    )


@hooks.register("register_admin_viewset")
def register_party_admin():
    return PartyAdminGroup()
