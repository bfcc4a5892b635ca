"""REST views of offline sessions (记录线下培训) of a class: list, record, and late sign-ins."""

from django.core.exceptions import ValidationError as DjangoValidationError
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
from learning.progress.models import OFFLINE_SOURCES
from learning.progress.offline_sessions import (
    offline_session_add_attendees,
    offline_session_record,
)
from learning.progress.selectors import class_sessions, session_for_trainer

# The same rights as the ledger's admin 添加 and list: a session is a batch of ledger entries.
ADD_PERMISSION = "progress.add_hoursledgerentry"
VIEW_PERMISSION = "progress.view_hoursledgerentry"
# The service speaks of `amount`; the API's field is `hours`.
API_FIELDS = {"amount": "hours"}


class OfflineSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    training_class = serializers.IntegerField(source="training_class_id")
    source = serializers.ChoiceField(choices=[s.value for s in OFFLINE_SOURCES])
    source_display = serializers.CharField(source="get_source_display")
    topic = serializers.CharField()
    occurred_on = serializers.DateField()
    location = serializers.CharField()
    hours = serializers.DecimalField(
        source="amount", max_digits=6, decimal_places=2, help_text="每名参加学员记入的学时"
    )
    attendee_count = serializers.IntegerField(help_text="已记入学时的学员人数")
    recorded_by = serializers.CharField(source="recorded_by.username")
    created_at = serializers.DateTimeField()


class OfflineSessionInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=[s.value for s in OFFLINE_SOURCES],
        help_text="offline_lecture 集中培训，offline_discussion 讨论，offline_practice 实践",
    )
    occurred_on = serializers.DateField(help_text="培训日期，不能晚于今天")
    topic = serializers.CharField(max_length=200, allow_blank=True, help_text="主题")
    location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="地点"
    )
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="每人学时；与 days 二选一",
    )
    days = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="天数，一天计 DAY_CLASS_HOURS（默认 8）学时；与 hours 二选一",
    )
    trainees = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=True, help_text="参加学员的 id（学员档案）"
    )


class AttendeesInputSerializer(serializers.Serializer):
    trainees = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=True, help_text="补记学员的 id（学员档案）"
    )


class AttendeesAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text="本次补记的人数")
    skipped = serializers.IntegerField(help_text="已记入本次培训、未重复记入的人数")
    session = OfflineSessionSerializer()


def _visible_class(request, pk):
    # Classes the user does not train do not exist for them: 404, never 403.
    training_class = classes_for_trainer(user=request.user).filter(pk=pk).first()
    if training_class is None:
        raise Http404
    return training_class


def _check_perm(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise exceptions.PermissionDenied(_("您没有记录线下学时的权限。"))


def _api_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {API_FIELDS.get(field, field): messages for field, messages in exc.message_dict.items()}
    )


def _with_count(session: OfflineSession) -> OfflineSession:
    return class_sessions(training_class=session.training_class).get(pk=session.pk)


NOT_FOUND = OpenApiResponse(description="培训班不存在或无权查看")


class OfflineSessionListView(ListAPIView):
    """The class's offline sessions, newest first; POST records one and credits its attendees."""

    permission_classes = [IsAuthenticated]
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
            "一次记入全部参加学员；任何一项有误（含有学员未报名本班）则什么也不记入，返回 400。"
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
        try:
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
        except DjangoValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(OfflineSessionSerializer(session).data, status=status.HTTP_201_CREATED)


class OfflineSessionAttendeesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="class_offline_session_attendees_add",
        summary="补记学员（签到表上补签的学员）",
        description="已记入本次培训的学员跳过，不会重复记入；有学员未报名本班则什么也不记入。",
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
        try:
            result = offline_session_add_attendees(
                session=session,
                trainee_ids=data.validated_data["trainees"],
                recorded_by=request.user,
            )
        except DjangoValidationError as exc:
            raise _api_errors(exc) from exc
        return Response(
            {
                "added": result.added,
                "skipped": result.skipped,
                "session": OfflineSessionSerializer(_with_count(session)).data,
            }
        )
