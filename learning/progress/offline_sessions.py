"""Offline sessions (集中授课, 分组讨论, 实践教学) with attendance: one 学时 ledger entry per attendee;
请假 recorded per session for a trainee who missed it, with the reason (OfflineLeave)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.classes.models import Enrolment, OfflineLeave, OfflineSession, TrainingClass
from learning.classes.selectors import trainees_for_trainer
from learning.progress.exceptions import InvalidRecord, LeaveAlreadyWithdrawn
from learning.progress.models import OFFLINE_SOURCES, HoursLedgerEntry
from learning.progress.offline_hours import offline_date_check, offline_hours

# How many offenders an error message names before it says "等 N 人".
NAMED_OFFENDERS = 10


@dataclass(frozen=True)
class AttendeesAdded:
    """What a late sign-in did: how many were credited now, how many already were."""

    added: int
    skipped: int


def session_note(*, topic: str, location: str = "") -> str:
    """The note of a session's ledger entries: the topic, and the location when there is one."""
    return f"{topic}（{location}）" if location else topic


def _parse_ids(trainee_ids) -> list[int]:
    """Trainee ids as ints, in the order given, each once."""
    ids: list[int] = []
    seen: set[int] = set()
    for value in trainee_ids or []:
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise InvalidRecord(
                {"trainees": _("学员编号无效：%(value)s") % {"value": value}}
            ) from exc
        if number not in seen:
            seen.add(number)
            ids.append(number)
    return ids


def _enrolled_users(*, training_class: TrainingClass, trainee_ids: list[int], user) -> dict:
    """{trainee id: user id} of the given trainees; InvalidRecord naming any not enrolled."""
    enrolled = dict(
        Enrolment.objects.filter(
            training_class=training_class, trainee_id__in=trainee_ids
        ).values_list("trainee_id", "trainee__user_id")
    )
    missing = [pk for pk in trainee_ids if pk not in enrolled]
    if missing:
        # Name only trainees the recorder may see; others stay a bare number.
        names = dict(
            trainees_for_trainer(user=user)
            .filter(pk__in=missing[:NAMED_OFFENDERS])
            .values_list("pk", "name")
        )
        shown = "、".join(names.get(pk, f"#{pk}") for pk in missing[:NAMED_OFFENDERS])
        if len(missing) > NAMED_OFFENDERS:
            shown = _("%(names)s 等 %(count)s 人") % {"names": shown, "count": len(missing)}
        raise InvalidRecord(
            {"trainees": _("以下学员未编入本班，未记入任何学时：%(names)s") % {"names": shown}}
        )
    return enrolled


def _entries(*, session: OfflineSession, user_ids: list[int], now) -> list[HoursLedgerEntry]:
    note = session_note(topic=session.topic, location=session.location)
    return [
        HoursLedgerEntry(
            user_id=user_id,
            source=session.source,
            amount=session.amount,
            created_at=now,
            occurred_on=session.occurred_on,
            granted_by_id=session.recorded_by_id,
            training_class_id=session.training_class_id,
            reference=session.reference,
            note=note,
        )
        for user_id in user_ids
    ]


def offline_session_record(
    *,
    training_class: TrainingClass,
    source: str,
    occurred_on: date | None,
    topic: str,
    trainee_ids,
    recorded_by,
    amount: Decimal | None = None,
    days: Decimal | None = None,
    location: str = "",
) -> OfflineSession:
    """Record a session and credit every attendee at once; refuse everything on any error.

    Queries do not grow with the number of attendees (one enrolment read, two inserts).
    """
    errors: dict[str, str] = {}
    if source not in OFFLINE_SOURCES:
        errors["source"] = _("线下学时的来源只能是集中授课、分组讨论或实践教学。")
    topic = (topic or "").strip()
    location = (location or "").strip()
    if not topic:
        errors["topic"] = _("请填写培训主题。")
    elif len(topic) > 200:
        errors["topic"] = _("主题不能超过 200 个字。")
    if len(location) > 200:
        errors["location"] = _("地点不能超过 200 个字。")
    value = None
    for check in (
        lambda: offline_date_check(training_class=training_class, occurred_on=occurred_on),
        lambda: offline_hours(amount=amount, days=days),
    ):
        try:
            value = check() or value
        except InvalidRecord as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        ids = _parse_ids(trainee_ids)
    except InvalidRecord as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        ids = []
    else:
        if not ids:
            errors["trainees"] = _("请至少选择一名参加培训的学员。")
    if errors:
        raise InvalidRecord(errors)
    enrolled = _enrolled_users(training_class=training_class, trainee_ids=ids, user=recorded_by)
    now = timezone.now()
    with transaction.atomic():
        session = OfflineSession.objects.create(
            training_class=training_class,
            source=source,
            topic=topic,
            occurred_on=occurred_on,
            location=location,
            amount=value,
            recorded_by=recorded_by,
            created_at=now,
        )
        HoursLedgerEntry.objects.bulk_create(
            _entries(session=session, user_ids=[enrolled[pk] for pk in ids], now=now)
        )
    session.attendee_count = len(ids)
    session.leave_count = 0
    return session


