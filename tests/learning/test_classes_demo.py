"""demo_classes_ensure: two demo classes trained by `trainer` only, idempotent; then
demo_progress_ensure records one offline session in the 发展对象 class."""

from decimal import Decimal

import pytest

from cms.demo import demo_accounts_ensure
from learning.classes.demo import demo_classes_ensure
from learning.classes.models import Enrolment, OfflineSession, TrainingClass
from learning.classes.selectors import classes_for_trainer
from learning.progress.demo import demo_progress_ensure
from learning.progress.models import HoursLedgerEntry

pytestmark = pytest.mark.django_db


def test_demo_classes(video_lesson, article_lesson):
    users = demo_accounts_ensure()
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
    assert Enrolment.objects.get(training_class=candidate_class).trainee.user == users["candidate"]
    assert users["candidate"].trainee_profile.stage == "candidate"
    assert classes_for_trainer(user=users["trainer"]).count() == 2
    assert classes_for_trainer(user=users["trainer2"]).count() == 0
    # One recorded 集中培训 day (8 学时) in the 发展对象 class, once however often the demo loads.
    demo_progress_ensure()
    demo_progress_ensure()
    (session,) = OfflineSession.objects.all()
    assert session.training_class == candidate_class and session.recorded_by == users["trainer"]
    entry = HoursLedgerEntry.objects.get(reference=f"offline-session:{session.pk}")
    assert entry.user == users["candidate"] and entry.amount == Decimal("8.00")
