"""Trainees are members of units (issue 15): each TraineeProfile points at its party.members.Member.

A trainee's 学院 and 党支部 are their member record's unit, their stage the record's documented
history. `trainee_member_link` finds or makes the record a new trainee points at (the roster
import and the trainee admin call it before they create the profile); migration learning.classes
0005 applied the same rule to the trainees that existed then (keeping its own frozen copy, as
migrations must) and 0014 to any left, before 0015 removed the legacy College/Branch and the
profile's own stage and dated fields.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.classes.models import TraineeProfile, stage_label
from party.members.models import Member, Stage, StageChange
from party.members.services import stage_history_import
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import college_subquery, colleges_of_units

STAGE_NAMES = {
    Stage.APPLICANT: "入党申请人",
    Stage.ACTIVIST: "入党积极分子",
    Stage.CANDIDATE: "发展对象",
    Stage.PROBATIONARY: "预备党员",
    Stage.FULL_MEMBER: "正式党员",
}

# The path into the Party in order, with the name of the field (of the trainee form, of a
# roster) holding each stage's date.
PATH = [
    (Stage.APPLICANT, "applied_on"),
    (Stage.ACTIVIST, "activist_on"),
    (Stage.CANDIDATE, "candidate_on"),
    (Stage.PROBATIONARY, "probationary_on"),
    (Stage.FULL_MEMBER, "full_member_on"),
]


def history_entries(
    *, stage: str, dates: dict[str, date | None], fallback: date
) -> list[tuple[str, date, str]]:
    """(stage, date, note) for each stage of the path up to `stage`: `dates` by field name (PATH),
    a missing date taking the next later stage's, else the previous stage's, else `fallback`,
    each default said in the note; a date earlier than the stage before is raised to it."""
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
    user,
    name: str,
    student_no: str,
    phone: str = "",
    unit: Unit | None = None,
    stage: str | None = None,
    dates: dict[str, date | None] | None = None,
    by_user=None,
) -> Member:
    """The member record a new trainee profile of `user` points at: the one of the same user, else
    of the same 学号/工号 (it becomes `user`'s if it has no account), else a new one in `unit` (a
    党支部; required then) with 性别, 民族, 出生日期 left for the registry to complete, never
    invented. A record without a history gets one (档案补录) from `stage` and `dates` (by PATH
    field name), missing dates being the day of the link and said in each change's note."""
    member = (
        Member.objects.filter(user=user).first()
        or Member.objects.filter(student_no=student_no).first()
    )
    if member is None:
        if unit is None:
            raise ValueError(f"no member record of {student_no} and no 党支部 to make one in")
        member = Member.objects.create(
            name=name,
            gender="",
            ethnicity="",
            student_no=student_no,
            unit=unit,
            phone=phone,
            user=user,
        )
    elif member.user_id is None and not Member.objects.filter(user=user).exists():
        member.user = user
        member.save(update_fields=["user"])
    if stage and not member.stage_changes.exists():
        stage_history_import(
            member=member,
            entries=history_entries(stage=stage, dates=dates or {}, fallback=timezone.localdate()),
            by_user=by_user,
        )
    return member


# Every stage a record may be at (the five of the path and the events that end or prolong it).
STAGE_CHOICES = Stage.choices


def stage_expression(prefix: str = "") -> Coalesce:
    """SQL for a trainee's current stage: their member record's latest stage change (the history
    decides; "" for a record without one). `prefix` is the path to the TraineeProfile, e.g.
    "trainee__" from an Enrolment."""
    latest = StageChange.objects.filter(member_id=OuterRef(f"{prefix}member_id")).order_by(
        "-decided_on", "-id"
    )
    return Coalesce(Subquery(latest.values("stage")[:1]), Value(""), output_field=CharField())


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
    `branch_unit_id`. `prefix` is the path to the TraineeProfile, e.g. "trainee__"."""
    return {
        "college_name": college_subquery(f"{prefix}member__unit__path"),
        "branch_name": F(f"{prefix}member__unit__name"),
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
    when the profile carries them, else two queries."""
    if hasattr(profile, "college_name"):
        return TraineeOrganisation(profile.college_name or "", profile.branch_name or "")
    unit = Unit.objects.filter(members=profile.member_id).first()
    if unit is None:
        return TraineeOrganisation("", "")
    college = colleges_of_units([unit])[unit.pk]
    return TraineeOrganisation(college.name if college else "", unit.name, college, unit)


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
