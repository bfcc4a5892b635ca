"""Give the 培训管理员 role the right to issue and revoke certificates (in their own classes)."""

from django.db import migrations

from cms.roles import TRAINERS, grant

CODENAMES = ["view_certificate", "issue_certificate"]


def forwards(apps, schema_editor):
    grant(apps, TRAINERS, "reports", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
