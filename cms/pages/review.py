"""What a reviewer is told after acting on a page in review: one wording for the edit page's
批准并发布 (the after_edit_page hook) and for the dashboard's 等待审核 actions (workflow_action)."""

from django.contrib import messages
from django.utils.translation import gettext
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.models import Page, TaskState


def published_message(page_pk: int) -> str | None:
    """“…已通过审核并发布。” when the approval published the page: live, nothing left unpublished,
    no review still running (one step of a longer review publishes nothing yet); else None."""
    page = Page.objects.filter(pk=page_pk).first()
    if page is None or not page.live or page.has_unpublished_changes:
        return None
    if page.workflow_in_progress:
        return None
    return gettext("“%(title)s”已通过审核并发布。") % {"title": page.get_admin_display_title()}


def outcome_message(page_pk: int, status: str) -> str | None:
    """The message for a review step that has just ended with `status` (TaskState.status)."""
    if status == TaskState.STATUS_APPROVED:
        published = published_message(page_pk)
        if published:
            return published
        page = Page.objects.filter(pk=page_pk).first()
        if page is not None and page.workflow_in_progress:
            return gettext("“%(title)s”已通过本步审核，等待下一步审核。") % {
                "title": page.get_admin_display_title()
            }
    if status == TaskState.STATUS_REJECTED:
        page = Page.objects.filter(pk=page_pk).first()
        if page is not None:
            return gettext("“%(title)s”已退回编辑修改。") % {
                "title": page.get_admin_display_title()
            }
    return None


_wagtail_workflow_action = page_viewset_registry.as_view("workflow_action", page_id_kwarg="page_id")


def workflow_action(request, page_id: int, action_name: str, task_state_id: int):
    """Wagtail's workflow action view (the dashboard's 批准 / 批准并留言 / 要求修改 and their
    dialog) says nothing after the action: the reviewer was taken back to the dashboard without
    a word. The same view, then the outcome as a message when the step has ended."""
    state = TaskState.objects.filter(pk=task_state_id).values_list("status", flat=True)
    before = state.first()
    response = _wagtail_workflow_action(
        request, page_id=page_id, action_name=action_name, task_state_id=task_state_id
    )
    if request.method == "POST" and before == TaskState.STATUS_IN_PROGRESS:
        after = state.first()
        message = outcome_message(page_id, after) if after != before else None
        if message:
            messages.success(request, message)
    return response
