"""Move the training core's own organisation into the Party tree (issue 15).

Each College becomes a 院系党委 unit under the 校党委 root (one named 校党委 is created when the
tree has none); a college unit already in the tree under the same name, or the same name followed
by 党委 (the party demo's 演示学院党委 for learning's 演示学院), is reused. Each Branch becomes a
党支部 under its college's unit, reusing a child of the same name.

Each TraineeProfile is linked to a Member: the one with the same user, else the one with the same
学号/工号, else a new one in the trainee's branch. A new member's stage history (档案补录, no gates:
the decisions were taken before the platform) is written from the profile's stage and its dated
fields, one StageChange per stage up to the current one. Where the profile has no date for a stage,
or one earlier than the stage before it, the best documented date is used: the next later stage's
date, else the previous stage's, else the day the account was created; the StageChange's note says
what was defaulted and what the record held. Dates the profile holds for stages beyond its current
one go into the note of the last change. A person already in the registry keeps their history and
unit (the registry is the record); differences are reported.

What the profiles do not hold stays empty, never invented: 性别, 民族, 出生日期 (the member admin form
asks for them when the record is next edited).

Reversing unlinks nothing and deletes nothing: the units and members are records of the Party
organisation from then on, and the profiles' own fields are untouched by this migration.
"""

import sys

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.utils import timezone

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # django-treebeard's MP_Node defaults

# The path into the Party in order, with the profile field holding each stage's date.
PATH = [
    ("applicant", "applied_on", "递交入党申请书日期"),
    ("activist", "activist_on", "确定为入党积极分子日期"),
    ("candidate", "candidate_on", "确定为发展对象日期"),
    ("probationary", "probationary_on", "接收为预备党员日期"),
    ("full_member", "full_member_on", "转为正式党员日期"),
]
STAGE_LABELS = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full_member": "正式党员",
}


