"""Wagtail's own starter groups (Moderators, Editors) and its default workflow duplicate our roles and
review workflow; a fresh site keeps only ours, so administrators see one set of roles."""

from django.db import migrations


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    # Only groups nobody has been put in: a site that uses them keeps them.
    Group.objects.filter(name__in=["Moderators", "Editors"], user__isnull=True).delete()
    for workflow in Workflow.objects.filter(name="Moderators approval"):
        WorkflowPage.objects.filter(workflow=workflow).delete()
        workflow.active = False
        workflow.save(update_fields=["active"])


class Migration(migrations.Migration):
    dependencies = [("pages", "0004_custom_image_and_document")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
