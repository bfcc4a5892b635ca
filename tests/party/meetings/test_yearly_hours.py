"""Yearly 学时: study meetings credit the attendees' ledger through the hook learning registers
(a correction entry when withdrawn, never an edit), the one yearly function (32 / 56), the
member's own line on 我的学习 and 我的入党进程, the unit's list, its xlsx and the API."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from learning.progress.models import HoursLedgerEntry, LedgerSource
from party.meetings import services
from party.meetings.checkin import checkin_code
from party.meetings.models import MeetingKind
from party.meetings.study import study_hours
from party.members.education import yearly_standing
from party.members.models import MemberAccessLog
from tests.factories import make_user
from tests.party.conftest import make_member
from tests.party.meetings.conftest import set_stage
from tests.spreadsheets import assert_header_frozen

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year
D = Decimal


def at(hours_long, kind):
    start = datetime(2026, 3, 1, 9, 0)
    return study_hours(kind=kind, starts_at=start, ends_at=start + timedelta(hours=hours_long))


def test_study_hours_are_rules_as_data():
    # 45-minute 学时, rounded down to a half, capped per kind; other kinds are not study.
    assert at(1.5, "lecture") == D("2.00")
    assert at(1.0, "lecture") == D("1.00")  # 60/45 = 1.33 → 1
    assert at(3.0, "lecture") == D("4.00")
    assert at(5.0, "lecture") == D("4.00")  # cap
    assert at(3.0, "theme_day") == D("2.00")  # only its study part
    assert at(9.0, "study") == D("8.00")  # a training day
    for kind in ("party_congress", "committee", "group", "life_meeting", "talk"):
        assert at(2.0, kind) == 0


def ledger(user):
    return list(HoursLedgerEntry.objects.filter(user=user).order_by("id"))


def test_check_in_credits_the_ledger_and_a_withdrawal_is_a_correction(life):
    meeting, user = life["open"], life["users"]["lm1"]
    member, secretary = life["members"]["lm1"], life["users"]["secretary"]
    services.meeting_check_in(
        meeting_id=meeting.pk, user=user, code=checkin_code(meeting_id=meeting.pk)
    )
    (entry,) = ledger(user)
    assert (entry.source, entry.amount, entry.reference) == (
        LedgerSource.ORG_LIFE,
        D("2.00"),
        f"meeting:{meeting.pk}",
    )
    assert entry.granted_by is None and entry.occurred_on == timezone.localdate(meeting.starts_at)
    assert "学习党章" in entry.note
    # The secretary corrects it to 缺席: a correction entry, the original untouched.
    services.attendance_set(
        meeting=meeting, member_id=member.pk, status="absent", by_user=secretary
    )
    original, correction = ledger(user)
    assert original.amount == D("2.00") and original.pk == entry.pk
    assert (correction.source, correction.amount, correction.corrects_id) == (
        LedgerSource.CORRECTION,
        D("-2.00"),
        entry.pk,
    )
    assert correction.granted_by == secretary
    # Marked present again: a new credit; present twice changes nothing.
    services.attendance_set(
        meeting=meeting, member_id=member.pk, status="present", by_user=secretary
    )
    services.attendance_set(
        meeting=meeting, member_id=member.pk, status="present", reason="改", by_user=secretary
    )
    assert [e.amount for e in ledger(user)] == [D("2.00"), D("-2.00"), D("2.00")]
    assert yearly_standing(members=[member], year=entry.occurred_on.year)[member.pk].earned == D(
        "2.00"
    )
    # 请假 approved after all: corrected again.
    services.attendance_set(
        meeting=meeting, member_id=member.pk, status="leave", reason="出差", by_user=secretary
    )
    assert sum(e.amount for e in ledger(user)) == 0


def test_meetings_that_are_not_study_credit_nothing(life):
    congress = life["plan"](kind=MeetingKind.PARTY_CONGRESS, topic="党员大会")
    user = life["users"]["lm2"]
    services.meeting_check_in(
        meeting_id=congress.pk, user=user, code=checkin_code(meeting_id=congress.pk)
    )
    assert ledger(user) == []


def test_a_member_without_an_account_is_skipped(life):
    # 李四-like: no user; the secretary may still tick them present.
    member = make_member(life["units"]["law_b1"], "无账号", "N001")
    set_stage(member, "full_member")
    services.attendance_set(
        meeting=life["open"],
        member_id=member.pk,
        status="present",
        by_user=life["users"]["secretary"],
    )
    assert not HoursLedgerEntry.objects.exists()
    assert yearly_standing(members=[member], year=THIS_YEAR)[member.pk].earned == 0


def test_yearly_total_counts_every_source_in_the_calendar_year(life):
    member, user = life["members"]["lm1"], life["users"]["lm1"]
    for amount, day in ((D("10"), date(THIS_YEAR, 1, 1)), (D("5.5"), date(THIS_YEAR, 12, 31))):
        HoursLedgerEntry.objects.create(
            user=user, source=LedgerSource.OFFLINE_LECTURE, amount=amount, occurred_on=day
        )
    HoursLedgerEntry.objects.create(
        user=user, source=LedgerSource.ONLINE_LESSON, amount=D("1"), occurred_on=None
    )  # recorded today
    HoursLedgerEntry.objects.create(
        user=user,
        source=LedgerSource.EXAM,
        amount=D("30"),
        occurred_on=date(THIS_YEAR - 1, 12, 31),
    )
    standing = yearly_standing(members=[member], year=THIS_YEAR)[member.pk]
    assert (standing.earned, standing.required, standing.below) == (D("16.5"), D("32"), True)
    assert standing.missing == D("15.5")
    last_year = yearly_standing(members=[member], year=THIS_YEAR - 1)[member.pk]
    assert last_year.earned == D("30")


def test_secretaries_and_committee_members_need_56(life):
    secretary, lm1 = life["members"]["secretary"], life["members"]["lm1"]
    standings = yearly_standing(members=[secretary, lm1], year=THIS_YEAR)
    assert standings[secretary.pk].required == D("56") and standings[secretary.pk].committee
    assert standings[lm1.pk].required == D("32")
    # The post began 2024-09-01: in 2023 the secretary was an ordinary member.
    assert yearly_standing(members=[secretary], year=2023)[secretary.pk].required == D("32")


def test_yearly_standing_runs_two_queries(life, django_assert_num_queries):
    members = [life["members"][k] for k in ("lm1", "lm2", "lm3", "secretary")]
    for i in range(20):
        members.append(
            make_member(life["units"]["law_b1"], f"加{i}", f"Y{i:03d}", user=make_user())
        )
    with django_assert_num_queries(2):
        yearly_standing(members=members, year=THIS_YEAR)


def _credit(user, amount):
    HoursLedgerEntry.objects.create(
        user=user,
        source=LedgerSource.OFFLINE_LECTURE,
        amount=D(amount),
        occurred_on=timezone.localdate(),
    )


def test_member_sees_this_years_line_on_both_pages(life, client):
    _credit(life["users"]["lm1"], "12")
    client.force_login(life["users"]["lm1"])
    for url in ("/me/party/", "/me/"):
        page = client.get(url).content.decode()
        assert "今年已修 12 / 32 学时" in page, url
        assert "还差 20 学时" in page
    # An activist has no yearly line.
    client.force_login(life["users"]["activist"])
    assert "今年已修" not in client.get("/me/party/").content.decode()


def test_unit_list_below_the_line_first_with_export_and_api(life, client):
    users, branch = life["users"], life["units"]["law_b1"]
    _credit(users["lm1"], "40")
    _credit(users["lm2"], "31.5")
    client.force_login(users["secretary"])
    page = client.get(f"/party/units/{branch.pk}/yearly-hours/").content.decode()
    assert page.index("党员2") < page.index("党员1")  # 31.5 is below 32; 40 is not
    assert "差 0.5 学时" in page and "李书记" in page
    response = client.get(f"/party/units/{branch.pk}/yearly-hours.xlsx?year={THIS_YEAR}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "导出人" in rows[0][1] and rows[1][0] == "姓名"
    assert_header_frozen(sheet, "姓名")
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["党员1"][4:8] == (40, 32, 0, "达标")
    assert by_name["李书记"][5] == 56
    exported = MemberAccessLog.objects.filter(action="export", user=users["secretary"]).count()
    assert exported == len(rows) - 2
    api = APIClient()
    api.force_authenticate(users["organiser"])
    data = api.get(f"/api/v1/units/{life['units']['law'].pk}/yearly-hours/?year={THIS_YEAR}").json()
    names = [row["name"] for row in data]
    assert "党员1" in names and "王五" not in names  # the 院系党委's branches only
    first = data[0]
    assert first["below"] is True and set(first) >= {"earned", "required", "missing", "committee"}
    assert api.get(f"/api/v1/units/{branch.pk}/yearly-hours/?year=1900").status_code == 400


@pytest.mark.parametrize("extra", [0, 15])
def test_unit_api_query_count_is_constant(life, django_assert_num_queries, extra):
    for i in range(extra):
        member = make_member(life["units"]["law_b1"], f"多{i}", f"M{i:03d}", user=make_user())
        set_stage(member, "full_member")
    api = APIClient()
    api.force_authenticate(life["users"]["secretary"])
    url = f"/api/v1/units/{life['units']['law_b1'].pk}/yearly-hours/"
    # the same seven queries whatever the number of members (one ledger sum, one posts query)
    with django_assert_num_queries(7):
        assert api.get(url).status_code == 200


def test_my_yearly_hours_api(life):
    _credit(life["users"]["lm3"], "3")
    api = APIClient()
    api.force_authenticate(life["users"]["lm3"])
    data = api.get("/api/v1/me/yearly-hours/").json()
    assert (data["earned"], data["required"], data["below"]) == ("3.00", "32.00", True)
    api.force_authenticate(life["users"]["outsider"])
    assert api.get("/api/v1/me/yearly-hours/").status_code == 404
