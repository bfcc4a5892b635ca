"""组织部 edits the checklist's steps and reads the access log; 组织员 record steps. Nobody gets
add/change/delete on the access log: only the pages write it."""

from django.db import migrations

from cms.roles import ORGANISERS, PARTY_OFFICE, grant

CRUD = ("add", "change", "view", "delete")


def forwards(apps, schema_editor):
    grant(
        apps,
        PARTY_OFFICE,
        "members",
        [f"{a}_{m}" for m in ("stepdefinition", "steprecord") for a in CRUD]
        + ["view_memberaccesslog"],
    )
    grant(
        apps,
        ORGANISERS,
        "members",
        [f"{a}_steprecord" for a in CRUD] + ["view_stepdefinition"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_the_25_steps"),
        ("organisation", "0002_party_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
