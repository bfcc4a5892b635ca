"""Admin wiring of cms.pages: the missing-captions report under Reports, and its count on the
editor's dashboard; the reviewer's approval says the page was published."""

from django.contrib import messages
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from cms.pages.admin_views import PAGE_RIGHTS, MissingCaptionsView
from cms.pages.review import published_message
from cms.pages.selectors import video_lessons_without_captions


@hooks.register("register_admin_urls")
def register_missing_captions_urls():
    return [
        path("missing-captions/", MissingCaptionsView.as_view(), name="missing_captions"),
        path(
            "missing-captions/results/",
            MissingCaptionsView.as_view(results_only=True),
            name="missing_captions_results",
        ),
    ]


def _may_see(user) -> bool:
    return MissingCaptionsView.permission_policy.user_has_any_permission(user, PAGE_RIGHTS)


class MissingCaptionsMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_see(request.user)


@hooks.register("register_reports_menu_item")
def register_missing_captions_menu_item():
    return MissingCaptionsMenuItem(
        _("缺少字幕的微党课"),
        reverse("missing_captions"),
        name="missing-captions",
        icon_name="media",
        order=850,
    )


class MissingCaptionsPanel(Component):
    """On the dashboard: how many of the editor's video lessons lack captions, with the link."""

    name = "missing_captions"
    order = 150
    template_name = "pages/admin/missing_captions_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context):
        return {"count": self.count, "url": reverse("missing_captions")}


@hooks.register("construct_homepage_panels")
def add_missing_captions_panel(request, panels):
    if not _may_see(request.user):
        return
    count = video_lessons_without_captions(user=request.user).count()
    if count:
        panels.append(MissingCaptionsPanel(count))


# Wagtail's message after an edit, looked up in its catalogue (a name, so makemessages leaves it to
# Wagtail's catalogue instead of adding it to ours).
WAGTAIL_UPDATED = "Page '%(page_title)s' has been updated."


@hooks.register("after_edit_page")
def say_published_after_approval(request, page):
    """批准并发布 on the edit page ends the review and publishes the page, but Wagtail's message is
    the one for any edit (“…已被更新”). Say what happened instead; other actions keep theirs."""
    if not (
        request.POST.get("action-workflow-action")
        and request.POST.get("workflow-action-name") == "approve"
    ):
        return None
    published = published_message(page.pk)
    if published is None:
        return None  # approved one step of a longer review: nothing was published yet
    # Wagtail's own words for it, as its edit view wrote them a moment ago.
    updated = gettext(WAGTAIL_UPDATED) % {"page_title": page.get_admin_display_title()}
    storage = messages.get_messages(request)
    # Reading them marks them used; Wagtail's admin messages are HTML, the title escaped.
    kept = [m for m in storage if escape(updated) not in str(m.message)]
    for message in kept:
        messages.add_message(request, message.level, message.message, message.extra_tags)
    messages.success(request, published)
    return None
