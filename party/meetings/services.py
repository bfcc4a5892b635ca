"""Writes of organisation life: planning a meeting (with its notices), checking in, 请假, and the
secretary's attendance record. `check_*` validate and authorise; writes run in one transaction, so
a refusal leaves nothing half-written."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hot_sql import (
    ComposedStatement,
    FirstRowColumn,
    collected_row_sql,
    deferred_inserts,
    insert_after,
    insert_after_sql,
    insert_row,
    run_returning,
)
from party.meetings.checkin import CodeExpired, CodeInvalid, checkin_code_meeting
from party.meetings.exceptions import (
    AlreadyRecordedError,
    MeetingError,
    NotExpectedError,
    OutOfScopeError,
)
from party.meetings.models import (
    HOLDING_UNIT_KIND,
    Attendance,
    AttendanceChange,
    AttendanceMethod,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Notice,
)
from party.meetings.rules import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    BULK_ATTENDANCE_MAX,
    CHECKIN_OPENS_MINUTES_BEFORE,
    DEFAULT_DURATION_MINUTES,
)
from party.meetings.selectors import (
    caller_if_meeting_unchanged_sql,
    expected_members,
    is_expected,
    meeting_and_caller_for_check_in,
    meetings_visible,
    remembered_meeting,
)
from party.meetings.study import study_attendance_changed
from party.members.models import Member
from party.organisation.documents import DocumentRejected, check_upload
from party.organisation.models import Unit, UnitKind
from party.organisation.selectors import unit_scope


def check_attachment(upload) -> None:
    """Files from users are hostile until checked: kind by content and extension, and size (the one
    implementation: party.organisation.documents)."""
    try:
        check_upload(upload, extensions=ATTACHMENT_EXTENSIONS, max_bytes=ATTACHMENT_MAX_BYTES)
    except DocumentRejected as exc:
        raise MeetingError(exc.message, code=exc.code) from None


def check_meeting_fields(
    *,
    unit: Unit,
    kind: str,
    topic: str,
    starts_at: datetime,
    ends_at: datetime | None,
    place: str,
    online_link: str,
    host: Member | None,
    participants: list[Member],
) -> datetime:
    """Validate a meeting's fields; return the end time (default: DEFAULT_DURATION_MINUTES)."""
    if kind not in MeetingKind.values:
        raise MeetingError(_("未知的会议类型。"), code="kind")
    if HOLDING_UNIT_KIND[kind] != unit.kind:
        raise MeetingError(_("党小组会由党小组召开，其他会议由党支部召开。"), code="holding_unit")
    if not topic.strip():
        raise MeetingError(_("请填写会议主题。"), code="topic")
    ends_at = ends_at or starts_at + timedelta(minutes=DEFAULT_DURATION_MINUTES)
    if ends_at <= starts_at:
        raise MeetingError(_("结束时间必须晚于开始时间。"), code="ends_at")
    if not place.strip() and not online_link.strip():
        raise MeetingError(_("请填写地点或线上会议链接。"), code="place")
    branch_id = unit.pk if unit.kind == UnitKind.BRANCH else None
    if branch_id is None:
        branch_id = Unit.objects.filter(path=unit.parent_path).values_list("pk", flat=True).first()
    if host is not None and host.unit_id != branch_id:
        raise MeetingError(_("主持人必须是本支部的党员。"), code="host")
    if kind == MeetingKind.TALK:
        if len({p.pk for p in participants}) < 2:
            raise MeetingError(_("谈心谈话至少需要两名党员。"), code="participants")
        if any(p.unit_id != branch_id for p in participants):
            raise MeetingError(_("谈话对象必须是本支部的党员。"), code="participants")
    return ends_at


