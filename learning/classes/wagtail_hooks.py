"""Admin wiring of learning: the 培训管理 menu group (organisations, trainees, classes, 学时)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from learning.classes.admin_views import offline_session_viewset, trainee_import_viewset
from learning.classes.viewsets import (
    branch_viewset,
    college_viewset,
    trainee_viewset,
    training_class_viewset,
)
from learning.progress.viewsets import ledger_viewset


class TrainingAdminGroup(ViewSetGroup):
    menu_label = _("培训管理")
    menu_icon = "group"
    menu_order = 250
    items = (
        training_class_viewset,
        trainee_viewset,
        trainee_import_viewset,
        ledger_viewset,
        branch_viewset,
        college_viewset,
    )


@hooks.register("register_admin_viewset")
def register_training_admin():
    return TrainingAdminGroup()


@hooks.register("register_admin_viewset")
def register_offline_sessions():
    # Reached from a class's own pages, so no menu item.
    return offline_session_viewset
