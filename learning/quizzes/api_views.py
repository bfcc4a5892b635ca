"""REST views of quizzes and attempts: parse, call one service, respond (docs/api.md)."""

from functools import cache

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from learning.quizzes import selectors, services
from learning.quizzes.models import Attempt, ReviewLevel
from learning.quizzes.serializers import (
    AnswerInputSerializer,
    AnswerSavedSerializer,
    AttemptQuestionSerializer,
    AttemptSerializer,
    FocusLostInputSerializer,
    FocusLostSerializer,
    SubmitResultSerializer,
)


def attempt_payload(detail: dict) -> dict:
    """The attempt as JSON; fields the review rules left out stay out (not null).

    Shaped by the serializers' own fields, called directly (AttemptSerializer for the attempt,
    AttemptQuestionSerializer for each of its 40-odd questions): building the serializers on every
    call (each copies its fields) was a third of the server work of starting an exam
    (docs/performance.md). The output is the same (tests/learning/quizzes/test_quiz_api.py
    compares both).
    """
    data = {}
    for name, field in _fields(AttemptSerializer).items():
        if name not in detail:
            continue
        value = detail[name]
        if name == "questions":
            data[name] = [_question_payload(question) for question in value]
        else:
            data[name] = None if value is None else field.to_representation(value)
    return data


_ABSENT = object()
# The text of a decimal field's value given as text (a snapshot's score, "2"), by field name and
# value: DecimalField.to_representation parses, quantizes and formats it anew for each of an
# attempt's 40 questions, and an exam has a handful of distinct scores. Cleared when it grows past
# this many (a bound, not a working set).
_DECIMALS_SHOWN_MAX = 1024
_decimals_shown: dict[tuple[str, str], str] = {}


@cache
def _question_fields() -> tuple[tuple[str, object, bool], ...]:
    """AttemptQuestionSerializer's fields in order, built once: (name, field, is it a decimal)."""
    return tuple(
        (name, field, isinstance(field, serializers.DecimalField))
        for name, field in _fields(AttemptQuestionSerializer).items()
    )


def _question_payload(question: dict) -> dict:
    item = {}
    for name, field, decimal in _question_fields():
        value = question.get(name, _ABSENT)
        if value is _ABSENT:
            continue
        if value is None:
            item[name] = None
        elif name == "options":
            item[name] = [{"key": str(o["key"]), "text": str(o["text"])} for o in value]
        elif decimal and type(value) is str:
            shown = _decimals_shown.get((name, value))
            if shown is None:
                if len(_decimals_shown) >= _DECIMALS_SHOWN_MAX:
                    _decimals_shown.clear()
                shown = _decimals_shown[(name, value)] = field.to_representation(value)
            item[name] = shown
        else:
            item[name] = field.to_representation(value)
    return item


def answer_input(data):
    """The answer of a save's body, as AnswerInputSerializer validates it. A JSON object with an
    `answer` (what the exam page sends) holds it as is: the serializer's field takes any JSON
    value, null included, and would return it unchanged, so no serializer is built for it (every
    save, issue 20). Anything else (a form body, no `answer`) goes through the serializer for its
    400."""
    if type(data) is dict and "answer" in data:
        return data["answer"]
    body = AnswerInputSerializer(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data["answer"]


@cache
def _fields(serializer_class) -> dict:
    return dict(serializer_class().fields)


def shaped(serializer_class, values: dict) -> dict:
    """What `serializer_class(values).data` gives for a dict holding every one of its fields,
    shaped by its fields built once (a serializer copies its fields each time it is built)."""
    return {
        name: None if values[name] is None else field.to_representation(values[name])
        for name, field in _fields(serializer_class).items()
    }


def _own_attempt(request, attempt_id: int) -> Attempt:
    # Other users' attempts do not exist for this user: 404, never 403.
    attempt = (
        Attempt.objects.select_related("quiz").filter(pk=attempt_id, user=request.user).first()
    )
    if attempt is None:
        raise Http404
    return attempt


class QuizAttemptsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="quiz_attempt_start",
        summary="开始作答（或继续进行中的作答）",
        request=None,
        responses={
            201: AttemptSerializer,
            200: AttemptSerializer,
            404: OpenApiResponse(description="测验不存在或无权参加"),
            409: OpenApiResponse(description="不在开放时间、次数已用完"),
        },
        tags=["quizzes"],
    )
    def post(self, request, quiz_id: int):
        # The quiz with the user's enrolment, attempts so far and draw plan: one statement.
        quiz = selectors.quiz_for_start(quiz_id=quiz_id, user=request.user)
        if quiz is None:
            raise Http404
        # NotAllowed (a plain 404) and QuizNotAvailable (409) are answered by
        # cms.api_support.exception_handler, as every typed error of learning.
        attempt, created = services.attempt_start(quiz=quiz, user=request.user)
        attempt.quiz = quiz
        # A new attempt has no saved answers: not read.
        detail = selectors.attempt_detail(attempt=attempt, answers=[] if created else None)
        data = attempt_payload(detail)
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttemptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempt_detail",
        summary="作答详情：剩余时间、已保存的答案；允许查看时含正确答案与解析",
        responses={200: AttemptSerializer, 404: OpenApiResponse(description="不存在")},
        tags=["quizzes"],
    )
    def get(self, request, attempt_id: int):
        attempt = _own_attempt(request, attempt_id)
        if services.attempt_close_if_overdue(attempt_id=attempt.pk):
            attempt = _own_attempt(request, attempt_id)
        return Response(attempt_payload(selectors.attempt_detail(attempt=attempt)))


class AttemptAnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempt_answer_save",
        summary="保存一道题的答案",
        request=AnswerInputSerializer,
        responses={
            200: AnswerSavedSerializer,
            400: OpenApiResponse(description="答案格式不正确"),
            404: OpenApiResponse(description="作答或试题不存在"),
            409: OpenApiResponse(description="已交卷或已过截止时间"),
        },
        tags=["quizzes"],
    )
    def put(self, request, attempt_id: int, question_id: int):
        try:
            saved = services.attempt_answer_save(
                attempt_id=attempt_id,
                user=request.user,
                question_id=question_id,
                answer=answer_input(request.data),
            )
        except Attempt.DoesNotExist as exc:
            raise Http404 from exc
        return Response(
            shaped(
                AnswerSavedSerializer,
                {
                    "question_id": saved.question_id,
                    "answer": saved.answer,
                    "saved_at": saved.saved_at,
                    "remaining_seconds": saved.remaining_seconds,
                },
            )
        )


class AttemptSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempt_submit",
        summary="交卷（重复提交返回同一结果）",
        request=None,
        responses={200: SubmitResultSerializer, 404: OpenApiResponse(description="不存在")},
        tags=["quizzes"],
    )
    def post(self, request, attempt_id: int):
        try:
            attempt = services.attempt_submit(attempt_id=attempt_id, user=request.user)
        except Attempt.DoesNotExist as exc:
            raise Http404 from exc
        level = selectors.review_level(attempt=attempt)
        # The score is part of the review: a quiz that shows nothing after submit hides it too.
        visible = level != ReviewLevel.NOTHING
        return Response(
            SubmitResultSerializer(
                {
                    "id": attempt.pk,
                    "state": attempt.state,
                    "score": attempt.score if visible else None,
                    "max_score": attempt.max_score if visible else None,
                    "passed": attempt.passed if visible else None,
                    "closed_by_deadline": attempt.closed_by_deadline,
                    "closed_by_focus_loss": attempt.closed_by_focus_loss,
                }
            ).data
        )


class AttemptFocusLostView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempt_focus_lost",
        summary="报告离开考试页面一次（切屏）；超过次数上限自动交卷",
        description=(
            "考试页面每次被隐藏（切换应用或标签页、锁屏、刷新或关闭页面）时报告一次。"
            "同一 event_id 只计一次，断网后重试不会重复计数。次数超过测验的上限（max_focus_losses，"
            "0 为不限制）时自动交卷，返回的 state 不再是 in_progress。"
        ),
        request=FocusLostInputSerializer,
        responses={
            200: FocusLostSerializer,
            400: OpenApiResponse(description="event_id 格式不正确"),
            404: OpenApiResponse(description="作答不存在"),
            409: OpenApiResponse(description="已交卷或已过截止时间"),
        },
        tags=["quizzes"],
    )
    def post(self, request, attempt_id: int):
        body = FocusLostInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            lost = services.attempt_focus_lost(
                attempt_id=attempt_id,
                user=request.user,
                event_id=body.validated_data["event_id"],
                hidden_at=body.validated_data.get("hidden_at"),
            )
        except Attempt.DoesNotExist as exc:
            raise Http404 from exc
        data = {
            "id": lost.attempt_id,
            "state": lost.state,
            "focus_losses": lost.focus_losses,
            "max_focus_losses": lost.max_focus_losses,
            "closed_by_focus_loss": lost.closed_by_focus_loss,
            "recorded": lost.recorded,
        }
        if lost.closed_by_focus_loss:
            data["detail"] = _("离开考试页面次数超过限制，已自动交卷。")
        return Response(FocusLostSerializer(data).data)
