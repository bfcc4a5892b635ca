"""Demo offline session: one recorded 集中培训 day in the demo 发展对象 class (once)."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.classes.demo import DEMO_CLASSES
from learning.classes.models import OfflineSession, TraineeStage, TrainingClass
from learning.progress.models import LedgerSource
from learning.progress.offline_sessions import offline_session_record


def demo_progress_ensure() -> None:
    """Give 记录线下培训 an example: the demo trainer records a day for the demo 发展对象
    (idempotent; nothing happens while the demo class, trainee or trainer is missing)."""
    name, username = DEMO_CLASSES[TraineeStage.CANDIDATE]
    training_class = TrainingClass.objects.filter(name=name).first()
    trainer = get_user_model().objects.filter(username="trainer").first()
    if training_class is None or trainer is None:
        return
    profile = training_class.trainees.filter(user__username=username).first()
    if profile is None or OfflineSession.objects.filter(training_class=training_class).exists():
        return
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
