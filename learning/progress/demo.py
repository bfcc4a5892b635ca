"""Demo offline sessions in the demo 发展对象 class: one recorded 集中授课 day (once), and 请假 —
the class allows 25 % of its 学时 to be missed with 请假, and 刘思远 (`candidate`) misses a 6-学时
实践教学 with a recorded reason, which is what makes her 学时 reach the required 24 (once)."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.classes.demo import DEMO_CLASSES, DEMO_ROSTER_TRAINEES
from learning.classes.models import OfflineLeave, OfflineSession, TraineeStage, TrainingClass
from learning.progress.models import LedgerSource
from learning.progress.offline_sessions import offline_leave_record, offline_session_record

DEMO_LEAVE_ALLOWANCE_PERCENT = Decimal("25")
DEMO_LEAVE_REASON = "参加学院学生会换届工作（学院团委出具证明）"


def demo_progress_ensure() -> None:
    """Give 记录线下培训 an example: the demo trainer records a day for the demo 发展对象
    (idempotent; nothing happens while the demo class, trainee or trainer is missing); then
    demo_leave_ensure."""
    name, username = DEMO_CLASSES[TraineeStage.CANDIDATE]
    training_class = TrainingClass.objects.filter(name=name).first()
    trainer = get_user_model().objects.filter(username="trainer").first()
    if training_class is None or trainer is None:
        return
    profile = training_class.trainees.filter(user__username=username).first()
    if profile is None:
        return
    if not OfflineSession.objects.filter(training_class=training_class).exists():
        today = timezone.localdate()
        offline_session_record(
            training_class=training_class,
            source=LedgerSource.OFFLINE_LECTURE,
            occurred_on=max(training_class.start_date or today, today - timedelta(days=3)),
            topic="开班式暨第一讲：党的性质和宗旨（演示）",
            location="党校报告厅",
            days=Decimal("1"),
            trainee_ids=[profile.pk],
            recorded_by=trainer,
        )
    demo_leave_ensure(training_class=training_class, candidate=profile, trainer=trainer)


def demo_leave_ensure(*, training_class: TrainingClass, candidate, trainer) -> None:
    """请假 to try (once: nothing happens when the class already has a leave, withdrawn or not).

    The class's 可请假学时比例 becomes 25 % (6 of its 24 学时) if it was 0. Three more sessions:
    a 集中授课 day (8 学时) and a 分组讨论 (2) that 刘思远 and her classmate 吕九州 attend, and a
    实践教学 (6) that only 吕九州 attends — 刘思远 is on 请假. She has then earned 8 + 8 + 2 = 18,
    and with the 6 excused the report shows 学时已修满 (18 + 请假 6 / 24); without the allowance
    she would be 6 short, so her certificate depends on it. 吕九州 has 16 (学习中).
    """
    if OfflineLeave.objects.filter(session__training_class=training_class).exists():
        return
    classmate = training_class.trainees.filter(student_no__in=list(DEMO_ROSTER_TRAINEES)).first()
    today = timezone.localdate()
    start, end = training_class.start_date, training_class.end_date
    if classmate is None or (start and start > today - timedelta(days=2)) or (end and end < today):
        return  # no classmate, or the class is not running (a demo loaded in another term)
    if not training_class.leave_allowance_percent:
        training_class.leave_allowance_percent = DEMO_LEAVE_ALLOWANCE_PERCENT
        training_class.save(update_fields=["leave_allowance_percent"])
    both = [candidate.pk, classmate.pk]
    offline_session_record(
        training_class=training_class,
        source=LedgerSource.OFFLINE_LECTURE,
        occurred_on=today - timedelta(days=2),
        topic="第二讲：党员的权利和义务（演示）",
        location="党校报告厅",
        days=Decimal("1"),
        trainee_ids=both,
        recorded_by=trainer,
    )
    offline_session_record(
        training_class=training_class,
        source=LedgerSource.OFFLINE_DISCUSSION,
        occurred_on=today - timedelta(days=2),
        topic="学习党章分组讨论（演示）",
        location="党员活动室",
        amount=Decimal("2"),
        trainee_ids=both,
        recorded_by=trainer,
    )
    missed = offline_session_record(
        training_class=training_class,
        source=LedgerSource.OFFLINE_PRACTICE,
        occurred_on=today - timedelta(days=1),
        topic="参观校史馆与党史教育基地（演示）",
        location="校史馆",
        amount=Decimal("6"),
        trainee_ids=[classmate.pk],
        recorded_by=trainer,
    )
    offline_leave_record(
        session=missed, trainee_id=candidate.pk, reason=DEMO_LEAVE_REASON, recorded_by=trainer
    )