def offline_session_add_attendees(
    *, session: OfflineSession, trainee_ids, recorded_by
) -> AttendeesAdded:
    """Credit late sign-ins (补记); trainees already credited for the session are skipped.

    The session row is locked first, so two trainers adding the same trainee at once still
    credit them once.
    """
    ids = _parse_ids(trainee_ids)
    if not ids:
        raise InvalidRecord({"trainees": _("请至少选择一名要补记的学员。")})
    with transaction.atomic():
        locked = (
            OfflineSession.objects.select_for_update()
            .select_related("training_class")
            .get(pk=session.pk)
        )
        enrolled = _enrolled_users(
            training_class=locked.training_class, trainee_ids=ids, user=recorded_by
        )
        on_leave = list(
            OfflineLeave.objects.active()
            .filter(session=locked, trainee_id__in=ids)
            .values_list("trainee_id", flat=True)
        )
        if on_leave:
            names = dict(
                Enrolment.objects.filter(
                    training_class_id=locked.training_class_id, trainee_id__in=on_leave
                ).values_list("trainee_id", "trainee__name")
            )
            raise InvalidRecord(
                {
                    "trainees": _("以下学员本次培训已记请假，请先撤销请假再补记学时：%(names)s")
                    % {"names": "、".join(names[pk] for pk in sorted(names))}
                }
            )
        credited = _credited_users(session=locked, user_ids=enrolled.values())
        new_users = [enrolled[pk] for pk in ids if enrolled[pk] not in credited]
        if new_users:
            # A late sign-in is granted by whoever records it, not by the session's recorder.
            entries = _entries(session=locked, user_ids=new_users, now=timezone.now())
            for entry in entries:
                entry.granted_by_id = recorded_by.pk
            HoursLedgerEntry.objects.bulk_create(entries)
    return AttendeesAdded(added=len(new_users), skipped=len(ids) - len(new_users))


def _credited_users(*, session: OfflineSession, user_ids) -> set[int]:
    """Users credited for the session (an entry of its reference and kind)."""
    return set(
        HoursLedgerEntry.objects.filter(
            training_class_id=session.training_class_id,
            reference=session.reference,
            source=session.source,
            user_id__in=list(user_ids),
        ).values_list("user_id", flat=True)
    )


def offline_leave_record(*, session: OfflineSession, trainee_id, reason: str, recorded_by):
    """Record 请假 for a trainee who missed the session: the reason is required, the trainee must
    be enrolled in the class, not credited for the session and not already on leave for it.

    What it excuses for 结业 is decided in one place, learning/reports/status.py (the class's
    leave_allowance_percent of its required 学时, never beyond).
    """
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写请假事由：没有事由的请假不计入。")
    elif len(reason) > 500:
        errors["reason"] = _("请假事由不能超过 500 个字。")
    try:
        ids = _parse_ids([trainee_id])
    except InvalidRecord as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        ids = []
    if not ids and "trainees" not in errors:
        errors["trainees"] = _("请选择请假的学员。")
    if errors:
        raise InvalidRecord({("trainee" if k == "trainees" else k): v for k, v in errors.items()})
    try:
        enrolled = _enrolled_users(
            training_class=session.training_class, trainee_ids=ids, user=recorded_by
        )
    except InvalidRecord as exc:
        raise InvalidRecord({"trainee": exc.message_dict["trainees"]}) from exc
    with transaction.atomic():
        locked = OfflineSession.objects.select_for_update().get(pk=session.pk)
        if _credited_users(session=locked, user_ids=enrolled.values()):
            raise InvalidRecord(
                {"trainee": _("该学员已记入本次培训的学时（参加了培训），不能再记请假。")}
            )
        if OfflineLeave.objects.active().filter(session=locked, trainee_id=ids[0]).exists():
            raise InvalidRecord({"trainee": _("该学员本次培训的请假已经记录过了。")})
        return OfflineLeave.objects.create(
            session=locked,
            trainee_id=ids[0],
            reason=reason,
            recorded_by=recorded_by,
            created_at=timezone.now(),
        )


def offline_leave_withdraw(*, leave: OfflineLeave, withdrawn_by) -> OfflineLeave:
    """Withdraw a 请假 recorded by mistake (e.g. the trainee came after all: then 补记).

    The leave is kept with who withdrew it and when, and no longer counts (OfflineLeave's
    ACTIVE_LEAVE). One guarded UPDATE: of two trainers withdrawing at once, one succeeds and the
    other is told it was already withdrawn; nothing is deleted.
    """
    now = timezone.now()
    done = (
        OfflineLeave.objects.active()
        .filter(pk=leave.pk)
        .update(withdrawn_at=now, withdrawn_by=withdrawn_by)
    )
    if not done:
        raise LeaveAlreadyWithdrawn()
    leave.withdrawn_at, leave.withdrawn_by = now, withdrawn_by
    return leave
