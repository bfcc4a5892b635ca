"""Give the 培训管理员 role the rights to manage trainees, organisations and their own classes."""

from django.db import migrations

from cms.roles import TRAINERS, grant

MODELS = ["college", "branch", "traineeprofile", "trainingclass", "enrolment"]
CODENAMES = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")] + [
    "delete_enrolment",
    "delete_branch",
]


def forwards(apps, schema_editor):
    grant(apps, TRAINERS, "classes", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
