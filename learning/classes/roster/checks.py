"""Checks of a read roster against the trainees and the class: whom the importer may update, and
whom the class's audience takes. Each returns the rows' errors (the plan reports them all)."""

from django.utils.translation import gettext as _

from learning.classes.membership import AUDIENCE_SOURCE, AUDIENCE_STAGES, stage_label
from learning.classes.models import Enrolment, TraineeProfile
from learning.classes.roster.reading import RosterRow, RowError
from learning.classes.selectors import trainees_for_trainer


def check_trainee_scope(rows: list[RosterRow], *, by) -> list[RowError]:
    """A row may create a trainee, or update one the importing user may manage (the same selector
    as the trainee admin: trainees of their classes or in no class yet); any other existing 学号
    is that row's error. `by=None` is the command line (unscoped)."""
    if by is None:
        return []
    numbers = [r.student_no for r in rows]
    existing = set(
        TraineeProfile.objects.filter(student_no__in=numbers).values_list("student_no", flat=True)
    )
    allowed = set(
        trainees_for_trainer(user=by)
        .filter(student_no__in=existing)
        .values_list("student_no", flat=True)
    )
    return [
        RowError(
            r.row,
            "学号/工号",
            _("学号 %(no)s 属于其他培训班，无权修改") % {"no": r.student_no},
        )
        for r in rows
        if r.student_no in existing and r.student_no not in allowed
    ]


def check_audience(rows: list[RosterRow], training_class) -> list[RowError]:
    """Rows to be enrolled in a class whose audience does not take their stage are row errors
    (membership.AUDIENCE_STAGES); staff who must enrol someone else do it in the class form, with
    a reason. Trainees already in the class are left as they are. A row's stage is its person's
    documented one (units.rows_check_records refuses any other)."""
    if training_class is None:
        return []
    accepted = AUDIENCE_STAGES.get(training_class.audience_stage)
    if accepted is None:
        return []
    enrolled = set(
        Enrolment.objects.filter(
            training_class=training_class, trainee__student_no__in=[r.student_no for r in rows]
        ).values_list("trainee__student_no", flat=True)
    )
    return [
        RowError(
            r.row,
            "发展阶段",
            _("%(audience)s培训班只编入发展阶段为%(audience)s的学员（%(source)s）。")
            % {"audience": stage_label(training_class.audience_stage), "source": AUDIENCE_SOURCE},
        )
        for r in rows
        if r.stage not in accepted and r.student_no not in enrolled
    ]
