"""The trainer's dashboard: a summary of each class they train."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from learning.classes.models import Enrolment, TrainingClass
from learning.classes.selectors import classes_for_trainer
from learning.reports.class_report import ReportFilters, apply_filters
from learning.reports.stats import rate_percent
from learning.reports.status import ReportStatus, annotate_report

# --- dashboard -----------------------------------------------------------------------------


@dataclass
class ClassSummary:
    training_class: TrainingClass
    trainees: int = 0
    completed: int = 0
    examined: int = 0
    passed: int = 0
    statuses: dict = field(default_factory=dict)

    @property
    def completion_rate(self) -> Decimal | None:
        return rate_percent(self.completed, self.trainees)

    @property
    def pass_rate(self) -> Decimal | None:
        return rate_percent(self.passed, self.examined)


def dashboard(*, user, filters: ReportFilters | None = None, today=None) -> list[ClassSummary]:
    """Every class the user may see with trainees, completion and pass rates (two queries)."""
    filters = filters or ReportFilters()
    classes = list(classes_for_trainer(user=user).order_by("-start_date", "-id"))
    if not classes:
        return []
    qs = annotate_report(
        Enrolment.objects.filter(training_class_id__in=[tc.pk for tc in classes]), today=today
    )
    qs = apply_filters(qs, filters).order_by()
    return class_summaries(
        classes, qs.values_list("training_class_id", "status", "exam_score", "exam_passed")
    )


def class_summaries(classes, standings) -> list[ClassSummary]:
    """Each class's summary from its enrolments' (class id, status, exam score, exam passed) as
    the status engine computed them; the dashboard and the trainer's landing page both use it."""
    summaries = {tc.pk: ClassSummary(training_class=tc) for tc in classes}
    counts: dict[int, Counter] = defaultdict(Counter)
    for class_id, status, score, passed in standings:
        summary = summaries[class_id]
        summary.trainees += 1
        counts[class_id][status] += 1
        if score is not None:
            summary.examined += 1
            summary.passed += 1 if passed else 0
    for class_id, summary in summaries.items():
        summary.completed = counts[class_id][ReportStatus.COMPLETED.value]
        summary.statuses = dict(counts[class_id])
    return list(summaries.values())
