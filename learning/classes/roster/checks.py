"""Checks of a read roster against the database: the importer's scope, the documented history,
the class audience. Each raises RosterError naming the rows."""

from django.utils.translation import gettext as _

from learning.classes.membership import AUDIENCE_SOURCE, AUDIENCE_STAGES, stage_label
from learning.classes.models import Enrolment, TraineeProfile
from learning.classes.roster.reading import RosterError, RosterRow, RowError
from learning.classes.selectors import trainees_for_trainer
from party.members.models import Member, Stage
from party.members.selectors import with_current_stage


def _check_scope(rows: list[RosterRow], *, by) -> None:
    """A row may create a trainee, or update one the importing user may manage (the same selector
    as the trainee admin: trainees of their classes or in no class yet); any other existing 学号
    is that row's error, and nothing is imported. `by=None` is the command line (unscoped)."""
    if by is None:
        return

    numbers = [r.student_no for r in rows]
    existing = set(
        TraineeProfile.objects.filter(student_no__in=numbers).values_list("student_no", flat=True)
    )
    allowed = set(
        trainees_for_trainer(user=by)
        .filter(student_no__in=existing)
        .values_list("student_no", flat=True)
    )
    errors = [
        RowError(
            r.row,
            "学号/工号",
            _("学号 %(no)s 属于其他培训班，无权修改") % {"no": r.student_no},
        )
        for r in rows
        if r.student_no in existing and r.student_no not in allowed
    ]
    if errors:
        raise RosterError(errors)


def _check_history(rows: list[RosterRow]) -> None:
    """A trainee's stage is their documented history's (party.members): a row may not change it.
    A row whose stage differs from the current stage of the person's record is that row's error,
    and nothing is imported; stage changes are recorded on the timeline with the deciding body."""
    numbers = [r.student_no for r in rows]
    current = dict(
        with_current_stage(Member.objects.filter(student_no__in=numbers)).values_list(
            "student_no", "current_stage"
        )
    )
    current.update(
        with_current_stage(
            Member.objects.filter(trainee_profile__student_no__in=numbers)
        ).values_list("trainee_profile__student_no", "current_stage")
    )
    errors = [
        RowError(
            r.row,
            "发展阶段",
            _(
                "发展纪实中的当前阶段为“%(current)s”，与本行的“%(value)s”不一致。"
                "阶段变更须按支部委员会、支部大会的决定在发展纪实中记录；请改正本行。"
            )
            % {"current": Stage(current[r.student_no]).label, "value": r.stage_label},
        )
        for r in rows
        if current.get(r.student_no) and current[r.student_no] != r.stage
    ]
    if errors:
        raise RosterError(errors)


def _check_audience(rows: list[RosterRow], training_class) -> None:
    """Rows to be enrolled in a class whose audience does not take their stage are row errors
    (membership.AUDIENCE_STAGES); staff who must enrol someone else do it in the class form, with
    a reason. Trainees already in the class are left as they are."""
    accepted = AUDIENCE_STAGES.get(training_class.audience_stage)
    if accepted is None:
        return
    enrolled = set(
        Enrolment.objects.filter(
            training_class=training_class, trainee__student_no__in=[r.student_no for r in rows]
        ).values_list("trainee__student_no", flat=True)
    )
    errors = [
        RowError(
            r.row,
            "发展阶段",
            _("%(audience)s培训班只编入发展阶段为%(audience)s的学员（%(source)s）。")
            % {"audience": stage_label(training_class.audience_stage), "source": AUDIENCE_SOURCE},
        )
        for r in rows
        if r.stage not in accepted and r.student_no not in enrolled
    ]
    if errors:
        raise RosterError(errors)
