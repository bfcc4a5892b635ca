"""HoursLedgerEntry left Wagtail's reference index (wagtail_reference_index_ignore): remove the
rows already indexed for it, so no usage view points at ledger entries."""

from django.db import migrations


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    ledger = ContentType.objects.filter(app_label="progress", model="hoursledgerentry").first()
    if ledger is not None:
        ReferenceIndex.objects.filter(base_content_type=ledger).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0004_alter_hoursledgerentry_source"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