def _notify(*, meeting: Meeting, text: str) -> int:
    """On-site notices to the expected members who have an account; e-mail when configured."""
    users = [
        m.user_id for m in expected_members(meeting=meeting).only("pk", "user_id") if m.user_id
    ]
    Notice.objects.bulk_create([Notice(user_id=u, meeting=meeting, text=text) for u in users])
    if users and getattr(settings, "MEETING_NOTICE_EMAIL", False):
        from party.meetings.tasks import meeting_notice_email_task

        transaction.on_commit(
            lambda: meeting_notice_email_task.enqueue(meeting_id=meeting.pk, user_ids=users)
        )
    return len(users)


@transaction.atomic
def meeting_plan(
    *,
    by_user,
    unit: Unit,
    kind: str,
    topic: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    online_link: str = "",
    host: Member | None = None,
    speaker: str = "",
    agenda: str = "",
    participants: list[Member] | None = None,
    attachments: list | None = None,
) -> Meeting:
    """A 支部书记/支委 (or 组织员, 组织部) plans a meeting of a unit in their scope; the members
    who are 应到 get a notice."""
    if not unit_scope(user=by_user).covers(unit):
        raise OutOfScopeError(_("无权为该党组织安排会议。"), code="scope")
    participants = list(participants or [])
    ends_at = check_meeting_fields(
        unit=unit,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_link=online_link,
        host=host,
        participants=participants,
    )
    for upload in attachments or []:
        check_attachment(upload)
    meeting = Meeting.objects.create(
        unit=unit,
        kind=kind,
        topic=topic.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_link=online_link.strip(),
        host=host,
        speaker=speaker.strip(),
        agenda=agenda,
        created_by=by_user,
    )
    if participants:
        meeting.participants.set(participants)
    for upload in attachments or []:
        MeetingAttachment.objects.create(meeting=meeting, file=upload, name=upload.name[:200])
    if ends_at > timezone.now():
        when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
        _notify(
            meeting=meeting,
            text=_("%(unit)s %(when)s %(kind)s：%(topic)s")
            % {"unit": unit.name, "when": when, "kind": meeting.get_kind_display(), "topic": topic},
        )
    return meeting


def _check_open(meeting: Meeting, now: datetime) -> None:
    if now < meeting.starts_at - timedelta(minutes=CHECKIN_OPENS_MINUTES_BEFORE):
        raise MeetingError(
            _("会议尚未开始，不能登记出勤（会前 %(n)d 分钟开放签到）。")
            % {"n": CHECKIN_OPENS_MINUTES_BEFORE},
            code="not_started",
        )


def _record(
    *,
    meeting: Meeting,
    member_id: int,
    user_id: int | None,
    current: Attendance | None,
    status: str,
    reason: str,
    method: str,
    by_user,
    now: datetime,
) -> Attendance:
    from_status = current.status if current else ""
    if current is None:
        current = Attendance.objects.create(
            meeting=meeting,
            member_id=member_id,
            status=status,
            reason=reason,
            method=method,
            updated_at=now,
        )
    else:
        current.status, current.reason, current.method, current.updated_at = (
            status,
            reason,
            method,
            now,
        )
        current.save(update_fields=["status", "reason", "method", "updated_at"])
    _log(
        meeting=meeting,
        member_id=member_id,
        user_id=user_id,
        from_status=from_status,
        attendance=current,
        by_user=by_user,
    )
    return current


def _log(
    *, meeting: Meeting, member_id: int, user_id: int | None, from_status: str, attendance, by_user
) -> None:
    """The change's line in the append-only log, and the announcement that credits 学时."""
    now = attendance.updated_at
    # One INSERT (prepared.insert_row: the log has no save() logic, no signal receivers and is
    # outside Wagtail's reference index) — every check-in writes one.
    insert_row(
        AttendanceChange,
        meeting_id=meeting.pk,
        member_id=member_id,
        from_status=from_status,
        status=attendance.status,
        reason=attendance.reason,
        method=attendance.method,
        late=now > meeting.ends_at,
        recorded_by_id=by_user.pk if by_user is not None else None,
        recorded_at=now,
    )
    study_attendance_changed(
        meeting=meeting,
        user_id=user_id,
        was_present=from_status == AttendanceStatus.PRESENT,
        present=attendance.status == AttendanceStatus.PRESENT,
        by_user=by_user,
        at=now,
        first=not from_status,
    )


