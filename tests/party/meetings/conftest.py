"""A branch with Party members (full and probationary), an activist who is not 应到, a 党小组, and
meetings around now: one open for check-in, one in the future, one ended."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from party.meetings.models import MeetingKind
from party.meetings.services import meeting_plan
from party.members.models import DecidingBody, Stage, StageChange
from tests.factories import make_user
from tests.party.conftest import make_member


@pytest.fixture(autouse=True)
def _fresh_meeting_shapes():
    """Each test starts without the check-in's per-process memory of meetings and of its composed
    writes (ids are reused across tests), so what a check-in costs and writes does not depend on
    the tests before it."""
    from party.meetings.selectors import forget_meeting_shapes
    from party.meetings.services import forget_composed_check_ins

    forget_meeting_shapes()
    forget_composed_check_ins()
    yield
    forget_meeting_shapes()
    forget_composed_check_ins()


def set_stage(member, stage, on=date(2020, 1, 1)):
    StageChange.objects.create(
        member=member, stage=stage, decided_on=on, decided_by=DecidingBody.RECORDS
    )


@pytest.fixture
def life(tree):
    units, users, members = tree["units"], tree["users"], tree["members"]
    for key in ("law_b1", "law_b2", "eng_b1", "secretary", "secretary2"):
        set_stage(members[key], Stage.FULL_MEMBER)
    extra_users = {}
    for i in range(1, 4):
        user = make_user(f"lm{i}")
        extra_users[f"lm{i}"] = user
        member = make_member(units["law_b1"], f"党员{i}", f"L00{i}", user=user)
        set_stage(member, Stage.PROBATIONARY if i == 3 else Stage.FULL_MEMBER)
        members[f"lm{i}"] = member
    activist_user = make_user("activist1")
    members["activist"] = make_member(units["law_b1"], "积极分子甲", "A001", user=activist_user)
    set_stage(members["activist"], Stage.ACTIVIST)
    users.update(extra_users, activist=activist_user)
    now = timezone.now()
    secretary = users["secretary"]

    def plan(kind=MeetingKind.THEME_DAY, starts_at=None, unit=None, **fields):
        return meeting_plan(
            by_user=fields.pop("by_user", secretary),
            unit=unit or units["law_b1"],
            kind=kind,
            topic=fields.pop("topic", "学习党章"),
            starts_at=starts_at or now - timedelta(minutes=10),
            place=fields.pop("place", "法学楼 101"),
            **fields,
        )

    tree["plan"] = plan
    tree["open"] = plan()
    tree["future"] = plan(starts_at=now + timedelta(days=2), topic="下月主题党日")
    tree["ended"] = plan(
        starts_at=now - timedelta(days=3), topic="上次支部党员大会", kind=MeetingKind.PARTY_CONGRESS
    )
    return tree
