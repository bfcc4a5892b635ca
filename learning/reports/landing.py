"""The trainer's landing page (issue 21): the panels of the Wagtail dashboard — my classes, who is
behind, 简答 waiting for a grade, certificates to issue, exams and offline sessions. Every figure
is read through the selectors and rules of the page where the trainer acts: classes_for_trainer
for scope, the report's status engine for standing, the certificate page's preview for who
qualifies, the grading queue for 简答. A fixed number of queries however many classes."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from learning.classes.models import Enrolment, OfflineSession, TrainingClass
from learning.classes.selectors import classes_for_trainer
from learning.quizzes.models import Attempt, Quiz, QuizKind
from learning.quizzes.selectors import grading_queue
from learning.reports.class_report import ReportRow, row_values, to_row
from learning.reports.dashboard import ClassSummary, class_summaries
from learning.reports.services import issue_preview_of
from learning.reports.status import ReportStatus, annotate_report

# Standings that mean "behind": 学时 not yet met (未开始, 学习中 — the engine says 学时已修满
# first when they are), or the 结业考试 failed with another try open (待重考, 待补考).
BEHIND_STATUSES = (
    ReportStatus.NOT_STARTED.value,
    ReportStatus.IN_PROGRESS.value,
    ReportStatus.RETAKE.value,
    ReportStatus.MAKEUP.value,
)
LIST_LIMIT = 10
SOON_LIMIT = 5

GRADE_PERMISSION = "quizzes.change_attemptanswer"
ISSUE_PERMISSION = "reports.issue_certificate"


@dataclass
class QuizToGrade:
    quiz_id: int
    title: str
    class_name: str
    waiting: int
    oldest: object


@dataclass
class ClassToIssue:
    training_class: TrainingClass
    count: int


@dataclass
class TrainerLanding:
    classes: list[ClassSummary]
    behind: list[ReportRow] = field(default_factory=list)
    behind_total: int = 0
    to_grade: list[QuizToGrade] = field(default_factory=list)
    to_grade_total: int = 0
    may_grade: bool = False
    to_issue: list[ClassToIssue] = field(default_factory=list)
    may_issue: bool = False
    exams: list[Quiz] = field(default_factory=list)
    sessions: list[OfflineSession] = field(default_factory=list)

    @property
    def class_names(self) -> dict[int, str]:
        return {s.training_class.pk: str(s.training_class) for s in self.classes}


def _behind(rows: list[ReportRow], classes: dict[int, TrainingClass], today: date) -> list:
    """Rows short of 学时 or waiting for a retake, in classes that have begun and not ended;
    least progress first."""
    found = []
    for row in rows:
        tc = classes[row.training_class_id]
        if row.status not in BEHIND_STATUSES:
            continue
        if (tc.start_date and tc.start_date > today) or (tc.end_date and tc.end_date < today):
            continue
        found.append(row)
    return sorted(found, key=lambda r: (r.percent, r.student_no))


def trainer_landing(*, user, today: date | None = None, now=None) -> TrainerLanding | None:
    """What the landing page shows this user; None when they train no class."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    classes = list(classes_for_trainer(user=user).order_by("-start_date", "-id"))
    if not classes:
        return None
    by_id = {tc.pk: tc for tc in classes}
    rows = [
        to_row(values)
        for values in row_values(
            annotate_report(
                Enrolment.objects.filter(training_class_id__in=list(by_id)), today=today, now=now
            ).order_by("training_class_id", "trainee__student_no")
        )
    ]
    landing = TrainerLanding(
        classes=class_summaries(
            classes, ((r.training_class_id, r.status, r.exam_score, r.exam_passed) for r in rows)
        )
    )
    for row in rows:
        row.class_name = str(by_id[row.training_class_id])
    behind = _behind(rows, by_id, today)
    landing.behind, landing.behind_total = behind[:LIST_LIMIT], len(behind)

    landing.may_issue = user.has_perm(ISSUE_PERMISSION)
    if landing.may_issue:
        per_class = defaultdict(list)
        for row in rows:
            per_class[row.training_class_id].append(row)
        for tc in classes:
            count = len(issue_preview_of(per_class[tc.pk]).to_issue)
            if count:
                landing.to_issue.append(ClassToIssue(training_class=tc, count=count))

    landing.may_grade = user.has_perm(GRADE_PERMISSION)
    if landing.may_grade:
        waiting = (
            Attempt.objects.filter(pk__in=grading_queue(user=user).values("pk"))
            .values("quiz_id", "quiz__title", "quiz__training_class__name")
            .annotate(waiting=Count("pk"), oldest=Min("submitted_at"))
            .order_by("oldest", "quiz_id")
        )
        landing.to_grade = [
            QuizToGrade(
                quiz_id=item["quiz_id"],
                title=item["quiz__title"],
                class_name=item["quiz__training_class__name"] or "",
                waiting=item["waiting"],
                oldest=item["oldest"],
            )
            for item in waiting
        ]
        landing.to_grade_total = sum(item.waiting for item in landing.to_grade)

    landing.exams = list(
        Quiz.objects.filter(kind=QuizKind.EXAM, training_class_id__in=list(by_id))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .select_related("training_class")
        .order_by(F("closes_at").asc(nulls_last=True), "opens_at", "id")[:SOON_LIMIT]
    )
    landing.sessions = list(
        OfflineSession.objects.filter(training_class_id__in=list(by_id))
        .select_related("training_class")
        .order_by("-occurred_on", "-id")[:SOON_LIMIT]
    )
    return landing
