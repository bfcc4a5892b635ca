"""The class report as trainers read it: filters, sorting, search, rows and pages, and which
class and trainee a user may open."""

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    F,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from learning.classes.membership import organisation_annotations, stage_label, with_organisation
from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from learning.classes.selectors import classes_for_trainer
from learning.reports.status import ReportStatus, as_hours, class_enrolments
from party.organisation.models import Unit
from party.organisation.selectors import in_college_q

# --- filters, sorting, search --------------------------------------------------------------


SORTS = {
    "student_no": "trainee__student_no",
    "name": "trainee__name",
    "college": "college_name",
    "branch": "branch_name",
    "stage": "trainee_stage",
    "earned": "earned_hours",
    "lessons": "lessons_completed",
    "exam": "exam_score",
    "status": "status",
    "certificate": "certificate_no",
}


@dataclass(frozen=True)
class ReportFilters:
    """What the trainer narrowed the report to; empty values mean "all". `branch` and `college`
    are Unit ids (the member's 党支部 and its 院系党委); the form also hands over the units."""

    branch: int | None = None
    college: int | None = None
    stage: str = ""
    status: str = ""
    q: str = ""
    sort: str = "student_no"
    branch_unit: Unit | None = field(default=None, compare=False, repr=False)
    college_unit: Unit | None = field(default=None, compare=False, repr=False)

    def as_params(self) -> dict:
        """The filters as the API echoes them (ids, not the units)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.compare}

    def describe(self, *, branch_name: str = "", college_name: str = "") -> list[tuple[str, str]]:
        """The filters applied, as (label, value) pairs for export title rows."""
        branch_name = branch_name or (self.branch_unit.name if self.branch_unit else "")
        college_name = college_name or (self.college_unit.name if self.college_unit else "")
        parts = []
        if self.college:
            parts.append((str(_("学院")), college_name or str(self.college)))
        if self.branch:
            parts.append((str(_("党支部")), branch_name or str(self.branch)))
        if self.stage:
            parts.append((str(_("发展阶段")), stage_label(self.stage)))
        if self.status:
            parts.append((str(_("状态")), str(dict(ReportStatus.choices).get(self.status, ""))))
        if self.q:
            parts.append((str(_("搜索")), self.q))
        return parts


def apply_filters(qs: QuerySet, filters: ReportFilters) -> QuerySet:
    if filters.branch:
        qs = qs.filter(trainee__member__unit_id=filters.branch)
    if filters.college:
        college = filters.college_unit or Unit.objects.filter(pk=filters.college).first()
        if college is None:
            return qs.none()
        qs = qs.filter(in_college_q(college, "trainee__member__unit__"))
    if filters.stage:
        qs = qs.filter(trainee_stage=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(
            Q(trainee__name__icontains=filters.q) | Q(trainee__student_no__icontains=filters.q)
        )
    return qs


def with_trainee_organisation(qs: QuerySet) -> QuerySet:
    """Enrolments with the trainee's 学院/党支部 from their member record (college_name,
    branch_name, branch_unit_id: membership.organisation_annotations), once."""
    missing = {
        key: value
        for key, value in organisation_annotations("trainee__").items()
        if key not in qs.query.annotations
    }
    return qs.annotate(**missing) if missing else qs


def apply_sort(qs: QuerySet, sort: str) -> QuerySet:
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), SORTS["student_no"])
    if column in ("college_name", "branch_name"):
        qs = with_trainee_organisation(qs)
    expression = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    # Student numbers are unique: a stable order, so paging never repeats or skips a row.
    return qs.order_by(expression, "trainee__student_no", "id")


# --- rows ----------------------------------------------------------------------------------

ROW_VALUES = {
    "id": "id",
    "training_class_id": "training_class_id",
    "trainee_id": "trainee_id",
    "user_id": "trainee__user_id",
    "name": "trainee__name",
    "student_no": "trainee__student_no",
    "college": "college_name",
    "branch": "branch_name",
    "branch_id": "branch_unit_id",
    "stage": "trainee_stage",
    "required_hours": "training_class__required_hours",
    "earned_hours": "earned_hours",
    "leave_hours": "leave_hours",
    "excused_hours": "excused_hours",
    "leave_allowance_percent": "training_class__leave_allowance_percent",
    "lessons_completed": "lessons_completed",
    "lessons_total": "lessons_total",
    "exam_id": "exam_id",
    "exam_score": "exam_score",
    "exam_passed": "exam_passed",
    "exam_by_makeup": "exam_by_makeup",
    "makeup_id": "makeup_id",
    "status": "status",
    "certificate_no": "certificate_no",
    "disqualified_reason": "disqualified_reason",
}


# The label of ReportStatus.COMPLETED once the certificate is issued (issue 14).
CERTIFIED_LABEL = _("已结业")

# The 结业 conditions a report row may lack, as the report names them.
MISSING_LABELS = {
    "hours": _("学时未修满"),
    # The trainee's 请假 would make up the 学时, but the class allows less (issue 14).
    "leave_allowance": _("请假超出本班可请假比例"),
    "lessons": _("必修课未完成"),
    "exam": _("结业考试未通过"),
}


@dataclass
class ReportRow:
    id: int  # the enrolment
    training_class_id: int
    trainee_id: int
    user_id: int
    name: str
    student_no: str
    college: str  # the 院系党委 of the member's unit (membership.organisation_annotations)
    branch: str  # the member's unit
    branch_id: int | None  # that unit (None for a trainee not linked to a member yet)
    stage: str
    required_hours: Decimal
    earned_hours: Decimal
    lessons_completed: int
    lessons_total: int
    exam_id: int | None
    exam_score: Decimal | None
    exam_passed: bool | None
    exam_by_makeup: bool
    makeup_id: int | None
    status: str
    certificate_no: str | None
    disqualified_reason: str | None = None
    class_name: str = ""
    # 学时 of offline sessions missed with recorded 请假, and what of it the class counts
    # (status.annotate_report: at most leave_allowance_percent of the required 学时).
    leave_hours: Decimal = Decimal("0")
    excused_hours: Decimal = Decimal("0")
    leave_allowance_percent: Decimal = Decimal("0")

    @property
    def counted_hours(self) -> Decimal:
        """学时 that count toward 结业: earned plus excused 请假 (ReportStatus rule 1)."""
        return self.earned_hours + self.excused_hours

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)

    @property
    def status_label(self) -> str:
        """已结业 only with a certificate; before it the same status reads 已达结业条件."""
        if self.status == ReportStatus.COMPLETED and self.certificate_no:
            return str(CERTIFIED_LABEL)
        return str(ReportStatus(self.status).label)

    @property
    def missing(self) -> list[str]:
        """Which 结业 conditions are not met (ReportStatus rule 1): "hours", "leave_allowance"
        (with all their 请假 the 学时 would be met: the class's allowance is what is short),
        "lessons", "exam"."""
        if self.status == ReportStatus.COMPLETED:
            return []
        gaps = []
        if self.counted_hours < self.required_hours:
            gaps.append("hours")
            if self.earned_hours + self.leave_hours >= self.required_hours:
                gaps.append("leave_allowance")
        if self.lessons_completed < self.lessons_total:
            gaps.append("lessons")
        if self.exam_id and not self.exam_passed:
            gaps.append("exam")
        return gaps

    @property
    def missing_labels(self) -> list[str]:
        return [str(MISSING_LABELS[key]) for key in self.missing]

    @property
    def qualifies(self) -> bool:
        """Meets the certificate rules and holds no certificate yet."""
        return self.status == ReportStatus.COMPLETED and not self.certificate_no

    @property
    def percent(self) -> int:
        if not self.required_hours:
            return 100
        return min(100, int(self.counted_hours * 100 / self.required_hours))


def to_row(values: dict) -> ReportRow:
    values = dict(values)
    values["earned_hours"] = as_hours(values["earned_hours"])
    values["required_hours"] = as_hours(values["required_hours"])
    for key in ("leave_hours", "excused_hours", "leave_allowance_percent"):
        if key in values:
            values[key] = as_hours(values[key])
    if values["exam_score"] is not None:
        values["exam_score"] = as_hours(values["exam_score"])
    if values["exam_passed"] is not None:
        values["exam_passed"] = bool(values["exam_passed"])
    return ReportRow(**values)


def class_report(
    *, training_class: TrainingClass, filters: ReportFilters | None = None, today=None
) -> QuerySet:
    """The class report as a queryset of row dicts (map them with `to_row`): filtered and sorted."""
    filters = filters or ReportFilters()
    qs = class_enrolments(training_class, today=today)
    qs = apply_sort(apply_filters(qs, filters), filters.sort)
    return row_values(qs)


def row_values(qs: QuerySet) -> QuerySet:
    """Row dicts keyed like ReportRow: annotations as they are, related columns renamed."""
    same = [key for key, path in ROW_VALUES.items() if key == path]
    renamed = {key: F(path) for key, path in ROW_VALUES.items() if key != path}
    return with_trainee_organisation(qs).values(*same, **renamed)


# Sorting by these needs the per-row subqueries; the others sort on plain columns.
COMPUTED_SORTS = {"earned", "lessons", "exam", "status", "certificate"}


def class_report_page(
    *,
    training_class: TrainingClass,
    filters: ReportFilters,
    number,
    per_page: int = 50,
    today=None,
) -> tuple[Page, list[ReportRow]]:
    """One page of the class report (three queries at any class size).

    When neither the sort nor the filters need computed columns, the page's enrolments are
    chosen on plain columns first and only those rows get the per-row subqueries; otherwise the
    database computes every row to sort or filter them.
    """
    if filters.status or filters.sort.lstrip("-") in COMPUTED_SORTS:
        paginator = Paginator(
            class_report(training_class=training_class, filters=filters, today=today), per_page
        )
        page = paginator.get_page(number)
        return page, [to_row(values) for values in page.object_list]
    plain = apply_sort(
        apply_filters(Enrolment.objects.filter(training_class=training_class), filters),
        filters.sort,
    )
    page = Paginator(plain.values_list("id", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    computed = row_values(class_enrolments(training_class, today=today).filter(id__in=ids))
    by_id = {values["id"]: to_row(values) for values in computed}
    return page, [by_id[pk] for pk in ids if pk in by_id]


def iter_rows(qs: QuerySet, *, chunk_size: int = 2000):
    """Stream ReportRows from a class_report queryset without holding them all in memory."""
    for values in qs.iterator(chunk_size=chunk_size):
        yield to_row(values)


def report_row(*, training_class: TrainingClass, trainee: TraineeProfile) -> ReportRow | None:
    """One trainee's row of the class report (None when not enrolled)."""
    values = row_values(class_enrolments(training_class, trainee=trainee)).first()
    return to_row(values) if values else None


# --- scoping and the trainee record --------------------------------------------------------


def class_for_user(*, user, class_id) -> TrainingClass | None:
    """The class if the user trains it (or sees all classes); None otherwise (→ 404)."""
    try:
        class_id = int(class_id)
    except (TypeError, ValueError):
        return None
    return classes_for_trainer(user=user).filter(pk=class_id).first()


def trainee_in_class(*, training_class: TrainingClass, trainee_id) -> TraineeProfile | None:
    try:
        trainee_id = int(trainee_id)
    except (TypeError, ValueError):
        return None
    return (
        with_organisation(
            TraineeProfile.objects.filter(pk=trainee_id, enrolments__training_class=training_class)
        )
        .select_related("user")
        .first()
    )
