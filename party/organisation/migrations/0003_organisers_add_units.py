"""组织员 may add units inside their 院系党委 (党支部 and 党小组): the admin's add view needs the
model permission; unit_create checks that the parent is in their scope (unit_scope). Renaming,
moving and deleting stay with 组织部."""

from django.db import migrations

from cms.roles import ORGANISERS, grant


def forwards(apps, schema_editor):
    grant(apps, ORGANISERS, "organisation", ["add_unit"])


class Migration(migrations.Migration):
    dependencies = [("organisation", "0002_party_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
