"""The demo year of organisation life (party/meetings/demo.py through load_demo): meetings for the
demo branches with overdue periods, study credited to the ledger, one member below the 32 line,
one flagged by the six-month rule, an upcoming 主题党日; loading again changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from learning.progress.models import HoursLedgerEntry
from party.meetings.absence import absence_flags
from party.meetings.compliance import branches_compliance
from party.meetings.demo import _month_day
from party.meetings.models import Attendance, Meeting
from party.members.education import yearly_standing
from party.members.models import Member
from party.organisation.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_year_of_meetings(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    counts = (Meeting.objects.count(), Attendance.objects.count(), HoursLedgerEntry.objects.count())
    assert counts[0] > 40 and counts[1] > 100
    call_command("load_demo", "--no-video")
    assert (
        Meeting.objects.count(),
        Attendance.objects.count(),
        HoursLedgerEntry.objects.count(),
    ) == counts

    branch = Unit.objects.filter(name="本科生第一党支部").get()
    now = timezone.now()
    assert Meeting.objects.filter(unit=branch, starts_at__gt=now).exists()  # upcoming
    year = timezone.localdate().year
    skipped = _month_day(timezone.localdate(), 2, 10)  # the month without a 主题党日
    states = branches_compliance(branches=[branch], year=skipped.year)[branch.pk]
    assert any(rule.overdue for rule in states if rule.kind == "theme_day")

    member = get_user_model().objects.get(username="member").party_member
    standing = yearly_standing(members=[member], year=year)[member.pk]
    assert 0 < standing.earned < standing.required == 32
    flagged = {row.member.name for row in absence_flags(units=[branch])}
    assert flagged == {"赵老师"}
    assert Member.objects.filter(name="赵老师").exists()
