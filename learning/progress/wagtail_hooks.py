"""Admin wiring of learning.progress: the 学时 ledger in 培训管理, and on each class's pages its
trainees' progress and its offline sessions (through the hooks learning.classes offers)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem

from learning.classes.viewsets import CLASS_INSPECT_PANELS_HOOK, CLASS_LIST_BUTTONS_HOOK
from learning.classes.wagtail_hooks import TRAINING_MENU_ITEMS_HOOK
from learning.progress.admin_views import (
    LEDGER_ADD_PERMISSION,
    LEDGER_VIEW_PERMISSION,
    offline_session_viewset,
)
from learning.progress.selectors import class_progress_rows
from learning.progress.viewsets import ledger_viewset


@hooks.register(TRAINING_MENU_ITEMS_HOOK)
def ledger_menu_item():
    return [ledger_viewset]


@hooks.register("register_admin_viewset")
def register_offline_sessions():
    # Reached from a class's own pages, so no menu item.
    return offline_session_viewset


@hooks.register(CLASS_LIST_BUTTONS_HOOK)
def offline_session_buttons(request, training_class):
    buttons = []
    if request.user.has_perm(LEDGER_ADD_PERMISSION):
        buttons.append(
            MenuItem(
                _("记录线下培训"),
                url=reverse("offline_sessions:add", args=[training_class.pk]),
                icon_name="time",
                priority=25,
            )
        )
    if request.user.has_perm(LEDGER_VIEW_PERMISSION):
        buttons.append(
            MenuItem(
                _("线下培训记录"),
                url=reverse("offline_sessions:list", args=[training_class.pk]),
                icon_name="list-ul",
                priority=26,
            )
        )
    return buttons


@hooks.register(CLASS_INSPECT_PANELS_HOOK)
def class_progress_panel(request, training_class):
    return [
        {
            "template": "progress/admin/class_progress_panel.html",
            "rows": class_progress_rows(training_class=training_class),
            "may_record_session": request.user.has_perm(LEDGER_ADD_PERMISSION),
            "may_view_sessions": request.user.has_perm(LEDGER_VIEW_PERMISSION),
        }
    ]
