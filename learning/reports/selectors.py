"""Reads of learning.reports, in one place for callers (views, API, exports, PDFs, tests).

They live by what they do:
- status.py: the status engine, the class report as one annotated SQL query;
- class_report.py: filters, sorting, rows and pages of the report; which class a user may open;
- stats.py: statistics of a report for its charts (charts.py draws them);
- dashboard.py: the trainer's summary of each class;
- trainee_record.py: a trainee's record (学习档案), certificates, and own standing (我的学习).
"""

from learning.reports.class_report import (
    COMPUTED_SORTS,
    ROW_VALUES,
    SORTS,
    ReportFilters,
    ReportRow,
    apply_filters,
    apply_sort,
    class_for_user,
    class_report,
    class_report_page,
    iter_rows,
    report_row,
    row_values,
    to_row,
    trainee_in_class,
)
from learning.reports.dashboard import (
    ClassSummary,
    dashboard,
)
from learning.reports.stats import (
    ReportStats,
    class_report_stats,
    daily_class_hours,
    rate_percent,
)
from learning.reports.status import (
    HOURS,
    TWO,
    ReportStatus,
    annotate_report,
    as_hours,
    class_enrolments,
    status_expression,
)
from learning.reports.trainee_record import (
    CompletionSteps,
    LessonLine,
    MyClassStanding,
    MyLearning,
    TraineeRecord,
    completion_steps,
    disqualifications,
    my_certificates,
    my_class_standings,
    my_learning,
    trainee_record,
)

__all__ = [
    "CompletionSteps",
    "completion_steps",
    "COMPUTED_SORTS",
    "ClassSummary",
    "HOURS",
    "LessonLine",
    "MyClassStanding",
    "MyLearning",
    "ROW_VALUES",
    "ReportFilters",
    "ReportRow",
    "ReportStats",
    "ReportStatus",
    "SORTS",
    "TWO",
    "TraineeRecord",
    "annotate_report",
    "apply_filters",
    "apply_sort",
    "as_hours",
    "class_enrolments",
    "class_for_user",
    "class_report",
    "class_report_page",
    "class_report_stats",
    "daily_class_hours",
    "dashboard",
    "disqualifications",
    "iter_rows",
    "my_certificates",
    "my_class_standings",
    "my_learning",
    "rate_percent",
    "report_row",
    "row_values",
    "status_expression",
    "to_row",
    "trainee_in_class",
    "trainee_record",
]
