"""REST views for courses and lessons: parse, call a selector, respond."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from cms.pages import selectors
from cms.pages.serializers import (
    CourseDetailSerializer,
    CourseSerializer,
    LessonDetailSerializer,
    LessonSerializer,
)


class CourseListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CourseSerializer

    def get_queryset(self):
        return selectors.course_list(user=self.request.user)

    @extend_schema(tags=["content"], summary="专题列表 List courses", operation_id="courses_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CourseDetailView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = CourseDetailSerializer

    @extend_schema(tags=["content"], summary="专题详情 A course with its ordered lessons")
    def get(self, request, pk: int):
        course = selectors.course_get(user=request.user, course_id=pk)
        if course is None:
            raise Http404
        lessons = selectors.course_lessons(course=course, user=request.user)
        course.lesson_count = len(lessons)
        serializer = self.get_serializer(course, context={"request": request, "lessons": lessons})
        return Response(serializer.data)


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("必须是整数。")]}) from None


class LessonListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = LessonSerializer

    @extend_schema(
        tags=["content"],
        summary="微党课列表 List published lessons",
        operation_id="lessons_list",
        parameters=[
            OpenApiParameter("course", int, description="专题 id"),
            OpenApiParameter("kind", str, enum=["article", "video"]),
        ],
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # An empty kind is an invalid kind (400), not "any kind".
        kind = request.query_params.get("kind")
        if kind not in (None, "article", "video"):
            raise exceptions.ValidationError({"kind": [_("只能是 article 或 video。")]})
        course_id = _int_param(request, "course")
        # Paginate ids first, then load only this page's lessons with their specific fields.
        ids = selectors.lesson_ids(user=request.user, kind=kind, course_id=course_id)
        page_ids = self.paginate_queryset(ids)
        lessons = selectors.lessons_by_ids(ids=page_ids)
        return self.get_paginated_response(self.get_serializer(lessons, many=True).data)


class LessonDetailView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = LessonDetailSerializer

    @extend_schema(
        tags=["content"], summary="微党课详情 A lesson with body, video, quiz and progress"
    )
    def get(self, request, pk: int):
        lesson = selectors.lesson_get(user=request.user, lesson_id=pk)
        if lesson is None:
            raise Http404
        context = {"request": request, **selectors.lesson_extras(lesson=lesson, user=request.user)}
        return Response(self.get_serializer(lesson, context=context).data)