def _first_attendance_sql(
    attendance: Attendance, chosen_by: tuple[str, list] | None = None
) -> tuple[str, list]:
    """The guarded INSERT of a member's first attendance row at a meeting (ON CONFLICT DO NOTHING,
    on both databases), returning its id and member id when it wrote one. The member is
    attendance.member_id or, given `chosen_by` (a statement of one column, at most one row, and its
    parameters), the one that statement selects: nothing is written when it selects none."""
    qn = connection.ops.quote_name
    columns = ("meeting_id", "status", "reason", "method", "updated_at", "member_id")
    a = attendance
    when = connection.ops.adapt_datetimefield_value(a.updated_at)
    if chosen_by is None:
        rows = f"VALUES ({', '.join(['%s'] * len(columns))})"
        params = [a.meeting_id, a.status, a.reason, a.method, when, a.member_id]
    else:
        # The chosen member read as a table of at most one row (not as a scalar subquery in the
        # select list and again in a WHERE: PostgreSQL ran such a subquery once for each place —
        # the caller's 应到 twice per check-in). "WHERE true": SQLite reads an upsert's SELECT
        # with a FROM and no WHERE as a join's ON.
        chosen_sql, chosen_params = chosen_by
        rows = f"SELECT %s, %s, %s, %s, %s, chosen.* FROM ({chosen_sql}) chosen WHERE true"
        params = [a.meeting_id, a.status, a.reason, a.method, when, *chosen_params]
    sql = (
        f"INSERT INTO {qn(Attendance._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"{rows} ON CONFLICT ({qn('meeting_id')}, {qn('member_id')}) DO NOTHING "
        f"RETURNING {qn('id')}, {qn('member_id')}"
    )
    return sql, params


