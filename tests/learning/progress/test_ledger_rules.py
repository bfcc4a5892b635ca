"""The 学时 ledger: append-only, corrections as new entries, offline and exam credits, class sums."""

from decimal import Decimal

import pytest

from learning.classes.models import TrainingClass
from learning.progress.exceptions import InvalidRecord
from learning.progress.models import HoursLedgerEntry, ImmutableLedgerError, LedgerSource
from learning.progress.selectors import class_earned_hours, hours_ledger
from learning.progress.services import (
    ledger_correction_add,
    ledger_exam_credit_add,
    ledger_offline_add,
)

pytestmark = pytest.mark.django_db


def offline(trainee, training_class, trainer, **kw):
    kw.setdefault("source", LedgerSource.OFFLINE_LECTURE)
    kw.setdefault("note", "集中培训：党章学习")
    return ledger_offline_add(user=trainee, training_class=training_class, granted_by=trainer, **kw)


def online(user, lesson, amount="0.50"):
    return HoursLedgerEntry.objects.create(
        user=user, source=LedgerSource.ONLINE_LESSON, amount=Decimal(amount), lesson=lesson
    )


def test_entries_cannot_be_edited(trainee, training_class, trainer):
    entry = offline(trainee, training_class, trainer, amount=Decimal("4"))
    entry.amount = Decimal("40")
    with pytest.raises(ImmutableLedgerError):
        entry.save()
    assert HoursLedgerEntry.objects.get(pk=entry.pk).amount == Decimal("4.00")


def test_entries_cannot_be_deleted(trainee, training_class, trainer):
    entry = offline(trainee, training_class, trainer, amount=Decimal("4"))
    with pytest.raises(ImmutableLedgerError):
        entry.delete()
    with pytest.raises(ImmutableLedgerError):
        HoursLedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ImmutableLedgerError):
        HoursLedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("9"))
    assert HoursLedgerEntry.objects.filter(pk=entry.pk).exists()


def test_a_day_counts_eight_class_hours(trainee, training_class, trainer):
    entry = offline(trainee, training_class, trainer, days=Decimal("1.5"))
    assert entry.amount == Decimal("12.00")
    assert entry.granted_by == trainer


def test_offline_sources_only(trainee, training_class, trainer):
    with pytest.raises(InvalidRecord):
        offline(trainee, training_class, trainer, amount=Decimal("2"), source="exam")


def test_offline_needs_a_note_and_positive_amount(trainee, training_class, trainer):
    with pytest.raises(InvalidRecord):
        offline(trainee, training_class, trainer, amount=Decimal("2"), note=" ")
    with pytest.raises(InvalidRecord):
        offline(trainee, training_class, trainer, amount=Decimal("0"))


def test_offline_only_for_enrolled_trainees(other_trainee, training_class, trainer):
    with pytest.raises(InvalidRecord):
        offline(other_trainee, training_class, trainer, amount=Decimal("2"))


def test_correction_is_a_new_entry_that_references_the_old(trainee, training_class, trainer):
    entry = offline(trainee, training_class, trainer, amount=Decimal("8"))
    fix = ledger_correction_add(entry=entry, amount=Decimal("-4"), granted_by=trainer, note="半天")
    assert fix.corrects == entry and fix.source == LedgerSource.CORRECTION
    assert fix.training_class == training_class
    assert HoursLedgerEntry.objects.get(pk=entry.pk).amount == Decimal("8.00")
    assert class_earned_hours(training_class=training_class, user=trainee) == Decimal("4.00")
    assert [e.pk for e in hours_ledger(user=trainee)] == [fix.pk, entry.pk]


def test_correction_cannot_take_an_entry_below_zero(trainee, training_class, trainer):
    entry = offline(trainee, training_class, trainer, amount=Decimal("2"))
    ledger_correction_add(entry=entry, amount=Decimal("-1.5"), granted_by=trainer, note="a")
    with pytest.raises(InvalidRecord):
        ledger_correction_add(entry=entry, amount=Decimal("-1"), granted_by=trainer, note="b")


def test_correction_needs_a_reason_and_targets_an_original(trainee, training_class, trainer):
    entry = offline(trainee, training_class, trainer, amount=Decimal("2"))
    with pytest.raises(InvalidRecord):
        ledger_correction_add(entry=entry, amount=Decimal("1"), granted_by=trainer, note="")
    fix = ledger_correction_add(entry=entry, amount=Decimal("1"), granted_by=trainer, note="x")
    with pytest.raises(InvalidRecord):
        ledger_correction_add(entry=fix, amount=Decimal("1"), granted_by=trainer, note="y")


def test_exam_credit_is_added_once(trainee, training_class):
    first = ledger_exam_credit_add(
        user=trainee, training_class=training_class, amount=Decimal("0.5"), reference="attempt:1"
    )
    again = ledger_exam_credit_add(
        user=trainee, training_class=training_class, amount=Decimal("0.5"), reference="attempt:2"
    )
    assert first.pk == again.pk
    assert first.granted_by is None and first.reference == "attempt:1"
    assert class_earned_hours(training_class=training_class, user=trainee) == Decimal("0.50")


def test_online_lesson_cannot_be_credited_twice(trainee, video_lesson):
    from django.db import IntegrityError, transaction

    online(trainee, video_lesson)
    with pytest.raises(IntegrityError), transaction.atomic():
        online(trainee, video_lesson)


def test_class_hours_count_required_lessons_and_own_entries_only(
    trainee, training_class, trainer, video_lesson, article_lesson, course
):
    from cms.pages.models import ArticleLessonPage

    extra = ArticleLessonPage(
        title="选修", slug="extra", class_hours=Decimal("1"), min_reading_seconds=1800
    )
    course.add_child(instance=extra)
    other_class = TrainingClass.objects.create(name="另一个班")
    other_class.required_lessons.add(extra)
    from learning.classes.models import Enrolment

    Enrolment.objects.create(training_class=other_class, trainee=trainee.trainee_profile)

    online(trainee, video_lesson, "0.50")
    online(trainee, article_lesson, "0.25")
    online(trainee, extra, "1.00")  # required by the other class only
    offline(trainee, training_class, trainer, amount=Decimal("8"))
    offline(trainee, other_class, trainer, amount=Decimal("3"))

    assert class_earned_hours(training_class=training_class, user=trainee) == Decimal("8.75")
    assert class_earned_hours(training_class=other_class, user=trainee) == Decimal("4.00")
