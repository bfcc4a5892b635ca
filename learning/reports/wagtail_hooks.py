"""Admin wiring of learning.reports: its URLs, its item in the 培训管理 menu group and the
trainer's landing page (panels on the Wagtail dashboard)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.components import Component

from learning.reports.admin_search import may_search_training
from learning.reports.landing import TrainerLanding, trainer_landing

GROUP_LABEL = _("培训管理")


@hooks.register("register_admin_urls")
def register_reports_urls():
    return [path("reports/", include("learning.reports.admin_urls", namespace="reports_admin"))]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_search_training(request.user)


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


# --- the trainer's landing page (the dashboard's panels, issue 21) ---------------------------


class LandingPanel(Component):
    """One panel of the trainer's landing page; all of them share one TrainerLanding."""

    def __init__(self, *, name: str, order: int, landing: TrainerLanding):
        self.name = name
        self.order = order
        self.template_name = f"reports/admin/landing/{name}.html"
        self.landing = landing

    def get_context_data(self, parent_context):
        return {
            "landing": self.landing,
            "request": parent_context.get("request"),
            "csrf_token": parent_context.get("csrf_token"),
        }


@hooks.register("construct_homepage_panels")
def add_trainer_landing_panels(request, panels):
    """Before Wagtail's own panels (ordered from 100): my classes, who is behind, 简答 to grade,
    certificates to issue, exams and offline sessions — for anyone who trains a class."""
    if not may_search_training(request.user):
        return
    landing = trainer_landing(user=request.user)
    if landing is None:
        return
    names = ["classes", "behind"]
    if landing.may_grade:
        names.append("grading")
    if landing.may_issue:
        names.append("certificates")
    names.append("schedule")
    panels.extend(
        LandingPanel(name=name, order=10 + index, landing=landing)
        for index, name in enumerate(names)
    )


# --- the trainer's admin search (issue 21) -----------------------------------------------------


class TrainingSearchArea(SearchArea):
    def is_shown(self, request):
        return may_search_training(request.user)


@hooks.register("register_admin_search_area")
def register_training_search_area():
    return TrainingSearchArea(
        _("培训班与学员"),
        reverse("reports_admin:search"),
        name="training",
        icon_name="group",
        order=150,
    )