def _insert_if_absent(
    *, meeting: Meeting, member_id: int, status: str, reason: str, method: str, now: datetime
) -> Attendance | None:
    """The member's first attendance row at the meeting, written by one guarded statement: None
    when a row is already there, which the caller then reads under a lock. A burst of first
    check-ins takes no lock and no read."""
    attendance = Attendance(
        meeting=meeting,
        member_id=member_id,
        status=status,
        reason=reason,
        method=method,
        updated_at=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(*_first_attendance_sql(attendance))
        row = cursor.fetchone()
    if row is None:
        return None
    attendance.pk = row[0]
    return attendance


def _first_check_in_one_statement(*, meeting: Meeting, me: dict, by_user, now: datetime):
    """PostgreSQL: a member's first check-in — the guarded attendance INSERT, its log line and
    the 学时 credit (the listener's insert_row, collected) — as ONE statement (insert_after), so
    the common case is one round trip and, in autocommit, no BEGIN and COMMIT of their own: the
    same rows, written together or not at all, as the transaction on SQLite writes them. None
    when a row was already there (nothing written): the caller takes the general path."""
    attendance = Attendance(
        meeting=meeting,
        member_id=me["pk"],
        status=AttendanceStatus.PRESENT,
        reason="",
        method=AttendanceMethod.QR,
        updated_at=now,
    )
    with deferred_inserts() as rows:
        _log(
            meeting=meeting,
            member_id=me["pk"],
            user_id=me["user_id"],
            from_status="",
            attendance=attendance,
            by_user=by_user,
        )
    found = insert_after(*_first_attendance_sql(attendance), rows)
    if found is None:
        return None
    attendance.pk = found[0]
    return attendance


def _check_in_parts(meeting: Meeting, *, user_id: int, now: datetime, member_id) -> tuple:
    """The remembered check-in's writes for `meeting` (as remembered_meeting gives it), the
    caller's user id and the time, composed by the same functions as every other check-in: the
    attendance INSERT selecting the caller among the 应到 of the meeting as remembered
    (caller_if_meeting_unchanged_sql), and its log line and 学时 credit (_log's rows, collected,
    for the member `member_id`). `now` is inside the meeting's check-in window (the caller
    checks), so the log line is not late."""
    caller = get_user_model()(pk=user_id)
    attendance = Attendance(
        meeting=meeting,
        member_id=None,
        status=AttendanceStatus.PRESENT,
        reason="",
        method=AttendanceMethod.QR,
        updated_at=now,
    )
    insert = _first_attendance_sql(
        attendance, caller_if_meeting_unchanged_sql(meeting=meeting, user=caller)
    )
    with deferred_inserts() as rows:
        _log(
            meeting=meeting,
            member_id=member_id,
            user_id=user_id,
            from_status="",
            attendance=attendance,
            by_user=caller,
        )
    return insert, rows


def _compose_check_in(meeting: Meeting, *, user_id: int, now: datetime) -> list:
    """PostgreSQL: the three writes as ONE statement (insert_after)."""
    insert, rows = _check_in_parts(
        meeting, user_id=user_id, now=now, member_id=FirstRowColumn("member_id")
    )
    return [insert_after_sql(*insert, rows)]


def _compose_check_in_attendance(meeting: Meeting, *, user_id: int, now: datetime) -> list:
    """SQLite: the attendance INSERT (its RETURNING gives the member)."""
    insert, _rows = _check_in_parts(meeting, user_id=user_id, now=now, member_id=None)
    return [insert]


def _compose_check_in_rows(meeting: Meeting, *, user_id: int, member_id: int, now: datetime):
    """SQLite: the log line and the 学时 credit of the member the attendance INSERT chose."""
    _insert, rows = _check_in_parts(meeting, user_id=user_id, now=now, member_id=member_id)
    return [collected_row_sql(model, params) for model, params in rows]


# Composed once per _composition_key; then each check-in only puts in its user id and time (and on
# SQLite the member chosen). (Each keeps the statements of at most 500 keys, a few kB each, then
# starts over.)
_check_in_statement = ComposedStatement(_compose_check_in, ints=("user_id",), datetimes=("now",))
_check_in_attendance = ComposedStatement(
    _compose_check_in_attendance, ints=("user_id",), datetimes=("now",)
)
_check_in_rows = ComposedStatement(
    _compose_check_in_rows, ints=("user_id", "member_id"), datetimes=("now",)
)


def forget_composed_check_ins() -> None:
    """Drop the composed check-in writes (tests that change settings or count statements)."""
    for statement in (_check_in_statement, _check_in_attendance, _check_in_rows):
        statement.forget()


def _composition_key(meeting: Meeting) -> tuple:
    """Every input of _check_in_parts besides the user and the time: the meeting as remembered
    (its unit, kind, topic, start and end), the language of the credit's texts, the time zone its
    day is read in, and the length of a class hour its 学时 are counted in."""
    return (
        meeting.pk,
        meeting.unit_id,
        meeting.kind,
        meeting.topic,
        meeting.starts_at,
        meeting.ends_at,
        get_language(),
        timezone.get_current_timezone_name(),
        settings.DANGKE["CLASS_HOUR_MINUTES"],
    )


def _check_in_remembered(
    *, meeting_id: int, user, code: str, now: datetime
) -> tuple[Attendance | None, bool]:
    """The happy path of a hall scanning at once, once this process has seen the meeting: a
    valid code of this meeting, inside the check-in window of the meeting as remembered, then the
    writes composed once per meeting (_check_in_parts), the attendance written only if, in the
    table, the meeting is still the one remembered (unit, kind, topic, times) and the caller is
    among its 应到 and of its own unit or 党小组 — with its log line and 学时 credit. On
    PostgreSQL that is ONE statement; on SQLite one transaction of three INSERTs, the first
    choosing the member. Returns (the attendance or None, whether the INSERT ran); with None
    nothing was written — any of that did not hold, or a row is already there — and the general
    path then answers exactly as it always did (its errors in its order: not found first)."""
    if not getattr(user, "is_authenticated", False):
        return None, False
    meeting = remembered_meeting(meeting_id)
    if meeting is None:
        return None, False
    try:
        if checkin_code_meeting(code or "") != meeting_id:
            return None, False
    except (CodeExpired, CodeInvalid):
        return None, False
    opens = meeting.starts_at - timedelta(minutes=CHECKIN_OPENS_MINUTES_BEFORE)
    if not opens <= now <= meeting.ends_at:
        return None, False
    key = _composition_key(meeting)
    if connection.vendor == "postgresql":
        statements = _check_in_statement.statements(key, meeting, user_id=user.pk, now=now)
        if statements is None:  # not composable (logged): the general path
            return None, False
        found = run_returning(*statements[0])
    else:
        statements = _check_in_attendance.statements(key, meeting, user_id=user.pk, now=now)
        # The rows are composed (the first time) before the write lock is taken.
        if statements is None or not _check_in_rows.ready(key, meeting):
            return None, False
        with transaction.atomic():
            found = run_returning(*statements[0])
            if found is not None:
                for statement in _check_in_rows.statements(
                    key, meeting, user_id=user.pk, member_id=found[1], now=now
                ):
                    run_returning(*statement)
    if found is None:
        return None, True
    attendance = Attendance(
        meeting=meeting,
        status=AttendanceStatus.PRESENT,
        reason="",
        method=AttendanceMethod.QR,
        updated_at=now,
    )
    attendance.pk, attendance.member_id = found
    return attendance, True


def _already_checked_in() -> AlreadyRecordedError:
    return AlreadyRecordedError(_("您已签到，无需重复签到。"), code="already")


def _already_present(*, meeting: Meeting, member_id: int) -> bool:
    """The member is marked 实到 at the meeting (a plain read: 实到 is where a QR check-in ends, and
    a concurrent change by the secretary is answered as if the scan had come a moment earlier)."""
    return Attendance.objects.filter(
        meeting=meeting, member_id=member_id, status=AttendanceStatus.PRESENT
    ).exists()


def meeting_check_in(*, meeting_id: int, user, code: str) -> Attendance:
    """A member checks in with the code of the QR shown at the meeting. A meeting the caller may
    not see is not found (404); refused (nothing written) with an expired or foreign code, before
    check-in opens or after the end, for someone not 应到, and twice (409).

    This is a burst (a hall scanning at once), so the common case is short and constant
    (tests/party/meetings/test_checkin.py). Once this process has seen the meeting it is one
    statement on PostgreSQL, three INSERTs in one transaction on SQLite (_check_in_remembered:
    the attendance INSERT selecting the caller among the 应到 of the meeting as remembered,
    checked unchanged in the same statement, with its log line and 学时 credit; composed once
    per meeting, each check-in only putting in its user and time). The first check-in a process
    sees at a meeting reads the meeting and the caller's row among the 应到 (which for a member
    of the holding unit also settles that they may see it), then writes the attendance, its log
    line and the 学时 credit with one guarded INSERT (on PostgreSQL the three as one statement).
    Anything else (a member of another unit, an earlier 请假 row, a second scan — answered from
    a read —, an edited meeting) takes the general path."""
    now = timezone.now()
    attendance, remembered_insert_ran = _check_in_remembered(
        meeting_id=meeting_id, user=user, code=code, now=now
    )
    if attendance is not None:
        return attendance
    meeting, row = meeting_and_caller_for_check_in(meeting_id=meeting_id, user=user)
    if meeting is None:
        raise OutOfScopeError(_("会议不存在。"), code="not_found")
    me = None
    if row is not None:
        me = dict(zip(("pk", "user_id", "unit_id", "group_id"), row, strict=True))
    own_unit = me is not None and meeting.unit_id in (me["unit_id"], me["group_id"])
    if not own_unit and not meetings_visible(user=user).filter(pk=meeting.pk).exists():
        raise OutOfScopeError(_("会议不存在。"), code="not_found")
    try:
        code_meeting = checkin_code_meeting(code or "")
    except CodeExpired as exc:
        raise MeetingError(
            _("签到码已过期，请扫描会场上正在显示的二维码。"), code="code_expired"
        ) from exc
    except CodeInvalid as exc:
        raise MeetingError(_("签到码无效。"), code="code_invalid") from exc
    if code_meeting != meeting.pk:
        raise MeetingError(_("这是另一次会议的签到码。"), code="code_foreign")
    _check_open(meeting, now)
    if now > meeting.ends_at:
        raise MeetingError(_("会议已结束，签到已关闭。"), code="closed")
    if me is None:
        if not user or not Member.objects.filter(user=user).exists():
            raise NotExpectedError(_("您没有党员档案，不能签到。"), code="not_member")
        raise NotExpectedError(_("您不在本次会议的应到名单中。"), code="not_expected")
    if remembered_insert_ran and _already_present(meeting=meeting, member_id=me["pk"]):
        # The remembered INSERT wrote nothing for a caller who is 应到 at the meeting as it is:
        # most often a second scan. Answered from a read, without a write transaction (a hall's
        # impatient second taps cost a third of what they did: docs/performance.md).
        raise _already_checked_in()
    one_statement = connection.vendor == "postgresql"
    if one_statement:
        attendance = _first_check_in_one_statement(meeting=meeting, me=me, by_user=user, now=now)
        if attendance is not None:
            return attendance
    try:
        with transaction.atomic():
            attendance = None
            if not one_statement:  # (on PostgreSQL just tried: a row is there)
                attendance = _insert_if_absent(
                    meeting=meeting,
                    member_id=me["pk"],
                    status=AttendanceStatus.PRESENT,
                    reason="",
                    method=AttendanceMethod.QR,
                    now=now,
                )
            if attendance is not None:
                _log(
                    meeting=meeting,
                    member_id=me["pk"],
                    user_id=me["user_id"],
                    from_status="",
                    attendance=attendance,
                    by_user=user,
                )
                return attendance
            current = (
                Attendance.objects.select_for_update()
                .filter(meeting=meeting, member_id=me["pk"])
                .first()
            )
            if current is not None and current.status == AttendanceStatus.PRESENT:
                raise _already_checked_in()
            return _record(
                meeting=meeting,
                member_id=me["pk"],
                user_id=me["user_id"],
                current=current,
                status=AttendanceStatus.PRESENT,
                reason="",
                method=AttendanceMethod.QR,
                by_user=user,
                now=now,
            )
    except IntegrityError as exc:  # two scans of the same phone at once
        raise _already_checked_in() from exc


def leave_request(*, meeting: Meeting, user, reason: str) -> Attendance:
    """A member asks for 请假 with a reason (before the meeting ends); the secretary approves it."""
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("请假需要填写事由。"), code="reason")
    now = timezone.now()
    if now > meeting.ends_at:
        raise MeetingError(_("会议已结束，不能再请假。"), code="closed")
    member = Member.objects.filter(user=user).only("pk", "user_id").first()
    if member is None or not is_expected(meeting=meeting, member=member):
        raise NotExpectedError(_("您不在本次会议的应到名单中。"), code="not_expected")
    with transaction.atomic():
        current = (
            Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
        )
        if current is not None and current.status != AttendanceStatus.ABSENT:
            raise AlreadyRecordedError(
                _("已有出勤记录（%(status)s），不能再请假。")
                % {"status": current.get_status_display()},
                code="already",
            )
        return _record(
            meeting=meeting,
            member_id=member.pk,
            user_id=member.user_id,
            current=current,
            status=AttendanceStatus.LEAVE_REQUESTED,
            reason=reason[:300],
            method=AttendanceMethod.MEMBER,
            by_user=user,
            now=now,
        )