def _step(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


class _Tree:
    """Adds units the way django-treebeard's MP_Node does (its methods are not on historical
    models): a child's path is its parent's plus the next step, and the parent counts it."""

    def __init__(self, Unit):
        self.Unit = Unit

    def add(self, *, parent, kind: str, name: str, code: str = ""):
        if parent is None:
            depth, prefix = 1, ""
            last = self.Unit.objects.filter(depth=1).order_by("-path").first()
        else:
            depth, prefix = parent.depth + 1, parent.path
            last = (
                self.Unit.objects.filter(depth=depth, path__startswith=prefix)
                .order_by("-path")
                .first()
            )
        number = int(last.path[-STEPLEN:], len(ALPHABET)) + 1 if last else 1
        unit = self.Unit.objects.create(
            path=prefix + _step(number), depth=depth, numchild=0, kind=kind, name=name, code=code
        )
        if parent is not None:
            parent.numchild += 1
            parent.save(update_fields=["numchild"])
        return unit


def history_of(profile, joined_on) -> tuple[list[tuple[str, object, str]], int]:
    """(stage, date, note) for each stage up to the profile's, and how many dates were defaulted."""
    last = next(i for i, (stage, _f, _l) in enumerate(PATH) if stage == profile.stage)
    steps = PATH[: last + 1]
    entries, defaulted = [], 0
    for i, (stage, field, label) in enumerate(steps):
        day, note = getattr(profile, field), ""
        if day is None:
            later = next(
                (
                    (getattr(profile, f), lab)
                    for _s, f, lab in steps[i + 1 :]
                    if getattr(profile, f)
                ),
                None,
            )
            if later:
                day, source = later[0], f"按{later[1]}"
            elif entries:
                day, source = entries[-1][1], "按上一阶段日期"
            else:
                day, source = joined_on, "按账号创建日期"
            note = f"迁移补录：原学员记录无{label}，{source}（{day:%Y-%m-%d}）记。"
            defaulted += 1
        elif entries and day < entries[-1][1]:
            note = (
                f"迁移补录：原学员记录的{label}为 {day:%Y-%m-%d}，早于上一阶段，"
                f"按上一阶段日期（{entries[-1][1]:%Y-%m-%d}）记。"
            )
            day = entries[-1][1]
            defaulted += 1
        entries.append((stage, day, note))
    beyond = [
        f"{lab} {getattr(profile, f):%Y-%m-%d}"
        for _s, f, lab in PATH[last + 1 :]
        if getattr(profile, f)
    ]
    if beyond:
        stage, day, note = entries[-1]
        extra = (
            f"迁移时原学员记录另有：{'、'.join(beyond)}"
            f"（当时培养阶段为{STAGE_LABELS[profile.stage]}，未计入阶段记录）。"
        )
        entries[-1] = (stage, day, f"{note}{extra}")
    return entries, defaulted


def forward(apps, schema_editor):
    College = apps.get_model("classes", "College")
    Branch = apps.get_model("classes", "Branch")
    TraineeProfile = apps.get_model("classes", "TraineeProfile")
    Unit = apps.get_model("organisation", "Unit")
    Member = apps.get_model("members", "Member")
    StageChange = apps.get_model("members", "StageChange")

    profiles = list(
        TraineeProfile.objects.filter(member__isnull=True).select_related("user").order_by("pk")
    )
    if not profiles and not College.objects.exists():
        return
    tree = _Tree(Unit)
    report = {"units_new": 0, "units_reused": 0, "members_new": 0, "members_linked": 0}
    report.update({"dates_defaulted": 0, "differences": []})

    root = Unit.objects.filter(depth=1, kind="university").order_by("path").first()
    if root is None:
        root = tree.add(parent=None, kind="university", name="校党委")
        report["units_new"] += 1
    college_units, branch_units = {}, {}
    for college in College.objects.order_by("pk"):
        names = [college.name, f"{college.name}党委"]
        unit = Unit.objects.filter(kind="college", name__in=names).order_by("depth", "path").first()
        if unit is None:
            unit = tree.add(parent=root, kind="college", name=college.name, code=college.code)
            report["units_new"] += 1
        else:
            report["units_reused"] += 1
        college_units[college.pk] = unit
    for branch in Branch.objects.order_by("pk"):
        parent = college_units[branch.college_id]
        unit = Unit.objects.filter(
            kind="branch", name=branch.name, depth=parent.depth + 1, path__startswith=parent.path
        ).first()
        if unit is None:
            parent.refresh_from_db()
            unit = tree.add(parent=parent, kind="branch", name=branch.name)
            report["units_new"] += 1
        else:
            report["units_reused"] += 1
        branch_units[branch.pk] = unit

    existing = list(Member.objects.only("id", "user_id", "student_no", "unit_id"))
    by_user = {m.user_id: m for m in existing if m.user_id}
    by_no = {m.student_no: m for m in existing}
    latest = {}  # member id → current stage, for records that have a history
    for member_id, stage in StageChange.objects.order_by("decided_on", "id").values_list(
        "member_id", "stage"
    ):
        latest[member_id] = stage
    with_history = set(latest)
    claimed, unlinked = set(), set()
    now = timezone.now()
    new_members, histories, linked = [], {}, []
    for profile in profiles:
        # No branch only since 0013 (made optional): 0014 runs this for such a profile only when
        # a member record of the same account or 学号 exists to claim (a new record needs a unit).
        unit = branch_units.get(profile.branch_id)
        member = by_user.get(profile.user_id) or by_no.get(profile.student_no)
        if member is not None and member.pk in claimed:
            # Another trainee's account already took this record: the 学号 belongs to two
            # people's data; left unlinked for 组织部 to settle, reported.
            report["differences"].append(
                f"{profile.student_no}: not linked, its member record {member.student_no} "
                "belongs to another trainee's account"
            )
            unlinked.add(profile.pk)
            continue
        if member is not None:
            claimed.add(member.pk)
            linked.append((profile, member))
            current = latest.get(member.pk)
            if current is not None and current != profile.stage:
                report["differences"].append(
                    f"{profile.student_no}: kept the registry's stage {current} "
                    f"(trainee record said {profile.stage})"
                )
            if member.student_no != profile.student_no:
                report["differences"].append(
                    f"{profile.student_no}: linked by account to member {member.student_no}"
                )
            if unit is not None and member.unit_id != unit.pk:
                report["differences"].append(
                    f"{profile.student_no}: kept the registry's unit {member.unit_id} "
                    f"(trainee branch {unit.name})"
                )
            if member.user_id is None and profile.user_id not in by_user:
                member.user_id = profile.user_id
                member.save(update_fields=["user"])
                by_user[profile.user_id] = member
            if member.pk in with_history:
                continue
        else:
            new_members.append(
                Member(
                    name=profile.name,
                    gender="",
                    ethnicity="",
                    birth_date=None,
                    student_no=profile.student_no,
                    unit=unit,
                    phone=profile.phone,
                    user_id=profile.user_id,
                    created_at=now,
                )
            )
        joined_on = timezone.localtime(profile.user.date_joined).date()
        entries, defaulted = history_of(profile, joined_on)
        histories[member.student_no if member else profile.student_no] = entries
        report["dates_defaulted"] += defaulted
    Member.objects.bulk_create(new_members, batch_size=500)
    ids = dict(Member.objects.values_list("student_no", "id"))
    changes = [
        StageChange(
            member_id=ids[no],
            stage=stage,
            decided_on=day,
            decided_by="records",
            note=note,
            recorded_by=None,
            recorded_at=now,
            overridden_gates=[],
            override_reason="",
        )
        for no, entries in histories.items()
        for stage, day, note in entries
    ]
    StageChange.objects.bulk_create(changes, batch_size=1000)
    for profile, member in linked:
        TraineeProfile.objects.filter(pk=profile.pk).update(member_id=member.pk)
    # The new members carry their trainee's 学号: one UPDATE links them all.
    TraineeProfile.objects.filter(member__isnull=True).exclude(pk__in=unlinked).update(
        member_id=Subquery(Member.objects.filter(student_no=OuterRef("student_no")).values("pk"))
    )
    report["members_new"] = len(new_members)
    report["members_linked"] = len(linked)

    out = sys.stdout
    out.write(
        "\n  learning.classes 0005: {units_new} units created, {units_reused} reused; "
        "{members_new} members created, {members_linked} linked to existing records; "
        "{dates_defaulted} stage dates defaulted (see each StageChange's note).\n".format(**report)
    )
    for line in report["differences"]:
        out.write(f"  learning.classes 0005: {line}\n")


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0004_traineeprofile_member"),
        ("organisation", "0003_organisers_add_units"),
        ("members", "0006_gender_may_be_unrecorded"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
    ]
