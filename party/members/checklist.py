"""The checklist of a member's path and the unit pipeline: which steps are done, due or overdue,
and what comes next, computed from the history and the step definitions (no stored due dates)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef

from party.members import rules
from party.members.models import (
    DueAnchor,
    Member,
    Stage,
    StageChange,
    StageChangeAttachment,
    StepDefinition,
    StepDocument,
    StepRecord,
)
from party.members.services import probation_end, stage_dates

DUE_SOON_DAYS = 30


@dataclass
class ChecklistRow:
    step: StepDefinition
    done_on: date | None
    due_on: date | None
    overdue: bool
    times_done: int = 0
    # Done, the step names its documents (StepDefinition.documents), and none was uploaded for it.
    missing_document: bool = False
    # The member submitted it (思想汇报, 入党申请书) and the branch has not confirmed it yet.
    pending: bool = False


@dataclass
class NextMilestone:
    stage: str
    earliest: date | None
    note: str


@dataclass
class MemberProgress:
    member: Member
    stage: str | None
    stage_since: date | None
    changes: list[StageChange]
    rows: list[ChecklistRow]
    next: NextMilestone | None
    probation_ends: date | None = None
    due: list[ChecklistRow] = field(default_factory=list)
    missing_documents: list[ChecklistRow] = field(default_factory=list)
    pending: list[ChecklistRow] = field(default_factory=list)


def _anchor_dates(changes) -> dict[str, date]:
    dates = stage_dates(changes)
    anchors = {
        DueAnchor.APPLIED: dates.get(Stage.APPLICANT),
        DueAnchor.ACTIVIST: dates.get(Stage.ACTIVIST),
        DueAnchor.CANDIDATE: dates.get(Stage.CANDIDATE),
        DueAnchor.PROBATIONARY: dates.get(Stage.PROBATIONARY),
        DueAnchor.PROBATION_END: probation_end(changes),
    }
    return {key: value for key, value in anchors.items() if value}


def _next_milestone(stage: str | None, changes) -> NextMilestone | None:
    dates = stage_dates(changes)
    if stage == Stage.APPLICANT:
        return NextMilestone(Stage.ACTIVIST, None, rules.ACTIVIST_ONE_YEAR.source)
    if stage == Stage.ACTIVIST:
        since = dates.get(Stage.ACTIVIST)
        earliest = since + relativedelta(months=rules.ACTIVIST_ONE_YEAR.setting) if since else None
        return NextMilestone(Stage.CANDIDATE, earliest, rules.ACTIVIST_ONE_YEAR.cited)
    if stage == Stage.CANDIDATE:
        return NextMilestone(Stage.PROBATIONARY, None, rules.CANDIDATE_TRAINING.cited)
    if stage in (Stage.PROBATIONARY, Stage.PROBATION_EXTENDED):
        return NextMilestone(
            Stage.FULL_MEMBER, probation_end(changes), rules.PROBATION_ONE_YEAR.cited
        )
    return None


def member_progress(
    *,
    member: Member,
    changes: list[StageChange],
    records: list[StepRecord],
    steps: list[StepDefinition],
    today: date,
) -> MemberProgress:
    """A member's checklist: pure function of the history, the step records and the definitions.
    A record the member submitted counts only once the branch confirmed it. Records and changes
    may carry `has_document` (progress_for_members annotates it); without it nothing is reported
    missing."""
    stage = changes[-1].stage if changes else None
    dates = stage_dates(changes)
    anchors = _anchor_dates(changes)
    by_step: dict[int, list] = defaultdict(list)
    pending_steps: set[int] = set()
    for record in records:
        if record.pending:
            pending_steps.add(record.step_id)
        elif record.counts:  # a returned submission counts for nothing
            by_step[record.step_id].append(record)
    change_documents: dict[str, bool | None] = {}
    for change in changes:
        change_documents[change.stage] = getattr(change, "has_document", None)
    rows = []
    for step in steps:
        done = sorted(by_step.get(step.pk, []), key=lambda r: (r.done_on, r.pk or 0))
        if step.completes_stage:
            done_on = dates.get(step.completes_stage)
            times = 1 if done_on else 0
            documented = change_documents.get(step.completes_stage)
            if documented is False and any(getattr(r, "has_document", False) for r in done):
                documented = True
        else:
            done_on = done[-1].done_on if done else None
            times = len(done)
            documented = getattr(done[-1], "has_document", None) if done else None
        due_on = None
        if stage in step.applies_to_stages:
            anchor = anchors.get(step.due_anchor)
            if step.repeat_months and (done_on or anchor):
                start = max(d for d in (done_on, anchor) if d)
                due_on = start + relativedelta(months=step.repeat_months)
            elif step.due_months is not None and anchor and not done_on:
                due_on = anchor + relativedelta(months=step.due_months)
        rows.append(
            ChecklistRow(
                step=step,
                done_on=done_on,
                due_on=due_on,
                overdue=bool(due_on and due_on < today),
                times_done=times,
                missing_document=bool(step.documents and done_on and documented is False),
                pending=step.pk in pending_steps,
            )
        )
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return MemberProgress(
        member=member,
        stage=stage,
        stage_since=changes[-1].decided_on if changes else None,
        changes=changes,
        rows=rows,
        next=_next_milestone(stage, changes),
        probation_ends=probation_end(changes),
        due=[row for row in rows if row.due_on and row.due_on <= soon],
        missing_documents=[row for row in rows if row.missing_document],
        pending=[row for row in rows if row.pending],
    )


def active_steps() -> list[StepDefinition]:
    return list(StepDefinition.objects.filter(active=True).order_by("order"))


def progress_for_members(*, members: list[Member], today: date) -> list[MemberProgress]:
    """Progress of many members in four queries whatever their number."""
    ids = [m.pk for m in members]
    changes: dict[int, list[StageChange]] = defaultdict(list)
    for change in (
        StageChange.objects.filter(member_id__in=ids)
        .annotate(
            has_document=Exists(StageChangeAttachment.objects.filter(stage_change=OuterRef("pk")))
        )
        .order_by("decided_on", "id")
    ):
        changes[change.member_id].append(change)
    records: dict[int, list[StepRecord]] = defaultdict(list)
    for record in (
        StepRecord.objects.filter(member_id__in=ids)
        .only(
            "id",
            "member_id",
            "step_id",
            "done_on",
            "submitted_by_member",
            "confirmed_at",
            "returned_at",
        )
        .annotate(has_document=Exists(StepDocument.objects.filter(step_record=OuterRef("pk"))))
    ):
        records[record.member_id].append(record)
    steps = active_steps()
    return [
        member_progress(
            member=m, changes=changes[m.pk], records=records[m.pk], steps=steps, today=today
        )
        for m in members
    ]


@dataclass
class DueItem:
    member: Member
    step: StepDefinition
    due_on: date
    overdue: bool
    pending: bool = False


@dataclass
class Pipeline:
    counts: dict[str, int]
    due: list[DueItem]
    progress: list[MemberProgress]


def pipeline(*, members: list[Member], today: date) -> Pipeline:
    """People by stage, and steps overdue or due within DUE_SOON_DAYS, soonest first."""
    progress = progress_for_members(members=members, today=today)
    counts = Counter(p.stage for p in progress if p.stage)
    due = [
        DueItem(
            member=p.member,
            step=row.step,
            due_on=row.due_on,
            overdue=row.overdue,
            pending=row.pending,
        )
        for p in progress
        for row in p.due
    ]
    due.sort(key=lambda item: (item.due_on, item.member.student_no, item.step.order))
    return Pipeline(counts={s: counts.get(s, 0) for s in Stage.values}, due=due, progress=progress)
