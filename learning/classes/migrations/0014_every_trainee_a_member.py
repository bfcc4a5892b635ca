"""Every trainee points at a member record before the legacy fields go (issue 15; 0015 drops
College, Branch and the profile's stage and dated fields, and makes TraineeProfile.member
required).

A profile still without a member record (made before 0005 and left out, or written since by code
that did not link it) is linked by 0005's own rule, reused here as it stands: the member of the
same account, else of the same 学号/工号 (that record keeps its unit and history), else a new one in
the profile's 党支部 (its legacy Branch mapped onto the tree) with a 档案补录 history from the
profile's stage and dates, every defaulted date said in the change's note.

A migration never drops data silently: a profile that cannot be linked stops the migration with
its name and 学号, and nothing is changed —
- no member record of its account or 学号 and no legacy 党支部 to put a new one in;
- its record already belongs to another trainee's account (0005 leaves it for 组织部 to settle).
The operator settles those (gives the profile a branch, or links it in the admin) and migrates
again. Reversing does nothing (the links are the records from then on).
"""

import importlib

from django.db import migrations

ZERO_FIVE = "learning.classes.migrations.0005_trainees_into_party_tree"


class TraineesWithoutMember(Exception):
    pass


def _names(profiles) -> str:
    return "、".join(f"{p.name}（{p.student_no}）" for p in profiles)


def forward(apps, schema_editor):
    TraineeProfile = apps.get_model("classes", "TraineeProfile")
    Member = apps.get_model("members", "Member")
    pending = list(TraineeProfile.objects.filter(member__isnull=True).order_by("student_no"))
    if not pending:
        return
    users = set(
        Member.objects.filter(user_id__in=[p.user_id for p in pending]).values_list(
            "user_id", flat=True
        )
    )
    numbers = set(
        Member.objects.filter(student_no__in=[p.student_no for p in pending]).values_list(
            "student_no", flat=True
        )
    )
    stranded = [
        p
        for p in pending
        if p.branch_id is None and p.user_id not in users and p.student_no not in numbers
    ]
    if stranded:
        raise TraineesWithoutMember(
            "learning.classes 0014: these trainees have no member record (none of their account "
            "or 学号/工号) and no 党支部 to make one in; give each a branch or link them to a "
            f"member record, then migrate again (nothing was changed): {_names(stranded)}"
        )
    importlib.import_module(ZERO_FIVE).forward(apps, schema_editor)
    left = list(TraineeProfile.objects.filter(member__isnull=True).order_by("student_no"))
    if left:
        raise TraineesWithoutMember(
            "learning.classes 0014: the member records of these trainees belong to another "
            "trainee's account (one 学号/工号, two people's data); settle which record is whose, "
            f"then migrate again (nothing was changed): {_names(left)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0013_trainee_legacy_org_optional"),
        ("members", "0012_cited_wording"),
        ("organisation", "0003_organisers_add_units"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
    ]
