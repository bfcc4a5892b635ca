"""Statistics of a class report for its charts: status counts, pass rate, 学时 per day."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate

from learning.classes.models import Enrolment, TrainingClass
from learning.progress.models import HoursLedgerEntry
from learning.progress.selectors import class_ledger_q
from learning.reports.class_report import ReportFilters, apply_filters
from learning.reports.status import ReportStatus, as_hours, class_enrolments

# --- charts --------------------------------------------------------------------------------


@dataclass
class ReportStats:
    total: int = 0
    statuses: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)
    hours_bins: list[tuple[str, int]] = field(default_factory=list)
    exam_bins: list[tuple[str, int]] = field(default_factory=list)
    examined: int = 0
    passed: int = 0
    qualifying: int = 0  # meet the certificate rules and hold none yet
    daily: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def completion_rate(self) -> Decimal | None:
        done = next((n for v, _label, n in self.statuses if v == ReportStatus.COMPLETED), 0)
        return rate_percent(done, self.total)

    @property
    def pass_rate(self) -> Decimal | None:
        return rate_percent(self.passed, self.examined)


def rate_percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def class_report_stats(
    *, training_class: TrainingClass, filters: ReportFilters | None = None, today=None
) -> ReportStats:
    """Status breakdown, 学时 and exam score distributions, daily credited 学时 (two queries)."""
    filters = filters or ReportFilters()
    qs = apply_filters(class_enrolments(training_class, today=today), filters).order_by()
    stats = ReportStats()
    status_counts: Counter = Counter()
    required = training_class.required_hours or Decimal("0")
    # Five 学时 bins relative to the requirement: 0, <50%, 50–99%, ≥100%… as share of required.
    hour_labels = ["0", "<25%", "25–50%", "50–75%", "75–100%", "≥100%"]
    hour_counts = [0] * len(hour_labels)
    exam_counts = [0] * 10
    for status, earned, score, passed, certificate_no in qs.values_list(
        "status", "earned_hours", "exam_score", "exam_passed", "certificate_no"
    ):
        stats.total += 1
        status_counts[status] += 1
        if status == ReportStatus.COMPLETED and not certificate_no:
            stats.qualifying += 1
        earned = Decimal(earned or 0)
        if earned <= 0:
            hour_counts[0] += 1
        elif not required or earned >= required:
            hour_counts[5] += 1
        else:
            hour_counts[1 + min(3, int(earned * 4 / required))] += 1
        if score is not None:
            stats.examined += 1
            stats.passed += 1 if passed else 0
            exam_counts[min(9, max(0, int(as_hours(score) // 10)))] += 1
    stats.statuses = [(s.value, str(s.label), status_counts[s.value]) for s in ReportStatus]
    stats.hours_bins = list(zip(hour_labels, hour_counts, strict=True))
    stats.exam_bins = [
        (f"{i * 10}–{i * 10 + 9 if i < 9 else 100}", n) for i, n in enumerate(exam_counts)
    ]
    stats.daily = daily_class_hours(
        training_class=training_class, user_ids=qs.values("trainee__user_id")
    )
    return stats


def daily_class_hours(
    *, training_class: TrainingClass, user_ids=None
) -> list[tuple[date, Decimal]]:
    """学时 credited towards the class per day (the study date, else the day it was recorded)."""
    qs = HoursLedgerEntry.objects.filter(class_ledger_q(training_class=training_class))
    if user_ids is None:
        user_ids = Enrolment.objects.filter(training_class=training_class).values(
            "trainee__user_id"
        )
    qs = qs.filter(user_id__in=user_ids)
    rows = (
        qs.annotate(day=Coalesce("occurred_on", TruncDate("created_at")))
        .order_by()
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by("day")
    )
    return [(row["day"], as_hours(row["total"])) for row in rows if row["day"] is not None]
