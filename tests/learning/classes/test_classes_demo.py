"""demo_classes_ensure: two demo classes trained by `trainer` only, idempotent; then
demo_progress_ensure records the offline sessions of the 发展对象 class, one of them missed by
刘思远 with 请假 that the class's 25 % allowance counts toward her 学时."""

from decimal import Decimal

import pytest

from cms.demo import demo_accounts_ensure, demo_password
from cms.roles import TRAINEES
from learning.classes.demo import demo_classes_ensure
from learning.classes.models import (
    Enrolment,
    OfflineLeave,
    OfflineSession,
    TraineeProfile,
    TrainingClass,
)
from learning.classes.selectors import classes_for_trainer
from learning.progress.demo import DEMO_LEAVE_REASON, demo_progress_ensure
from learning.progress.models import HoursLedgerEntry
from learning.progress.selectors import class_sessions
from learning.reports.class_report import report_row
from learning.reports.status import ReportStatus
from party.members.demo import demo_party_ensure

pytestmark = pytest.mark.django_db


def classmate_unit_name() -> str:
    return TraineeProfile.objects.get(student_no="M2025003").member.unit.name


def test_demo_classes(video_lesson, article_lesson):
    users = demo_accounts_ensure()
    demo_party_ensure()  # as load_demo: the demo trainees are its members (issue 15)
    demo_classes_ensure()
    demo_classes_ensure()  # idempotent
    assert TrainingClass.objects.count() == 2
    activist_class = TrainingClass.objects.get(audience_stage="activist")
    candidate_class = TrainingClass.objects.get(audience_stage="candidate")
    assert candidate_class.required_hours == Decimal("24")
    assert set(candidate_class.required_lessons.all()) == {
        video_lesson.page_ptr,
        article_lesson.page_ptr,
    }
    assert Enrolment.objects.get(training_class=activist_class).trainee.user == users["activist"]
    assert {
        e.trainee.user.username for e in Enrolment.objects.filter(training_class=candidate_class)
    } == {"candidate", "M2025003"}
    assert users["candidate"].trainee_profile.stage_now() == "candidate"
    # No College/Branch of learning's own: the trainees' units are their member records'.
    assert classmate_unit_name() == "本科生党支部"
    assert classes_for_trainer(user=users["trainer"]).count() == 2
    assert classes_for_trainer(user=users["trainer2"]).count() == 0
    # The second 发展对象 is as the roster import makes them: login = 学号, a first password to
    # change (not the demo password).
    classmate = TraineeProfile.objects.get(student_no="M2025003")
    assert classmate.name == "吕九州" and classmate.must_change_password
    assert not classmate.user.check_password(demo_password())
    assert classmate.user.groups.filter(name=TRAINEES).exists()
    # The 发展对象 class's sessions, once however often the demo loads: the first 集中授课 day
    # (8 学时) for 刘思远, then three more, the last one missed by her with 请假.
    demo_progress_ensure()
    demo_progress_ensure()
    first = OfflineSession.objects.order_by("id").first()
    assert first.training_class == candidate_class and first.recorded_by == users["trainer"]
    entry = HoursLedgerEntry.objects.get(reference=f"offline-session:{first.pk}")
    assert entry.user == users["candidate"] and entry.amount == Decimal("8.00")
    assert OfflineSession.objects.filter(training_class=candidate_class).count() == 4


def test_demo_leave(video_lesson, article_lesson, client):
    """After load_demo the trainer sees 请假人数 on the session list, the report's 请假计入学时,
    and 刘思远, whose 学时 are met only through the class's 25 % allowance."""
    users = demo_accounts_ensure()
    demo_party_ensure()  # as load_demo: the demo trainees are its members (issue 15)
    demo_classes_ensure()
    demo_progress_ensure()
    demo_progress_ensure()
    candidate_class = TrainingClass.objects.get(audience_stage="candidate")
    assert candidate_class.leave_allowance_percent == Decimal("25")
    (leave,) = OfflineLeave.objects.all()
    assert leave.trainee.user == users["candidate"] and leave.is_active
    assert leave.reason == DEMO_LEAVE_REASON and leave.session.amount == Decimal("6.00")
    counts = {s.topic: s.leave_count for s in class_sessions(training_class=candidate_class)}
    assert counts[leave.session.topic] == 1 and sum(counts.values()) == 1
    row = report_row(training_class=candidate_class, trainee=leave.trainee)
    assert (row.earned_hours, row.leave_hours, row.excused_hours, row.required_hours) == (
        Decimal("18.00"),
        Decimal("6.00"),
        Decimal("6.00"),
        Decimal("24.00"),
    )
    # 学时已修满 only with the 请假: 18 earned of 24; the lessons (and the exam) are what is left.
    assert row.status == ReportStatus.HOURS_MET and row.missing == ["lessons"]
    classmate = report_row(
        training_class=candidate_class,
        trainee=TraineeProfile.objects.get(student_no="M2025003"),
    )
    assert (classmate.earned_hours, classmate.status) == (
        Decimal("16.00"),
        ReportStatus.IN_PROGRESS,
    )
    client.force_login(users["trainer"])
    sessions = client.get(f"/admin/offline_sessions/class/{candidate_class.pk}/")
    assert "请假人数" in sessions.content.decode()
    report = client.get(f"/admin/reports/classes/{candidate_class.pk}/").content.decode()
    assert "18 + " in report and "请假 6" in report
    detail = client.get(f"/admin/offline_sessions/{leave.session.pk}/").content.decode()
    assert DEMO_LEAVE_REASON in detail and "请假学员（1 人）" in detail
    # She sees it in 我的学习 too.
    client.force_login(users["candidate"])
    assert "另有请假 6 学时计入" in client.get("/me/").content.decode()
