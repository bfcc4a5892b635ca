"""Give the 培训管理员 role the rights to record offline hours and read progress."""

from django.db import migrations

from cms.roles import TRAINERS, grant

CODENAMES = ["add_hoursledgerentry", "view_hoursledgerentry", "view_lessonprogress"]


def forwards(apps, schema_editor):
    grant(apps, TRAINERS, "progress", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
