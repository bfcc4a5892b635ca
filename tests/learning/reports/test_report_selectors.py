"""The class report selector: columns, status rules, filters, sorting, constant query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.classes.models import Enrolment
from learning.progress.models import HoursLedgerEntry, LedgerSource, LessonProgress
from learning.progress.selectors import class_earned_hours
from learning.reports.models import Certificate
from learning.reports.selectors import (
    ReportFilters,
    ReportStatus,
    class_report,
    class_report_stats,
    dashboard,
    iter_rows,
    my_class_standings,
    to_row,
)

pytestmark = pytest.mark.django_db


def rows(tc, **filters):
    return [to_row(v) for v in class_report(training_class=tc, filters=ReportFilters(**filters))]


def by_no(tc, **filters):
    return {r.student_no: r for r in rows(tc, **filters)}


def test_columns_hours_lessons_exam(report_factory, video_lesson, article_lesson):
    tc = report_factory.klass(required_hours="4")
    tc.required_lessons.add(video_lesson, article_lesson)
    a, b = report_factory.trainees(tc, 2)
    report_factory.hours(a, tc, "1.5")
    report_factory.hours(a, tc, "-0.5", source=LedgerSource.CORRECTION)
    # An online credit of a lesson the class requires counts without naming the class.
    HoursLedgerEntry.objects.create(
        user=a.user, source=LedgerSource.ONLINE_LESSON, amount=Decimal("0.5"), lesson=video_lesson
    )
    LessonProgress.objects.create(user=a.user, lesson=video_lesson, completed_at=timezone.now())
    LessonProgress.objects.create(user=a.user, lesson=article_lesson)
    quiz = report_factory.exam(tc)
    report_factory.attempt(quiz, a, 50, max_score=80)
    report_factory.attempt(quiz, a, 70, max_score=80)

    got = by_no(tc)
    row = got[a.student_no]
    assert (row.name, row.college, row.branch) == (a.name, "马克思主义学院", "教工党支部")
    assert row.stage_label == "入党积极分子"
    assert row.earned_hours == Decimal("1.50")
    assert row.earned_hours == class_earned_hours(training_class=tc, user=a.user)
    assert row.required_hours == Decimal("4.00")
    assert (row.lessons_completed, row.lessons_total) == (1, 2)
    assert row.exam_id == quiz.pk
    assert row.exam_score == Decimal("87.50") and row.exam_passed is True
    empty = got[b.student_no]
    assert empty.earned_hours == Decimal("0.00") and empty.lessons_completed == 0
    assert empty.exam_score is None and empty.exam_passed is None
    assert empty.status == ReportStatus.NOT_STARTED


def test_last_attempt_grading_counts_the_last(report_factory):
    tc = report_factory.klass()
    (a,) = report_factory.trainees(tc, 1)
    quiz = report_factory.exam(tc, grading_method="last")
    report_factory.attempt(quiz, a, 90)
    report_factory.attempt(quiz, a, 40)
    row = rows(tc)[0]
    assert row.exam_score == Decimal("40.00") and row.exam_passed is False


def _assert_trainees_see_what_the_report_says(tc, report_rows):
    """我的学习 and /api/v1/me/ read each trainee's standing through the report's own rules."""
    for row in report_rows.values():
        user = Enrolment.objects.get(pk=row.id).trainee.user
        (mine,) = [s for s in my_class_standings(user=user) if s.training_class == tc]
        assert (mine.status, mine.earned_hours, mine.certificate_no) == (
            row.status,
            row.earned_hours,
            row.certificate_no,
        )


def test_status_rules(report_factory, trainer):
    tc = report_factory.klass(required_hours="2")
    quiz = report_factory.exam(tc)
    fresh, learning, full, done, failed, certified, revoked = report_factory.trainees(tc, 7)
    report_factory.hours(learning, tc, 1)
    report_factory.hours(full, tc, 2)
    report_factory.hours(done, tc, 2)
    report_factory.attempt(quiz, done, 60)
    report_factory.hours(failed, tc, 2)
    report_factory.attempt(quiz, failed, 59)
    Certificate.objects.create(
        number="DK2026AAAAAAAAAA",
        trainee=certified,
        training_class=tc,
        trainee_name=certified.name,
        class_name=tc.name,
        earned_hours=0,
    )
    report_factory.hours(revoked, tc, 2)
    report_factory.attempt(quiz, revoked, 100)
    Certificate.objects.create(
        number="DK2026BBBBBBBBBB",
        trainee=revoked,
        training_class=tc,
        trainee_name=revoked.name,
        class_name=tc.name,
        earned_hours=2,
        revoked_at=timezone.now(),
        revoke_reason="考试作弊",
    )
    got = by_no(tc)
    _assert_trainees_see_what_the_report_says(tc, got)
    assert got[fresh.student_no].status == ReportStatus.NOT_STARTED
    assert got[learning.student_no].status == ReportStatus.IN_PROGRESS
    assert got[full.student_no].status == ReportStatus.HOURS_MET
    assert got[done.student_no].status == ReportStatus.COMPLETED
    assert got[done.student_no].qualifies
    assert got[failed.student_no].status == ReportStatus.FAILED
    assert got[certified.student_no].status == ReportStatus.COMPLETED
    assert got[certified.student_no].certificate_no == "DK2026AAAAAAAAAA"
    assert not got[certified.student_no].qualifies
    assert got[revoked.student_no].status == ReportStatus.FAILED
    assert got[revoked.student_no].certificate_no is None

    # Once the class has ended, whoever has not met the rules has not completed it (未结业);
    # 未通过 stays a final exam result.
    tc.end_date = timezone.localdate() - timedelta(days=1)
    tc.save()
    got = by_no(tc)
    _assert_trainees_see_what_the_report_says(tc, got)
    assert got[learning.student_no].status == ReportStatus.UNFINISHED
    assert got[full.student_no].status == ReportStatus.UNFINISHED
    assert got[failed.student_no].status == ReportStatus.FAILED
    assert got[done.student_no].status == ReportStatus.COMPLETED


def test_class_without_exam_completes_on_hours(report_factory):
    tc = report_factory.klass(required_hours="1")
    (a,) = report_factory.trainees(tc, 1)
    report_factory.hours(a, tc, 1)
    assert rows(tc)[0].status == ReportStatus.COMPLETED


def test_other_classes_hours_do_not_count(report_factory):
    tc, other = report_factory.klass(), report_factory.klass()
    (a,) = report_factory.trainees(tc, 1)
    Enrolment.objects.create(training_class=other, trainee=a)
    report_factory.hours(a, other, 5)
    assert rows(tc)[0].earned_hours == Decimal("0.00")
    assert rows(other)[0].earned_hours == Decimal("5.00")


def test_filters_search_and_sort(report_factory):
    tc = report_factory.klass(required_hours="3")
    north = report_factory.org(branch_name="一支部")
    south = report_factory.org(branch_name="二支部")
    n1, n2 = report_factory.trainees(tc, 2, branch=north)
    (s1,) = report_factory.trainees(tc, 1, branch=south, stage="candidate")
    report_factory.hours(n1, tc, 1)
    report_factory.hours(n2, tc, 3)
    report_factory.hours(s1, tc, 2)

    assert {r.student_no for r in rows(tc, branch=south.pk)} == {s1.student_no}
    assert {r.student_no for r in rows(tc, stage="candidate")} == {s1.student_no}
    assert {r.student_no for r in rows(tc, status="completed")} == {n2.student_no}
    assert {r.student_no for r in rows(tc, status="in_progress")} == {n1.student_no, s1.student_no}
    assert [r.student_no for r in rows(tc, q=n2.name)] == [n2.student_no]
    assert [r.student_no for r in rows(tc, q=s1.student_no[-4:])] == [s1.student_no]
    assert [r.student_no for r in rows(tc, sort="-earned")] == [
        n2.student_no,
        s1.student_no,
        n1.student_no,
    ]
    assert [r.student_no for r in rows(tc, sort="earned")] == [
        n1.student_no,
        s1.student_no,
        n2.student_no,
    ]
    # An unknown sort falls back to the student number.
    assert [r.student_no for r in rows(tc, sort="nonsense")] == sorted(
        [n1.student_no, n2.student_no, s1.student_no]
    )


def test_report_streams_rows(report_factory):
    tc = report_factory.klass()
    report_factory.trainees(tc, 3)
    streamed = list(iter_rows(class_report(training_class=tc), chunk_size=2))
    assert len(streamed) == 3


def _populate(report_factory, tc, quiz, lesson, count):
    for i, profile in enumerate(report_factory.trainees(tc, count)):
        report_factory.hours(profile, tc, i % 4)
        if i % 2:
            report_factory.attempt(quiz, profile, 40 + 10 * (i % 5))
        if i % 3 != 1:
            LessonProgress.objects.create(
                user=profile.user, lesson=lesson, completed_at=timezone.now()
            )


@pytest.mark.parametrize("size", [5, 40])
def test_report_query_count_is_constant(
    report_factory, video_lesson, size, django_assert_num_queries
):
    tc = report_factory.klass(required_hours="2")
    tc.required_lessons.add(video_lesson)
    quiz = report_factory.exam(tc)
    _populate(report_factory, tc, quiz, video_lesson, size)
    with django_assert_num_queries(1):
        got = [to_row(v) for v in class_report(training_class=tc)]
    assert len(got) == size
    assert {r.status for r in got} >= {"in_progress", "completed", "failed"}
    with django_assert_num_queries(2):
        stats = class_report_stats(training_class=tc)
    assert stats.total == size


def test_stats(report_factory):
    tc = report_factory.klass(required_hours="4")
    quiz = report_factory.exam(tc)
    a, b, c = report_factory.trainees(tc, 3)
    day = timezone.localdate() - timedelta(days=2)
    report_factory.hours(a, tc, 4, on=day)
    report_factory.hours(b, tc, 1, on=day)
    report_factory.hours(b, tc, "0.5", on=day + timedelta(days=1))
    report_factory.attempt(quiz, a, 95)
    report_factory.attempt(quiz, b, 35)
    stats = class_report_stats(training_class=tc)
    assert stats.total == 3
    assert {v: n for v, _label, n in stats.statuses} == {
        "not_started": 1,
        "in_progress": 0,
        "hours_met": 0,
        "retake": 0,
        "makeup": 0,
        "unfinished": 0,
        "completed": 1,
        "failed": 1,
    }
    assert dict(stats.hours_bins) == {
        "0": 1,
        "<25%": 0,
        "25–50%": 1,
        "50–75%": 0,
        "75–100%": 0,
        "≥100%": 1,
    }
    assert dict(stats.exam_bins)["30–39"] == 1 and dict(stats.exam_bins)["90–100"] == 1
    assert stats.daily == [(day, Decimal("5.00")), (day + timedelta(days=1), Decimal("0.50"))]
    assert stats.pass_rate == Decimal("50.0")
    assert stats.completion_rate == Decimal("33.3")


def test_dashboard_scoped_and_counted(report_factory, trainer, trainer2, django_assert_num_queries):
    mine = report_factory.klass(trainers=[trainer], required_hours="1")
    report_factory.klass(trainers=[trainer2])
    a, _b = report_factory.trainees(mine, 2)
    report_factory.hours(a, mine, 1)
    # Two for the user's permissions (view all classes?), one for classes, one for every row.
    with django_assert_num_queries(4):
        summaries = dashboard(user=trainer)
    assert [s.training_class for s in summaries] == [mine]
    assert summaries[0].trainees == 2 and summaries[0].completed == 1
    assert summaries[0].completion_rate == Decimal("50.0")
    assert summaries[0].pass_rate is None


def test_dashboard_agrees_with_class_report(report_factory, trainer, video_lesson):
    """The many-class SQL (correlated with each row's class) gives the same statuses."""
    tc = report_factory.klass(trainers=[trainer], required_hours="1")
    tc.required_lessons.add(video_lesson)
    quiz = report_factory.exam(tc)
    a, b, c = report_factory.trainees(tc, 3)
    HoursLedgerEntry.objects.create(
        user=a.user, source=LedgerSource.ONLINE_LESSON, amount=Decimal("1"), lesson=video_lesson
    )
    LessonProgress.objects.create(user=a.user, lesson=video_lesson, completed_at=timezone.now())
    report_factory.attempt(quiz, a, 80)
    report_factory.hours(b, tc, 1)
    report_factory.attempt(quiz, b, 20)
    LessonProgress.objects.create(user=c.user, lesson=video_lesson)
    expected = {r.status for r in rows(tc)}
    assert expected == {"completed", "failed", "in_progress"}
    (summary,) = dashboard(user=trainer)
    assert summary.statuses == {"completed": 1, "failed": 1, "in_progress": 1}
    assert (summary.examined, summary.passed) == (2, 1)


@pytest.mark.parametrize("sort", ["student_no", "-name", "earned", "-status"])
def test_page_matches_full_report(report_factory, sort, django_assert_max_num_queries):
    from learning.reports.selectors import class_report_page

    tc = report_factory.klass(required_hours="2")
    for i, profile in enumerate(report_factory.trainees(tc, 7)):
        report_factory.hours(profile, tc, i % 3)
    full = [r.student_no for r in rows(tc, sort=sort)]
    with django_assert_max_num_queries(3):
        page, got = class_report_page(
            training_class=tc, filters=ReportFilters(sort=sort), number=2, per_page=3
        )
    assert [r.student_no for r in got] == full[3:6]
    assert page.paginator.count == 7 and page.number == 2
    _page, filtered = class_report_page(
        training_class=tc, filters=ReportFilters(sort=sort, status="completed"), number=1
    )
    assert {r.student_no for r in filtered} == {r.student_no for r in rows(tc, status="completed")}
