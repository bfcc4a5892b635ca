"""The roles' rights and the review workflow: editors submit, reviewers approve and publish."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Workflow, WorkflowState

from cms.pages.models import ArticleLessonPage
from cms.roles import ALL_ROLES

pytestmark = pytest.mark.django_db


def test_all_roles_exist():
    assert set(Group.objects.filter(name__in=ALL_ROLES).values_list("name", flat=True)) == set(
        ALL_ROLES
    )


def test_editor_can_edit_but_not_publish(editor, course):
    perms = course.permissions_for_user(editor)
    assert perms.can_add_subpage()
    assert perms.can_edit()
    assert not perms.can_publish()
    assert editor.has_perm("wagtailadmin.access_admin")


def test_reviewer_can_publish(reviewer, course):
    assert course.permissions_for_user(reviewer).can_publish()


def test_trainee_has_no_admin_access(trainee, client, course):
    assert not trainee.has_perm("wagtailadmin.access_admin")
    client.force_login(trainee)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert not course.permissions_for_user(trainee).can_edit()


def test_workflow_applies_to_lessons(course):
    workflow = Workflow.objects.get(name="微党课审核流程")
    assert course.get_workflow() == workflow
    assert [t.name for t in workflow.tasks] == ["审核"]


def test_editor_submits_reviewer_approves_and_publishes(client, editor, reviewer, course):
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/add/pages/articlelessonpage/{course.pk}/",
        {
            "title": "新的微党课",
            "slug": "new-lesson",
            "summary": "摘要",
            "body-count": "0",
            "class_hours": "0.25",
            "min_reading_seconds": "120",
            "action-submit": "1",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    lesson = ArticleLessonPage.objects.get(slug="new-lesson")
    assert not lesson.live
    state = WorkflowState.objects.get(object_id=str(lesson.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    # An editor cannot approve their own submission.
    task_state = state.current_task_state
    response = client.post(
        f"/admin/pages/workflow/action/{lesson.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    lesson.refresh_from_db()
    assert not lesson.live

    client.force_login(reviewer)
    response = client.post(
        f"/admin/pages/workflow/action/{lesson.pk}/approve/{task_state.pk}/",
        {"comment": "同意发布"},
    )
    assert response.status_code in (200, 302)
    lesson.refresh_from_db()
    assert lesson.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_scheduled_publishing(reviewer, course):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import make_article

    lesson = make_article(course, "定时发布的课", live=False)
    lesson.go_live_at = timezone.now() + timedelta(hours=1)
    revision = lesson.save_revision(user=reviewer)
    revision.publish(user=reviewer)
    lesson.refresh_from_db()
    assert not lesson.live
    # Move the schedule into the past instead of waiting an hour.
    past = timezone.now() - timedelta(seconds=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("publish_scheduled")
    lesson.refresh_from_db()
    assert lesson.live


def test_preview_works_for_editor(client, editor, lessons):
    client.force_login(editor)
    lesson = lessons[0]
    response = client.get(f"/admin/pages/{lesson.pk}/edit/preview/")
    assert response.status_code == 200


def test_only_our_roles_and_workflow_remain():
    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()
    assert list(Workflow.objects.filter(active=True).values_list("name", flat=True)) == [
        "微党课审核流程"
    ]
