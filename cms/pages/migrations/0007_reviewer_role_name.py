"""The reviewers' role is called 审核员 (issue 14's words: a role is a person, 审核 is the task)."""

from django.db import migrations

OLD, NEW = "审核", "审核员"


def rename(apps, schema_editor, old=OLD, new=NEW):
    Group = apps.get_model("auth", "Group")
    if not Group.objects.filter(name=new).exists():
        Group.objects.filter(name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0006_lesson_hours_help"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
