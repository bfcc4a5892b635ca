"""记录线下培训 in the Wagtail admin: from a class, tick who attended, one entry each."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from learning.classes.models import OfflineSession
from learning.progress.models import HoursLedgerEntry, LedgerSource
from learning.progress.offline_sessions import offline_session_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(report_factory, trainer):
    tc = report_factory.klass(trainers=[trainer])
    report_factory.trainees(tc, 3, branch=report_factory.org(branch_name="教工党支部"))
    report_factory.trainees(tc, 2, branch=report_factory.org(branch_name="学生党支部"))
    return tc


def _profiles(tc):
    return list(tc.trainees.order_by("student_no"))


def _session(tc, trainer, profiles):
    return offline_session_record(
        training_class=tc,
        source=LedgerSource.OFFLINE_LECTURE,
        occurred_on=timezone.localdate(),
        topic="党的组织原则",
        amount=Decimal("4"),
        trainee_ids=[p.pk for p in profiles],
        recorded_by=trainer,
    )


def test_form_renders_with_every_enrolled_trainee_ticked(client, klass, trainer):
    client.force_login(trainer)
    response = client.get(f"/admin/offline_sessions/class/{klass.pk}/add/")
    assert response.status_code == 200
    html = response.content.decode()
    for profile in _profiles(klass):
        assert f'value="{profile.pk}" checked' in html
        assert profile.name in html
    assert "教工党支部（3）" in html and "学生党支部（2）" in html
    assert "全选" in html and "全不选" in html


def test_post_records_the_ticked_trainees(client, klass, trainer):
    client.force_login(trainer)
    profiles = _profiles(klass)
    ticked = profiles[:4]
    response = client.post(
        f"/admin/offline_sessions/class/{klass.pk}/add/",
        {
            "source": LedgerSource.OFFLINE_LECTURE,
            "topic": "党章学习",
            "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "location": "第一教学楼",
            "days": "1",
            "trainees": [p.pk for p in ticked],
        },
        follow=True,
    )
    assert response.status_code == 200
    session = OfflineSession.objects.get()
    assert session.amount == Decimal("8.00")
    assert "已为 4 名学员记入 8 学时" in response.content.decode()
    entries = HoursLedgerEntry.objects.filter(reference=session.reference)
    assert sorted(e.user_id for e in entries) == sorted(p.user_id for p in ticked)
    assert {e.granted_by_id for e in entries} == {trainer.pk}
    # The detail page lists them with links to their ledger entries, and the list page counts them.
    html = response.content.decode()
    for entry in entries:
        assert f"/admin/hours_ledger/inspect/{entry.pk}/" in html
    listing = client.get(f"/admin/offline_sessions/class/{klass.pk}/").content.decode()
    assert "党章学习" in listing and "<td>4</td>" in listing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"topic": ""}, "请填写培训主题"),
        ({"occurred_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "不能晚于今天"),
        ({"amount": "30"}, "最多记 24 学时"),
        ({"amount": ""}, "请填写学时或天数"),
    ],
)
def test_post_with_errors_writes_nothing_and_keeps_the_ticks(
    client, klass, trainer, fields, message
):
    client.force_login(trainer)
    profiles = _profiles(klass)
    data = {
        "source": LedgerSource.OFFLINE_LECTURE,
        "topic": "党史学习",
        "occurred_on": timezone.localdate().isoformat(),
        "amount": "2",
        "trainees": [profiles[0].pk],
        **fields,
    }
    response = client.post(f"/admin/offline_sessions/class/{klass.pk}/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{profiles[0].pk}" checked' in html
    assert f'value="{profiles[1].pk}" checked' not in html
    assert not OfflineSession.objects.exists()
    assert not HoursLedgerEntry.objects.exists()


def test_late_sign_in_page_offers_only_the_missing_trainees(client, klass, trainer):
    profiles = _profiles(klass)
    session = _session(klass, trainer, profiles[:3])
    client.force_login(trainer)
    url = f"/admin/offline_sessions/{session.pk}/attendees/"
    html = client.get(url).content.decode()
    assert f'value="{profiles[0].pk}"' not in html
    assert f'value="{profiles[3].pk}"' in html and f'value="{profiles[4].pk}"' in html
    response = client.post(url, {"trainees": [profiles[3].pk]}, follow=True)
    assert "已为 1 名学员补记 4 学时" in response.content.decode()
    assert HoursLedgerEntry.objects.filter(reference=session.reference).count() == 4


def test_correcting_a_wrong_tick_adds_a_negative_entry(client, klass, trainer):
    profiles = _profiles(klass)
    session = _session(klass, trainer, profiles[:2])
    entry = HoursLedgerEntry.objects.get(reference=session.reference, user=profiles[0].user)
    client.force_login(trainer)
    url = f"/admin/offline_sessions/{session.pk}/correct/{entry.pk}/"
    assert client.get(url).status_code == 200
    client.post(url, {"note": "未到场，误勾选"})
    correction = HoursLedgerEntry.objects.get(corrects=entry)
    assert correction.amount == Decimal("-4.00")
    assert correction.source == LedgerSource.CORRECTION
    assert HoursLedgerEntry.objects.filter(pk=entry.pk).exists()  # the original stays
    # Nothing is left to correct: a second attempt adds nothing.
    client.post(url, {"note": "再次"})
    assert HoursLedgerEntry.objects.filter(corrects=entry).count() == 1


def test_class_pages_offer_the_button(client, klass, trainer):
    client.force_login(trainer)
    add_url = f"/admin/offline_sessions/class/{klass.pk}/add/"
    assert add_url in client.get(f"/admin/training_classes/inspect/{klass.pk}/").content.decode()
    assert add_url in client.get("/admin/training_classes/").content.decode()


def test_another_trainer_gets_404_everywhere(client, klass, trainer, trainer2):
    session = _session(klass, trainer, _profiles(klass)[:1])
    entry = HoursLedgerEntry.objects.get(reference=session.reference)
    client.force_login(trainer2)
    for url in [
        f"/admin/offline_sessions/class/{klass.pk}/",
        f"/admin/offline_sessions/class/{klass.pk}/add/",
        f"/admin/offline_sessions/{session.pk}/",
        f"/admin/offline_sessions/{session.pk}/attendees/",
        f"/admin/offline_sessions/{session.pk}/correct/{entry.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/admin/offline_sessions/class/{klass.pk}/add/",
        {
            "source": LedgerSource.OFFLINE_LECTURE,
            "topic": "x",
            "occurred_on": timezone.localdate().isoformat(),
            "amount": "1",
            "trainees": [p.pk for p in _profiles(klass)],
        },
    )
    assert response.status_code == 404
    assert OfflineSession.objects.count() == 1


def test_a_trainee_cannot_reach_the_pages(client, klass, trainer):
    profile = _profiles(klass)[0]
    session = _session(klass, trainer, [profile])
    client.force_login(profile.user)
    for url in [
        f"/admin/offline_sessions/class/{klass.pk}/add/",
        f"/admin/offline_sessions/{session.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "党的组织原则" not in response.content.decode()


def test_detail_page_query_count_does_not_grow(
    client, report_factory, trainer, django_assert_max_num_queries
):
    tc = report_factory.klass(trainers=[trainer])
    session = _session(tc, trainer, report_factory.trainees(tc, 40))
    client.force_login(trainer)
    client.get(f"/admin/offline_sessions/{session.pk}/")  # warm caches (permissions, site)
    with django_assert_max_num_queries(20):
        response = client.get(f"/admin/offline_sessions/{session.pk}/")
    assert response.status_code == 200


def test_whole_hours_read_as_people_write_them(client, klass, trainer):
    client.force_login(trainer)
    response = client.post(
        f"/admin/offline_sessions/class/{klass.pk}/add/",
        {
            "source": LedgerSource.OFFLINE_PRACTICE,
            "topic": "社区志愿服务",
            "occurred_on": timezone.localdate().isoformat(),
            "amount": "10",
            "trainees": [p.pk for p in _profiles(klass)],
        },
        follow=True,
    )
    html = response.content.decode()
    assert "已为 5 名学员记入 10 学时" in html
    assert "1E+1" not in html
    listing = client.get(f"/admin/offline_sessions/class/{klass.pk}/").content.decode()
    assert "<td>10</td>" in listing


def test_recording_and_withdrawing_leave_in_the_admin(client, klass, trainer):
    """记录请假 from the session page: the reason is required, the absent are offered."""
    from learning.classes.models import OfflineLeave

    profiles = _profiles(klass)
    session = _session(klass, trainer, profiles[:3])
    client.force_login(trainer)
    page = client.get(f"/admin/offline_sessions/{session.pk}/leave/")
    offered = {choice[0] for choice in page.context["form"].fields["trainee"].choices}
    assert offered == {"", profiles[3].pk, profiles[4].pk}
    url = f"/admin/offline_sessions/{session.pk}/leave/"
    refused = client.post(url, {"trainee": profiles[3].pk, "reason": "  "})
    assert refused.status_code == 200
    assert "请填写请假事由" in refused.content.decode()
    assert not OfflineLeave.objects.exists()
    done = client.post(url, {"trainee": profiles[3].pk, "reason": "参加学校运动会"})
    assert done.status_code == 302
    detail = client.get(f"/admin/offline_sessions/{session.pk}/").content.decode()
    assert "参加学校运动会" in detail and "请假学员（1 人）" in detail
    leave = OfflineLeave.objects.get()
    withdraw = f"/admin/offline_sessions/{session.pk}/leave/{leave.pk}/withdraw/"
    client.post(withdraw)
    # 撤销请假 keeps the leave, marked withdrawn by whom; it no longer counts.
    leave.refresh_from_db()
    assert leave.withdrawn_by == trainer and leave.withdrawn_at is not None
    detail = client.get(f"/admin/offline_sessions/{session.pk}/").content.decode()
    assert "参加学校运动会" in detail and "请假学员（0 人）" in detail
    assert "已撤销（" in detail and "不计入" in detail
    assert withdraw not in detail  # no button on a withdrawn leave
    # The page's <title> is the title only (the leave table once leaked into it).
    title = detail.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<table" not in title and "请假学员" not in title
    again = client.post(withdraw, follow=True).content.decode()
    assert "这条请假已经撤销过了" in again
    # The trainee is offered again for a new leave.
    page = client.get(f"/admin/offline_sessions/{session.pk}/leave/")
    offered = {choice[0] for choice in page.context["form"].fields["trainee"].choices}
    assert profiles[3].pk in offered


def test_a_leave_reads_withdrawn_and_in_force_in_english(client, klass, trainer):
    """The leave's words are its own in English (they once reused the certificate's: Revoked at,
    Valid)."""
    from learning.classes.models import OfflineLeave
    from learning.progress.offline_sessions import offline_leave_record

    profiles = _profiles(klass)
    session = _session(klass, trainer, profiles[:3])
    offline_leave_record(
        session=session, trainee_id=profiles[3].pk, reason="参加学校运动会", recorded_by=trainer
    )
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.force_login(trainer)
    detail = client.get(f"/admin/offline_sessions/{session.pk}/").content.decode()
    status_cell = detail.split("参加学校运动会", 1)[1].split("</tr>", 1)[0]
    assert "In force" in status_cell and "Valid" not in status_cell
    with translation.override("en"):
        assert str(OfflineLeave._meta.get_field("withdrawn_at").verbose_name) == "Withdrawn at"
        assert str(OfflineLeave._meta.get_field("withdrawn_by").verbose_name) == "Withdrawn by"


def test_the_class_form_shows_the_allowance_with_its_source(client, klass, trainer):
    client.force_login(trainer)
    html = client.get(f"/admin/training_classes/edit/{klass.pk}/").content.decode()
    assert "可请假学时比例" in html and "四分之一" in html


def test_the_class_form_refuses_more_than_a_quarter(client, klass, trainer):
    client.force_login(trainer)
    response = client.post(
        f"/admin/training_classes/edit/{klass.pk}/",
        {
            "name": klass.name,
            "audience_stage": klass.audience_stage,
            "required_hours": "10",
            "leave_allowance_percent": "30",
            "pass_mark": "60",
            "trainers": [trainer.pk],
        },
    )
    assert response.status_code == 200
    assert "可请假学时比例须在 0 到 25% 之间" in response.content.decode()
    klass.refresh_from_db()
    assert klass.leave_allowance_percent == Decimal("0")
