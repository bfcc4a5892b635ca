"""Admin wiring of learning.reports: its URLs and its item in the 培训管理 menu group."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from learning.classes.selectors import can_view_all_classes

GROUP_LABEL = _("培训管理")


@hooks.register("register_admin_urls")
def register_reports_urls():
    return [path("reports/", include("learning.reports.admin_urls", namespace="reports_admin"))]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return can_view_all_classes(user) or user.trained_classes.exists()


def reports_menu_item() -> MenuItem:
    return ReportsMenuItem(
        _("学习情况报表"),
        reverse("reports_admin:dashboard"),
        name="learning-reports",
        icon_name="table",
        order=50,
    )


@hooks.register("construct_main_menu")
def add_reports_to_training_menu(request, menu_items):
    """Put the reports item into the 培训管理 group (learning.classes builds it), else our own."""
    item = reports_menu_item()
    if not item.is_shown(request):
        return
    for index, existing in enumerate(menu_items):
        if isinstance(existing, SubmenuMenuItem) and str(existing.label) == str(GROUP_LABEL):
            # A fresh submenu each request: the group's own Menu is shared and must stay as built.
            items = [*existing.menu.registered_menu_items, item]
            menu_items[index] = SubmenuMenuItem(
                existing.label,
                Menu(items=items),
                name=existing.name,
                icon_name=existing.icon_name,
                classname=existing.classname,
                attrs=existing.attrs,
                order=existing.order,
            )
            return
    menu_items.append(
        SubmenuMenuItem(
            GROUP_LABEL, Menu(items=[item]), name="training", icon_name="group", order=250
        )
    )
