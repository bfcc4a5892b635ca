"""The 组织部 and 组织员 roles: 组织部 manages every unit, post and member record; a 组织员 reaches the
same screens, limited by the scope selector to their 院系党委's units."""

from django.db import migrations

from cms.roles import ORGANISERS, PARTY_OFFICE, grant

ORGANISATION_MODELS = ["unit", "unitpost", "organiserassignment"]
MEMBER_MODELS = ["member", "stagechange", "stagechangeattachment", "sponsor"]


def _crud(models, actions=("add", "change", "view", "delete")):
    return [f"{action}_{model}" for model in models for action in actions]


def forwards(apps, schema_editor):
    grant(apps, PARTY_OFFICE, "organisation", _crud(ORGANISATION_MODELS) + ["manage_all_units"])
    grant(apps, PARTY_OFFICE, "members", _crud(MEMBER_MODELS))
    grant(apps, PARTY_OFFICE, "wagtailadmin", ["access_admin"])
    grant(apps, ORGANISERS, "organisation", _crud(["unitpost"]) + ["view_unit"])
    grant(apps, ORGANISERS, "members", _crud(MEMBER_MODELS))
    grant(apps, ORGANISERS, "wagtailadmin", ["access_admin"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0001_initial"),
        ("members", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
