"""Admin wiring of learning: the 培训管理 menu group (trainees, classes, 学时)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from learning.classes.admin_views import trainee_import_viewset
from learning.classes.viewsets import trainee_viewset, training_class_viewset

# fn() -> [viewset]: menu items the layers above add to 培训管理 (after the roster import).
TRAINING_MENU_ITEMS_HOOK = "training_admin_menu_items"


class TrainingAdminGroup(ViewSetGroup):
    menu_label = _("培训管理")
    menu_icon = "group"
    menu_order = 250

    def __init__(self):
        added = [item for fn in hooks.get_hooks(TRAINING_MENU_ITEMS_HOOK) for item in fn()]
        self.items = (
            training_class_viewset,
            trainee_viewset,
            trainee_import_viewset,
            *added,
        )
        super().__init__()


@hooks.register("register_admin_viewset")
def register_training_admin():
    return TrainingAdminGroup()
