"""Issue 14, exams and results: the class names its 结业考试, a 补考 is linked to it, the class's
及格分 decides, one percentage function, and the statuses 待重考 / 待补考 / 未结业 / 未通过."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.classes.admin_forms import TrainingClassForm
from learning.quizzes import services
from learning.quizzes.admin_forms import QuizForm
from learning.quizzes.exceptions import NotAllowed
from learning.quizzes.models import Attempt, Quiz, QuizKind
from learning.quizzes.scoring import pass_mark_for, percent
from learning.quizzes.viewsets import quiz_viewset
from learning.reports.class_report import report_row
from learning.reports.status import ReportStatus

pytestmark = pytest.mark.django_db


def row_of(tc, profile):
    return report_row(training_class=tc, trainee=profile)


# --- the 结业考试 is named, not guessed ----------------------------------------------------------


def test_a_makeup_or_another_exam_does_not_hide_those_who_passed(report_factory):
    tc = report_factory.klass(required_hours="1")
    passed, failed = report_factory.trainees(tc, 2)
    final = report_factory.exam(tc)
    for profile in (passed, failed):
        report_factory.hours(profile, tc, 1)
    report_factory.attempt(final, passed, 90)
    report_factory.attempt(final, failed, 30)
    # Created later: under the old "newest exam" rule it became the final exam and hid the pass.
    report_factory.exam(tc, makeup_of=final, title="补考")
    report_factory.exam(tc, title="期中测验")
    row = row_of(tc, passed)
    assert row.exam_id == final.pk and row.status == ReportStatus.COMPLETED
    assert row.exam_score == Decimal("90.00") and not row.exam_by_makeup


def test_a_pass_in_the_makeup_counts_and_the_report_says_so(report_factory):
    tc = report_factory.klass(required_hours="1")
    (a,) = report_factory.trainees(tc, 1)
    report_factory.hours(a, tc, 1)
    final = report_factory.exam(tc, attempts_allowed=1)
    makeup = report_factory.exam(tc, makeup_of=final, attempts_allowed=1)
    report_factory.attempt(final, a, 40)
    assert row_of(tc, a).status == ReportStatus.MAKEUP
    report_factory.attempt(makeup, a, 75)
    row = row_of(tc, a)
    assert row.status == ReportStatus.COMPLETED and row.exam_passed is True
    assert row.exam_by_makeup and row.exam_score == Decimal("75.00")
    assert row.makeup_id == makeup.pk


# --- status timing ------------------------------------------------------------------------------


def test_status_timing_retake_makeup_failed_unfinished(report_factory):
    tc = report_factory.klass(required_hours="1")
    retaker, makeup_taker, out, absent = report_factory.trainees(tc, 4)
    final = report_factory.exam(tc, attempts_allowed=2)
    makeup = report_factory.exam(tc, makeup_of=final, attempts_allowed=1)
    for profile in (retaker, makeup_taker, out):
        report_factory.hours(profile, tc, 1)
    # One failed attempt of two: 待重考, not 未通过.
    report_factory.attempt(final, retaker, 50)
    assert row_of(tc, retaker).status == ReportStatus.RETAKE
    # Both attempts failed, the 补考 is open: 待补考.
    report_factory.attempt(final, makeup_taker, 50)
    report_factory.attempt(final, makeup_taker, 55)
    assert row_of(tc, makeup_taker).status == ReportStatus.MAKEUP
    # The 补考 failed too, no attempt left: 未通过 is the final result.
    report_factory.attempt(final, out, 50)
    report_factory.attempt(final, out, 55)
    report_factory.attempt(makeup, out, 20)
    assert row_of(tc, out).status == ReportStatus.FAILED
    # The 结业考试 closed without an attempt: the 补考 is for those who missed it.
    Quiz.objects.filter(pk=final.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    assert row_of(tc, absent).status == ReportStatus.MAKEUP
    assert row_of(tc, retaker).status == ReportStatus.MAKEUP  # no retake once it closed
    # The class ended and the 补考 closed: short of the conditions is 未结业, not 未通过.
    Quiz.objects.filter(pk=makeup.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    tc.end_date = timezone.localdate() - timedelta(days=1)
    tc.save()
    assert row_of(tc, absent).status == ReportStatus.UNFINISHED
    assert row_of(tc, out).status == ReportStatus.FAILED


# --- who may sit the 补考 ------------------------------------------------------------------------


@pytest.fixture
def trainee(quiz_user_factory):
    return quiz_user_factory("mk_trainee")


@pytest.fixture
def klass(quiz_class_factory, trainee):
    return quiz_class_factory(trainees=[trainee])


def _sit(quiz, user, answer):
    attempt, _ = services.attempt_start(quiz=quiz, user=user)
    question = attempt.questions[0]
    services.attempt_answer_save(
        attempt_id=attempt.pk, user=user, question_id=question["id"], answer=answer
    )
    return services.attempt_submit(attempt_id=attempt.pk, user=user)


def test_the_makeup_is_open_only_to_those_who_failed_or_missed_the_final(
    quiz_exam_factory, klass, trainee, quiz_bank
):
    single = quiz_bank.questions.filter(type="single").first()
    final = quiz_exam_factory(klass, fixed=[single], shuffle_options=False, attempts_allowed=1)
    makeup = quiz_exam_factory(klass, fixed=[single], shuffle_options=False, makeup_of=final)
    assert final.is_final_exam and not makeup.is_final_exam
    with pytest.raises(NotAllowed, match="请先参加结业考试"):
        services.attempt_start(quiz=makeup, user=trainee)
    _sit(final, trainee, "A")  # wrong: failed, no attempt left
    attempt = _sit(makeup, trainee, "B")
    assert attempt.passed is True


def test_who_passed_the_final_may_not_sit_the_makeup(quiz_exam_factory, klass, trainee, quiz_bank):
    single = quiz_bank.questions.filter(type="single").first()
    final = quiz_exam_factory(klass, fixed=[single], shuffle_options=False, attempts_allowed=1)
    makeup = quiz_exam_factory(klass, fixed=[single], shuffle_options=False, makeup_of=final)
    _sit(final, trainee, "B")
    with pytest.raises(NotAllowed, match="无需补考"):
        services.attempt_start(quiz=makeup, user=trainee)


def test_who_missed_a_closed_final_may_sit_the_makeup(quiz_exam_factory, klass, trainee, quiz_bank):
    single = quiz_bank.questions.filter(type="single").first()
    final = quiz_exam_factory(klass, fixed=[single], closes_at=timezone.now() - timedelta(hours=1))
    makeup = quiz_exam_factory(klass, fixed=[single], shuffle_options=False, makeup_of=final)
    attempt, created = services.attempt_start(quiz=makeup, user=trainee)
    assert created and attempt.quiz_id == makeup.pk


# --- one pass mark, one percentage -------------------------------------------------------------


def test_the_class_pass_mark_decides_its_final_exam_and_makeup(
    quiz_exam_factory, klass, trainee, quiz_bank
):
    klass.pass_mark = Decimal("80")
    klass.save()
    single, other = quiz_bank.questions.filter(type="single")[:2]
    # The exam's own pass mark says 50; the class's 80 decides: 1 of 2 right (50 %) fails.
    final = quiz_exam_factory(
        klass, fixed=[single, other], shuffle_options=False, pass_mark=Decimal("50")
    )
    quiz = quiz_exam_factory(
        klass, fixed=[single, other], shuffle_options=False, pass_mark=Decimal("50")
    )
    assert pass_mark_for(final) == Decimal("80") and pass_mark_for(quiz) == Decimal("50")
    attempt = _sit(final, trainee, "B")
    assert attempt.percent == Decimal("50.00") and attempt.passed is False
    assert _sit(quiz, trainee, "B").passed is True  # not the final exam: its own mark


def test_changing_the_class_pass_mark_regrades_the_final_exam(
    quiz_exam_factory, klass, trainee, quiz_bank, quiz_user_factory
):
    single, other = quiz_bank.questions.filter(type="single")[:2]
    final = quiz_exam_factory(klass, fixed=[single, other], shuffle_options=False)
    attempt = _sit(final, trainee, "B")
    assert attempt.percent == Decimal("50.00") and attempt.passed is False  # class: 60
    staff = quiz_user_factory("mk_staff", is_superuser=True, is_staff=True)
    form = TrainingClassForm(
        instance=klass,
        for_user=staff,
        data={
            "name": klass.name,
            "intake": klass.intake,
            "audience_stage": klass.audience_stage,
            "required_hours": str(klass.required_hours),
            "pass_mark": "50",
            "trainees": [klass.trainees.get().pk],
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    attempt.refresh_from_db()
    final.refresh_from_db()
    assert attempt.passed is True and final.pass_mark == Decimal("50")


@pytest.mark.parametrize(
    ("score", "max_score", "expected"),
    [("2", "3", "66.67"), ("1", "3", "33.33"), ("70", "80", "87.50"), ("0", "7", "0.00")],
)
def test_one_percentage_everywhere(report_factory, score, max_score, expected):
    """Grading stores scoring.percent; the report reads the stored value (no SQL float)."""
    assert percent(Decimal(score), Decimal(max_score)) == Decimal(expected)
    tc = report_factory.klass()
    (a,) = report_factory.trainees(tc, 1)
    exam = report_factory.exam(tc)
    stored = report_factory.attempt(exam, a, score, max_score=max_score)
    assert Attempt.objects.get(pk=stored.pk).percent == Decimal(expected)
    assert row_of(tc, a).exam_score == Decimal(expected)


# --- the exam form ------------------------------------------------------------------------------


def _quiz_form(user, klass, **data):
    base = {
        "title": "结业考试",
        "kind": QuizKind.EXAM,
        "training_class": klass.pk,
        "attempts_allowed": "1",
        "grading_method": "highest",
        "pass_mark": "60",
        "review_after_submit": "score",
        "review_after_close": "explanations",
        "max_focus_losses": "0",
    }
    base.update(data)
    # The admin's form: built by the edit handler on QuizForm.
    form_class = quiz_viewset.get_edit_handler().get_form_class()
    assert issubclass(form_class, QuizForm)
    prefixes = {
        "draw_rules-TOTAL_FORMS": "0",
        "draw_rules-INITIAL_FORMS": "0",
        "fixed_questions-TOTAL_FORMS": "0",
        "fixed_questions-INITIAL_FORMS": "0",
    }
    return form_class(data={**base, **prefixes}, for_user=user, instance=Quiz())


def test_exam_form_one_final_exam_per_class_and_makeup_in_the_same_class(
    quiz_exam_factory, quiz_class_factory, quiz_user_factory
):
    staff = quiz_user_factory("mk_staff2", is_superuser=True, is_staff=True)
    klass, other = quiz_class_factory(), quiz_class_factory()
    klass.pass_mark = Decimal("80")
    klass.save()
    final = quiz_exam_factory(klass)
    elsewhere = quiz_exam_factory(other)
    form = _quiz_form(staff, klass, is_final_exam="on")
    assert not form.is_valid() and "已有结业考试" in str(form.errors["is_final_exam"])
    form = _quiz_form(staff, klass, makeup_of=elsewhere.pk)
    assert not form.is_valid() and "同一个培训班" in str(form.errors["makeup_of"])
    form = _quiz_form(staff, klass, makeup_of=final.pk, title="补考")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["pass_mark"] == Decimal("80")  # the class's, shown on the quiz
