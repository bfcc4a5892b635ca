"""Trainees are members of units (issue 15): each TraineeProfile points at its party.members.Member.

The rule that maps a trainee onto the Party tree and writes a new member's documented history is
the one migration learning.classes 0005 applied to the trainees that existed then (the migration
keeps its own frozen copy, as migrations must); this module applies it to every trainee created
since: the roster import, the trainee admin and the demo call `trainee_member_link`.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.classes.models import Branch, TraineeProfile, stage_label
from party.members.models import Member, Stage, StageChange
from party.members.services import stage_history_import
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import college_subquery, colleges_of_units
from party.organisation.services import unit_create

STAGE_NAMES = {
    Stage.APPLICANT: "入党申请人",
    Stage.ACTIVIST: "入党积极分子",
    Stage.CANDIDATE: "发展对象",
    Stage.PROBATIONARY: "预备党员",
    Stage.FULL_MEMBER: "正式党员",
}
ROOT_NAME = "校党委"  # the root created when the tree has none (as migration 0005)

# The path into the Party in order, with the profile field holding each stage's date.
PATH = [
    (Stage.APPLICANT, "applied_on"),
    (Stage.ACTIVIST, "activist_on"),
    (Stage.CANDIDATE, "candidate_on"),
    (Stage.PROBATIONARY, "probationary_on"),
    (Stage.FULL_MEMBER, "full_member_on"),
]


def college_unit(college, *, create: bool) -> Unit | None:
    """The 院系党委 of a learning College: the unit named the same, or the same + 党委."""
    unit = (
        Unit.objects.filter(kind=UnitKind.COLLEGE, name__in=[college.name, f"{college.name}党委"])
        .order_by("depth", "path")
        .first()
    )
    if unit is not None or not create:
        return unit
    root = Unit.get_root_nodes().filter(kind=UnitKind.UNIVERSITY).first()
    if root is None:
        root = unit_create(kind=UnitKind.UNIVERSITY, name=ROOT_NAME)
    return unit_create(kind=UnitKind.COLLEGE, name=college.name, parent=root, code=college.code)


def branch_unit(branch: Branch, *, create: bool = True) -> Unit | None:
    """The 党支部 unit of a learning Branch (a child of its college's unit with the same name)."""
    parent = college_unit(branch.college, create=create)
    if parent is None:
        return None
    unit = parent.get_children().filter(kind=UnitKind.BRANCH, name=branch.name).first()
    if unit is None and create:
        unit = unit_create(kind=UnitKind.BRANCH, name=branch.name, parent=parent)
    return unit


def history_entries(
    profile: TraineeProfile,
    *,
    fallback: date,
    stage: str | None = None,
    dates: dict[str, date | None] | None = None,
) -> list[tuple[str, date, str]]:
    """(stage, date, note) for each stage up to `stage` (the profile's by default): `dates` by
    profile field name (the profile's dated fields by default), a missing date taking the next
    later stage's, else the previous stage's, else `fallback`, each default said in the note; a
    date earlier than the stage before is raised to it."""
    stage = stage or profile.stage
    dates = dates if dates is not None else {f: getattr(profile, f) for _s, f in PATH}
    last = next(i for i, (value, _f) in enumerate(PATH) if value == stage)
    steps = PATH[: last + 1]
    entries: list[tuple[str, date, str]] = []
    for i, (stage, field) in enumerate(steps):
        day, note = dates.get(field), ""
        if day is None:
            later = next((dates.get(f) for _s, f in steps[i + 1 :] if dates.get(f)), None)
            day = later or (entries[-1][1] if entries else fallback)
            # Notes are records, kept in Chinese whatever the interface language.
            note = f"学员名册未提供{STAGE_NAMES[stage]}日期，按 {day.isoformat()} 记。"
        elif entries and day < entries[-1][1]:
            note = (
                f"学员名册中的日期 {day.isoformat()} 早于上一阶段，"
                f"按 {entries[-1][1].isoformat()} 记。"
            )
            day = entries[-1][1]
        entries.append((stage, day, note))
    return entries


@transaction.atomic
def trainee_member_link(
    *,
    profile: TraineeProfile,
    by_user=None,
    unit: Unit | None = None,
    stage: str | None = None,
    dates: dict[str, date | None] | None = None,
) -> Member:
    """Point `profile` at its member record: the one of the same user, else of the same 学号/工号,
    else a new one in `unit` (a 党支部; by default the unit of the profile's old Branch) with
    性别, 民族, 出生日期 left for the registry to complete, never invented. A record without a
    history gets one (档案补录) from `stage` and `dates` (the profile's by default), missing dates
    being the day of the link and said in each change's note."""
    if profile.member_id:
        return profile.member
    member = (
        Member.objects.filter(user=profile.user).first()
        or Member.objects.filter(student_no=profile.student_no).first()
    )
    if member is None:
        member = Member.objects.create(
            name=profile.name,
            gender="",
            ethnicity="",
            student_no=profile.student_no,
            unit=unit or branch_unit(profile.branch),
            phone=profile.phone,
            user=profile.user,
        )
    elif member.user_id is None and not Member.objects.filter(user=profile.user).exists():
        member.user = profile.user
        member.save(update_fields=["user"])
    if not member.stage_changes.exists():
        stage_history_import(
            member=member,
            entries=history_entries(
                profile, fallback=timezone.localdate(), stage=stage, dates=dates
            ),
            by_user=by_user,
        )
    profile.member = member
    profile.save(update_fields=["member"])
    return member


# Every stage a record may be at (the five of the path and the events that end or prolong it).
STAGE_CHOICES = Stage.choices


def stage_expression(prefix: str = "") -> Coalesce:
    """SQL for a trainee's current stage: their member record's latest stage change (the history
    decides), else the profile's own field (a trainee not linked yet). `prefix` is the path to the
    TraineeProfile, e.g. "trainee__" from an Enrolment."""
    latest = StageChange.objects.filter(member_id=OuterRef(f"{prefix}member_id")).order_by(
        "-decided_on", "-id"
    )
    return Coalesce(
        Subquery(latest.values("stage")[:1]), F(f"{prefix}stage"), output_field=CharField()
    )


def trainee_stage(profile: TraineeProfile) -> str:
    """The trainee's current stage (see stage_expression), for one profile."""
    return profile.stage_now()


# Which stages a class of an audience accepts. A 发展对象 class is the 集中培训 that 细则 art. 17
# requires before someone is received as 预备党员, for 发展对象 only (issue 14, "Enrolment matches
# the audience"). Other audiences are not restricted: members and 积极分子 classes take whoever the
# 党校 sends. Staff (who see all classes) may enrol someone else, recording why.
AUDIENCE_STAGES: dict[str, frozenset[str]] = {
    Stage.CANDIDATE: frozenset({Stage.CANDIDATE}),
}
AUDIENCE_SOURCE = "《中国共产党发展党员工作细则》(2014) 第十七条"


def audience_mismatches(training_class, profiles) -> list[tuple[TraineeProfile, str]]:
    """(profile, current stage) of each profile whose stage the class's audience does not accept."""
    accepted = AUDIENCE_STAGES.get(training_class.audience_stage)
    if accepted is None:
        return []
    profiles = list(profiles)
    stages = dict(
        TraineeProfile.objects.filter(pk__in=[p.pk for p in profiles])
        .annotate(current=stage_expression())
        .values_list("pk", "current")
    )
    return [(p, stages[p.pk]) for p in profiles if stages.get(p.pk) not in accepted]


def audience_error(training_class, mismatches) -> str:
    people = "、".join(f"{p.name}（{stage_label(stage)}）" for p, stage in mismatches)
    return _(
        "%(audience)s培训班只编入发展阶段为%(audience)s的学员（%(source)s）：%(people)s 不符合。"
    ) % {
        "audience": stage_label(training_class.audience_stage),
        "source": AUDIENCE_SOURCE,
        "people": people,
    }


# --- where a trainee stands in the Party tree, for every reader ----------------------------------


def organisation_annotations(prefix: str = "") -> dict:
    """Annotations of a trainee's place in the Party tree, read from their member record:
    `college_name` (the 院系党委, or the 校党委 of a 直属党支部), `branch_name` (the member's unit),
    `branch_unit_id`; a profile not linked to a member yet falls back to its own College/Branch
    names (until they are removed). `prefix` is the path to the TraineeProfile, e.g. "trainee__"."""
    return {
        "college_name": Coalesce(
            college_subquery(f"{prefix}member__unit__path"),
            F(f"{prefix}college__name"),
            output_field=CharField(),
        ),
        "branch_name": Coalesce(
            F(f"{prefix}member__unit__name"), F(f"{prefix}branch__name"), output_field=CharField()
        ),
        "branch_unit_id": F(f"{prefix}member__unit_id"),
    }


def with_organisation(qs):
    """TraineeProfiles with organisation_annotations() and `current_stage` (the history's)."""
    return qs.annotate(**organisation_annotations(), current_stage=stage_expression())


@dataclass(frozen=True)
class TraineeOrganisation:
    college: str
    branch: str
    college_unit: Unit | None = None
    branch_unit: Unit | None = None


def trainee_organisation(profile: TraineeProfile) -> TraineeOrganisation:
    """One trainee's 学院 and 党支部 (as organisation_annotations decides); reads the annotations
    when the profile carries them, else at most two queries."""
    if hasattr(profile, "college_name"):
        return TraineeOrganisation(profile.college_name or "", profile.branch_name or "")
    if profile.member_id:
        unit = Unit.objects.filter(members=profile.member_id).first()
        if unit is not None:
            college = colleges_of_units([unit])[unit.pk]
            return TraineeOrganisation(college.name if college else "", unit.name, college, unit)
    return TraineeOrganisation(
        profile.college.name if profile.college_id else "",
        profile.branch.name if profile.branch_id else "",
    )


def units_of_trainees(trainees) -> tuple:
    """(党支部, 院系党委) Unit querysets of the member records of `trainees` (a TraineeProfile
    queryset), in tree order: the choices of every 学院/党支部 filter over trainees, so an id
    outside them is an invalid choice. Lazy: one query each when listed."""
    branch_ids = Unit.objects.filter(
        kind=UnitKind.BRANCH, members__trainee_profile__in=trainees.values("pk")
    )
    branches = Unit.objects.filter(pk__in=branch_ids.values("pk")).order_by("path")
    colleges = Unit.objects.filter(
        pk__in=branch_ids.values(college=college_subquery("path", "pk"))
    ).order_by("path")
    return branches, colleges
