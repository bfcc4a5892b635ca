from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone


def mark_registrations(apps, schema_editor):
    """Mark each member's 建档 row (issue 16): their first GroupChange when it enters a 党小组 from
    none, is not a transfer's, and is dated no later than the record's creation day — what
    services.group_first_record and members 0013 wrote. A 党小组 given later to a record
    registered without one (a change dated after the creation day) stays a change."""
    Member = apps.get_model("members", "Member")
    GroupChange = apps.get_model("members", "GroupChange")
    first_day = dict(
        GroupChange.objects.values("member_id")
        .annotate(first=Min("on"))
        .values_list("member_id", "first")
    )
    created = dict(
        Member.objects.filter(pk__in=list(first_day)).values_list("pk", "created_at")
    )
    marked = []
    rows = GroupChange.objects.filter(
        from_group__isnull=True, to_group__isnull=False, transfer__isnull=True
    ).order_by("member_id", "on", "id")
    seen = set()
    for row in rows.iterator():
        if row.member_id in seen:
            continue
        seen.add(row.member_id)
        if row.on != first_day[row.member_id]:
            continue  # not the member's first row
        if row.on <= timezone.localdate(created[row.member_id]):
            marked.append(row.pk)
    GroupChange.objects.filter(pk__in=marked).update(at_registration=True)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0014_transfers_in_and_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="groupchange",
            name="at_registration",
            field=models.BooleanField(default=False, verbose_name="建档时登记"),
        ),
        migrations.RunPython(mark_registrations, migrations.RunPython.noop),
    ]