SECRETARY_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)


def attendance_set(
    *, meeting: Meeting, member_id: int, status: str, reason: str = "", by_user
) -> Attendance | None:
    """The secretary ticks a member present, approves 请假 (leave) or marks 缺席 (one member of
    attendance_set_many)."""
    return attendance_set_many(
        meeting=meeting, member_ids=[member_id], status=status, reason=reason, by_user=by_user
    )[member_id]


def attendance_set_many(
    *, meeting: Meeting, member_ids, status: str, reason: str = "", by_user
) -> dict[int, Attendance | None]:
    """The secretary marks members present, approves their 请假 (leave) or marks them 缺席 — one
    or several at once (bulk marking on the attendance list). Marking present or absent waits for
    the meeting; approving 请假 may come first. After the end every change is a 会后更正 (late) in
    the log and needs a reason; nothing is overwritten silently. One log line per member changed;
    one transaction: a refusal for any member writes nothing for all. Returns each member's row
    after the marking (None: 缺席 without a row)."""
    if not unit_scope(user=by_user).covers(meeting.unit):
        raise OutOfScopeError(_("会议不存在。"), code="not_found")
    if status not in SECRETARY_STATUSES:
        raise MeetingError(_("出勤状态只能是实到、请假或缺席。"), code="status")
    ids = list(dict.fromkeys(member_ids))
    if not ids:
        raise MeetingError(_("请至少选择一名党员。"), code="members")
    if len(ids) > BULK_ATTENDANCE_MAX:
        raise MeetingError(
            _("一次最多登记 %(n)d 名党员。") % {"n": BULK_ATTENDANCE_MAX}, code="members"
        )
    now = timezone.now()
    if status != AttendanceStatus.LEAVE:
        _check_open(meeting, now)
    expected = dict(
        expected_members(meeting=meeting).filter(pk__in=ids).values_list("pk", "user_id")
    )
    outside = [i for i in ids if i not in expected]
    if outside:
        if len(ids) == 1:
            raise MeetingError(_("该党员不在本次会议的应到名单中。"), code="not_expected")
        raise MeetingError(
            _("所选党员中有 %(n)d 人不在本次会议的应到名单中，未作任何登记。")
            % {"n": len(outside)},
            code="not_expected",
        )
    given = (reason or "").strip()
    late = now > meeting.ends_at
    result: dict[int, Attendance | None] = {}
    with transaction.atomic():
        rows = {
            a.member_id: a
            for a in Attendance.objects.select_for_update().filter(
                meeting=meeting, member_id__in=ids
            )
        }
        for member_id in ids:
            current = rows.get(member_id)
            reason = given
            if status == AttendanceStatus.LEAVE and not reason and current is not None:
                reason = current.reason  # approving a request keeps the member's reason
            if status == AttendanceStatus.LEAVE and not reason:
                raise MeetingError(_("请假需要填写事由。"), code="reason")
            if late and not reason:
                raise MeetingError(_("会后更正出勤需要说明原因。"), code="reason")
            if current is not None and current.status == status and current.reason == reason:
                result[member_id] = current
                continue
            if current is None and status == AttendanceStatus.ABSENT:
                result[member_id] = None  # 缺席 is what is left: nothing to record
                continue
            result[member_id] = _record(
                meeting=meeting,
                member_id=member_id,
                user_id=expected[member_id],
                current=current,
                status=status,
                reason=reason[:300],
                method=AttendanceMethod.SECRETARY,
                by_user=by_user,
                now=now,
            )
    return result


def notices_mark_read(*, user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
