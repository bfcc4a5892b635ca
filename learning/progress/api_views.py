"""REST views of learning.progress: progress reports, 学习档案 (/me/records/), and a class's
offline sessions (记录线下培训: list, record, late sign-ins, 请假)."""

import math

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from learning.classes.models import OfflineSession
from learning.classes.selectors import classes_for_trainer
from learning.progress import selectors, services
from learning.progress.lessons import lesson_for_user
from learning.progress.offline_sessions import (
    offline_leave_record,
    offline_leave_withdraw,
    offline_session_add_attendees,
    offline_session_record,
)
from learning.progress.selectors import class_sessions, session_for_trainer, session_leaves
from learning.progress.serializers import (
    FALSE_VALUES,
    MAX_POSITION,
    SESSION_ID,
    TRUE_VALUES,
    AttendeesAddedSerializer,
    AttendeesInputSerializer,
    LedgerEntrySerializer,
    OfflineLeaveInputSerializer,
    OfflineLeaveSerializer,
    OfflineSessionInputSerializer,
    OfflineSessionSerializer,
    ProgressReportSerializer,
    ProgressResultSerializer,
)


def _position(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and 0 <= number <= MAX_POSITION else None


def progress_report_parse(data, *, kind: str) -> dict:
    """Check a progress report by hand: DRF's field machinery costs a heartbeat ~0.1 ms more.

    Video reports need a position and a playback session; article reports need `active`. Every
    problem is reported at once, in Chinese and English, as a 400.
    """
    if not isinstance(data, dict):
        raise serializers.ValidationError(
            {
                "non_field_errors": [
                    str(_("请求体必须是 JSON 对象。The body must be a JSON object."))
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    report: dict = {}
    event = data.get("event")
    if event not in services.ProgressEvent.ALL:
        errors["event"] = [str(_("事件必须是 play、heartbeat、pause 或 ended。Unknown event."))]
    report["event"] = event
    if data.get("position") is not None:
        position = _position(data["position"])
        if position is None:
            errors["position"] = [
                str(_("播放位置必须是 0 到 10000000 之间的秒数。Invalid position."))
            ]
        report["position"] = position
    elif kind == "video":
        errors["position"] = [str(_("视频进度必须包含播放位置。Position is required."))]
    session = data.get("playback_session")
    if session is not None:
        if not isinstance(session, str) or not SESSION_ID.match(session):
            errors["playback_session"] = [str(_("播放会话标识无效。Invalid playback session id."))]
        report["playback_session"] = session
    elif kind == "video":
        errors["playback_session"] = [
            str(_("视频进度必须包含播放会话标识。playback_session is required."))
        ]
    active = data.get("active")
    if active is not None:
        if active in TRUE_VALUES:
            report["active"] = True
        elif active in FALSE_VALUES:
            report["active"] = False
        else:
            errors["active"] = [str(_("active 必须是 true 或 false。active must be a boolean."))]
    elif kind != "video":
        errors["active"] = [str(_("阅读进度必须说明是否在阅读。active is required."))]
    if errors:
        raise serializers.ValidationError(errors)
    return report


def _result_data(result: services.ProgressResult) -> dict:
    return {
        "credited_seconds": result.credited_seconds,
        "credited_now": result.credited_now,
        "watched_ratio": result.watched_ratio,
        "completed": result.completed,
        "class_hours": f"{result.class_hours:.2f}",
        "last_position": result.last_position,
    }


class LessonProgressView(APIView):
    """The trainee's progress on one lesson; reports from the player or reader."""

    permission_classes = [IsAuthenticated]

    def _lesson(self, request, lesson_id: int):
        lesson = lesson_for_user(user=request.user, lesson_id=lesson_id)
        if lesson is None:
            raise Http404
        return lesson

    @extend_schema(
        summary="My progress on a lesson",
        responses=ProgressResultSerializer,
    )
    def get(self, request, lesson_id: int):
        lesson = self._lesson(request, lesson_id)
        progress = selectors.lesson_progress_map(user=request.user, lesson_ids=[lesson.id]).get(
            lesson.id
        )
        result = services.progress_result(progress=progress, lesson=lesson)
        return Response(_result_data(result))

    @extend_schema(
        summary="Report video or reading progress",
        description=(
            "Video: {event: play|heartbeat|pause|ended, position, playback_session}. Article: "
            "{event, active, playback_session?}. The server decides what is credited; a forged or "
            "impossible report is answered 200 with nothing more credited."
        ),
        request=ProgressReportSerializer,
        responses=ProgressResultSerializer,
    )
    def post(self, request, lesson_id: int):
        lesson = self._lesson(request, lesson_id)
        data = progress_report_parse(request.data, kind=lesson.kind)
        result = services.lesson_progress_record(
            user=request.user,
            lesson=lesson,
            event=data["event"],
            position=data.get("position"),
            playback_session=data.get("playback_session") or "reader",
            active=data.get("active"),
        )
        return Response(_result_data(result))


class MyRecordsView(ListAPIView):
    """学习档案: the user's own ledger of credited 学时, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = LedgerEntrySerializer

    @extend_schema(summary="My ledger of credited 学时 (学习档案)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.hours_ledger(user=self.request.user)


# --- offline sessions (记录线下培训) -------------------------------------------------------

# The same rights as the ledger's admin 添加 and list: a session is a batch of ledger entries.
ADD_PERMISSION = "progress.add_hoursledgerentry"
VIEW_PERMISSION = "progress.view_hoursledgerentry"
# The service speaks of `amount`; the API's field is `hours` (the views' `error_fields`, which
# cms.api_support.exception_handler uses to name the fields of an InvalidRecord).
API_FIELDS = {"amount": "hours"}


def _visible_class(request, pk):
    # Classes the user does not train do not exist for them: 404, never 403.
    training_class = classes_for_trainer(user=request.user).filter(pk=pk).first()
    if training_class is None:
        raise Http404
    return training_class


def _check_perm(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise exceptions.PermissionDenied(_("您没有记录线下学时的权限。"))


def _with_count(session: OfflineSession) -> OfflineSession:
    return class_sessions(training_class=session.training_class).get(pk=session.pk)


NOT_FOUND = OpenApiResponse(description="培训班不存在或无权查看")


class OfflineSessionListView(ListAPIView):
    """The class's offline sessions, newest first; POST records one and credits its attendees."""

    permission_classes = [IsAuthenticated]
    error_fields = API_FIELDS
    serializer_class = OfflineSessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OfflineSession.objects.none()
        training_class = _visible_class(self.request, self.kwargs["pk"])
        _check_perm(self.request, VIEW_PERMISSION)
        return class_sessions(training_class=training_class)

    @extend_schema(
        operation_id="class_offline_sessions_list",
        summary="培训班的线下培训记录",
        responses={200: OfflineSessionSerializer(many=True), 404: NOT_FOUND},
        tags=["classes"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="class_offline_sessions_create",
        summary="记录线下培训（按签到表为参加学员记入学时）",
        description=(
            "一次记入全部参加学员；任何一项有误（含有学员未编入本班）则什么也不记入，返回 400。"
        ),
        request=OfflineSessionInputSerializer,
        responses={
            201: OfflineSessionSerializer,
            400: OpenApiResponse(description="参数错误，未记入任何学时"),
            403: OpenApiResponse(description="没有记录线下学时的权限"),
            404: NOT_FOUND,
        },
        tags=["classes"],
    )
    def post(self, request, pk: int):
        training_class = _visible_class(request, pk)
        _check_perm(request, ADD_PERMISSION)
        data = OfflineSessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = offline_session_record(
            training_class=training_class,
            source=values["source"],
            occurred_on=values["occurred_on"],
            topic=values["topic"],
            location=values.get("location", ""),
            amount=values.get("hours"),
            days=values.get("days"),
            trainee_ids=values["trainees"],
            recorded_by=request.user,
        )
        return Response(OfflineSessionSerializer(session).data, status=status.HTTP_201_CREATED)


class OfflineSessionAttendeesView(APIView):
    permission_classes = [IsAuthenticated]
    error_fields = API_FIELDS

    @extend_schema(
        operation_id="class_offline_session_attendees_add",
        summary="补记学员（签到表上补签的学员）",
        description="已记入本次培训的学员跳过，不会重复记入；有学员未编入本班则什么也不记入。",
        request=AttendeesInputSerializer,
        responses={
            200: AttendeesAddedSerializer,
            400: OpenApiResponse(description="参数错误，未记入任何学时"),
            403: OpenApiResponse(description="没有记录线下学时的权限"),
            404: OpenApiResponse(description="培训班或线下培训不存在或无权查看"),
        },
        tags=["classes"],
    )
    def post(self, request, pk: int, session_id: int):
        session = session_for_trainer(user=request.user, session_id=session_id)
        if session is None or session.training_class_id != pk:
            raise Http404
        _check_perm(request, ADD_PERMISSION)
        data = AttendeesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = offline_session_add_attendees(
            session=session,
            trainee_ids=data.validated_data["trainees"],
            recorded_by=request.user,
        )
        return Response(
            {
                "added": result.added,
                "skipped": result.skipped,
                "session": OfflineSessionSerializer(_with_count(session)).data,
            }
        )


def _scoped_session(request, pk: int, session_id: int, permission: str) -> OfflineSession:
    session = session_for_trainer(user=request.user, session_id=session_id)
    if session is None or session.training_class_id != pk:
        raise Http404
    _check_perm(request, permission)
    return session


SESSION_NOT_FOUND = OpenApiResponse(description="培训班或线下培训不存在或无权查看")


class OfflineLeaveListView(APIView):
    """请假 of one offline session: who missed it with a recorded reason (issue 14)."""

    permission_classes = [IsAuthenticated]
    error_fields = API_FIELDS

    @extend_schema(
        operation_id="class_offline_session_leaves_list",
        summary="线下培训的请假学员",
        responses={200: OfflineLeaveSerializer(many=True), 404: SESSION_NOT_FOUND},
        tags=["classes"],
    )
    def get(self, request, pk: int, session_id: int):
        session = _scoped_session(request, pk, session_id, VIEW_PERMISSION)
        return Response(OfflineLeaveSerializer(session_leaves(session=session), many=True).data)

    @extend_schema(
        operation_id="class_offline_session_leaves_create",
        summary="记录请假（须写明事由）",
        description=(
            "为未参加本次培训的本班学员记录请假。请假缺席的学时在培训班的可请假比例"
            "（leave_allowance_percent，最多 25%）以内计入结业条件。学员已记入本次学时、"
            "已记过请假、未编入本班或事由为空，返回 400，什么也不记录。"
        ),
        request=OfflineLeaveInputSerializer,
        responses={
            201: OfflineLeaveSerializer,
            400: OpenApiResponse(description="参数错误，未记录请假"),
            403: OpenApiResponse(description="没有记录线下学时的权限"),
            404: SESSION_NOT_FOUND,
        },
        tags=["classes"],
    )
    def post(self, request, pk: int, session_id: int):
        session = _scoped_session(request, pk, session_id, ADD_PERMISSION)
        data = OfflineLeaveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leave = offline_leave_record(
            session=session,
            trainee_id=data.validated_data["trainee"],
            reason=data.validated_data["reason"],
            recorded_by=request.user,
        )
        return Response(OfflineLeaveSerializer(leave).data, status=status.HTTP_201_CREATED)


class OfflineLeaveWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="class_offline_session_leave_withdraw",
        summary="撤销请假（误记，或学员后来参加了：再补记学员）",
        description=(
            "请假记录保留，记下撤销人和撤销时间，不再计入请假人数和结业条件；已撤销过的返回 409。"
        ),
        request=None,
        responses={
            204: None,
            409: OpenApiResponse(description="这条请假已经撤销过了"),
            403: OpenApiResponse(description="没有记录线下学时的权限"),
            404: OpenApiResponse(description="请假记录不存在或无权查看"),
        },
        tags=["classes"],
    )
    def post(self, request, pk: int, session_id: int, leave_id: int):
        session = _scoped_session(request, pk, session_id, ADD_PERMISSION)
        leave = session_leaves(session=session).filter(pk=leave_id).first()
        if leave is None:
            raise Http404
        offline_leave_withdraw(leave=leave, withdrawn_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
