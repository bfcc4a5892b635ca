"""Roles 编辑/审核/培训管理员/学员 with their Wagtail rights, and the 审核 (review) workflow."""

from django.db import migrations

from cms.roles import EDITORS, REVIEWERS, TRAINEES, TRAINERS, ensure_permissions

EDITOR_PAGE_PERMS = ["add_page", "change_page"]
REVIEWER_PAGE_PERMS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    HomePage = apps.get_model("pages", "HomePage")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    admin_access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (EDITORS, REVIEWERS, TRAINERS, TRAINEES)}
    for name in (EDITORS, REVIEWERS, TRAINERS):
        groups[name].permissions.add(admin_access)

    home = HomePage.objects.order_by("path").first()
    page_perms = {
        EDITORS: EDITOR_PAGE_PERMS,
        REVIEWERS: REVIEWER_PAGE_PERMS,
    }
    for name, codenames in page_perms.items():
        for codename in codenames:
            perm = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=groups[name], page_id=home.pk, permission=perm)

    root_collection = Collection.objects.order_by("path").first()
    for name in (EDITORS, REVIEWERS):
        for app_label, codenames in COLLECTION_PERMS.items():
            for codename in codenames:
                perm = Permission.objects.get(content_type__app_label=app_label, codename=codename)
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name], collection=root_collection, permission=perm
                )
        groups[name].permissions.add(
            *Permission.objects.filter(
                content_type__app_label="media_pipeline",
                codename__in=["add_video", "change_video", "view_video"],
            )
        )

    # The review workflow: editors submit, a reviewer approves and publishes.
    task_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, _ = GroupApprovalTask.objects.get_or_create(
        name="审核", defaults={"content_type": task_ct, "active": True}
    )
    task.groups.add(groups[REVIEWERS])
    workflow, _ = Workflow.objects.get_or_create(name="微党课审核流程", defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page_id=home.pk, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name="微党课审核流程").delete()
    apps.get_model("auth", "Group").objects.filter(
        name__in=[EDITORS, REVIEWERS, TRAINERS, TRAINEES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_home_page_and_site"),
        ("media_pipeline", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
