"""REST endpoints of learning progress: progress reports and 学习档案 (/me/records/)."""

import math
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from learning.progress import selectors, services
from learning.progress.lessons import lesson_for_user

SESSION_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
MAX_POSITION = 10_000_000
TRUE_VALUES = (True, 1, "true", "True", "1")
FALSE_VALUES = (False, 0, "false", "False", "0")


class ProgressReportSerializer(serializers.Serializer):
    """The report's schema (for the API docs); progress_report_parse checks it on the hot path."""

    event = serializers.ChoiceField(choices=services.ProgressEvent.ALL)
    position = serializers.FloatField(required=False, min_value=0, max_value=MAX_POSITION)
    playback_session = serializers.RegexField(SESSION_ID.pattern, required=False)
    active = serializers.BooleanField(required=False)


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


class ProgressResultSerializer(serializers.Serializer):
    credited_seconds = serializers.FloatField(help_text="Seconds credited for this lesson so far.")
    credited_now = serializers.FloatField(help_text="Seconds this report added.")
    watched_ratio = serializers.FloatField()
    completed = serializers.BooleanField()
    class_hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text="学时 credited for the lesson (0 until completed).",
    )
    last_position = serializers.FloatField(help_text="Where to resume (seconds).")


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
        try:
            result = services.lesson_progress_record(
                user=request.user,
                lesson=lesson,
                event=data["event"],
                position=data.get("position"),
                playback_session=data.get("playback_session") or "reader",
                active=data.get("active"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(_result_data(result))


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    source_display = serializers.CharField(source="get_source_display")
    amount = serializers.DecimalField(max_digits=6, decimal_places=2)
    created_at = serializers.DateTimeField()
    occurred_on = serializers.DateField(allow_null=True)
    training_class = serializers.SerializerMethodField()
    lesson = serializers.SerializerMethodField()
    granted_by = serializers.SerializerMethodField()
    note = serializers.CharField()
    reference = serializers.CharField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)

    def get_training_class(self, entry) -> dict | None:
        tc = entry.training_class
        return {"id": tc.pk, "name": str(tc)} if tc else None

    def get_lesson(self, entry) -> dict | None:
        if entry.lesson_id is None and not entry.lesson_title:
            return None
        return {"id": entry.lesson_id, "title": entry.lesson_title}

    def get_granted_by(self, entry) -> str:
        user = entry.granted_by
        if user is None:
            return str(_("系统"))
        return user.get_full_name() or user.get_username()


class MyRecordsView(ListAPIView):
    """学习档案: the user's own ledger of credited 学时, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = LedgerEntrySerializer

    @extend_schema(summary="My ledger of credited 学时 (学习档案)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.hours_ledger(user=self.request.user)
