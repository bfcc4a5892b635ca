"""Trainees for the benchmarks, the load test and the crash drill (issue 15): each a member of a
党支部 of the Party tree with a documented history (档案补录), made in bulk — a handful of queries
for any number — and idempotent (a user with a profile, a 学号 with a record are kept)."""

from datetime import date, timedelta

PATH = ["applicant", "activist", "candidate", "probationary", "full_member"]
UNIVERSITY = "基准大学党委"  # the root made when the tree has none


def branch_unit(college: str, branch: str):
    """The 党支部 `branch` under the 院系党委 `college` (under the 校党委), made if missing."""
    from party.organisation.models import Unit, UnitKind
    from party.organisation.services import unit_create

    root = Unit.get_root_nodes().filter(kind=UnitKind.UNIVERSITY).first() or unit_create(
        kind=UnitKind.UNIVERSITY, name=UNIVERSITY
    )
    parent = root.get_children().filter(kind=UnitKind.COLLEGE, name=college).first()
    parent = parent or unit_create(kind=UnitKind.COLLEGE, name=college, parent=root)
    unit = parent.get_children().filter(kind=UnitKind.BRANCH, name=branch).first()
    return unit or unit_create(kind=UnitKind.BRANCH, name=branch, parent=parent)


def trainees_bulk_create(people, *, stage: str = "activist", on: date | None = None, **fields):
    """A TraineeProfile for each (user, name, 学号, unit) of `people` whose user has none, pointing
    at the member record of that 学号 (a new one in `unit` if none) whose history reaches `stage`
    on `on` (today), each earlier stage one year before. `fields` go to every profile."""
    from django.utils import timezone

    from learning.classes.models import TraineeProfile
    from party.members.models import DecidingBody, Member, StageChange

    on = on or timezone.localdate()
    have = set(
        TraineeProfile.objects.filter(user__in=[p[0] for p in people]).values_list(
            "user_id", flat=True
        )
    )
    todo = [p for p in people if p[0].pk not in have]
    numbers = [no for _u, _n, no, _unit in todo]
    registered = set(
        Member.objects.filter(student_no__in=numbers).values_list("student_no", flat=True)
    )
    Member.objects.bulk_create(
        [
            Member(name=name, gender="", ethnicity="", student_no=no, unit=unit, user=user)
            for user, name, no, unit in todo
            if no not in registered
        ],
        batch_size=1000,
    )
    ids = dict(Member.objects.filter(student_no__in=numbers).values_list("student_no", "id"))
    with_history = set(
        StageChange.objects.filter(member_id__in=ids.values()).values_list("member_id", flat=True)
    )
    last = PATH.index(stage)
    StageChange.objects.bulk_create(
        [
            StageChange(
                member_id=ids[no],
                stage=step,
                decided_on=on - timedelta(days=365 * (last - i)),
                decided_by=DecidingBody.RECORDS,
            )
            for _u, _n, no, _unit in todo
            if ids[no] not in with_history
            for i, step in enumerate(PATH[: last + 1])
        ],
        batch_size=1000,
    )
    TraineeProfile.objects.bulk_create(
        [
            TraineeProfile(user=user, member_id=ids[no], name=name, student_no=no, **fields)
            for user, name, no, _unit in todo
        ],
        batch_size=1000,
    )
    return TraineeProfile.objects.filter(user__in=[p[0] for p in people])
