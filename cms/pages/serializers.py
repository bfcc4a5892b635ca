"""API representations of courses and lessons (docs/api.md, "Content")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def page_absolute_url(page, request) -> str | None:
    """The page's address on the host the client used (http://127.0.0.1:8000/… when it asked
    there), not the Wagtail Site record's (which said http://localhost/…)."""
    if request is None:
        return page.get_full_url()
    relative = page.get_url(request=request)
    return request.build_absolute_uri(relative) if relative else None


class LessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["article", "video"])
    course = serializers.SerializerMethodField()
    class_hours = serializers.DecimalField(
        source="effective_class_hours", max_digits=5, decimal_places=2
    )
    duration_seconds = serializers.FloatField(allow_null=True)
    min_reading_seconds = serializers.SerializerMethodField()
    summary = serializers.CharField()
    url = serializers.SerializerMethodField()
    first_published_at = serializers.DateTimeField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_course(self, lesson):
        course = getattr(lesson, "course_page", None)
        return course.id if course else None

    # Article lessons only; null for video lessons.
    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_min_reading_seconds(self, lesson):
        return getattr(lesson, "min_reading_seconds", None)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, lesson):
        return page_absolute_url(lesson, self.context.get("request"))


class VideoPlaybackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    hls_url = serializers.CharField(allow_null=True)
    mp4_url = serializers.CharField(allow_null=True)
    poster_url = serializers.CharField(allow_null=True)
    # 字幕 (WebVTT, zh-Hans; signed like the others), null when the video has none.
    captions_url = serializers.CharField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)


class LessonProgressSerializer(serializers.Serializer):
    credited_seconds = serializers.FloatField()
    watched_ratio = serializers.FloatField()
    completed = serializers.BooleanField()
    class_hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    last_position = serializers.FloatField()


class LessonDetailSerializer(LessonSerializer):
    body_html = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()
    quiz = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    # Article lessons only; null for video lessons.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body_html(self, lesson):
        if lesson.kind != "article":
            return None
        return str(lesson.body.render_as_block())

    @extend_schema_field(VideoPlaybackSerializer(allow_null=True))
    def get_video(self, lesson):
        video = self.context.get("video")
        request = self.context.get("request")
        if not video or request is None:
            return video
        # Mobile clients need absolute addresses.
        return {
            key: request.build_absolute_uri(value) if key.endswith("_url") and value else value
            for key, value in video.items()
        }

    # The lesson's practice quiz id, null when it has none.
    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_quiz(self, lesson):
        return self.context.get("quiz")

    @extend_schema_field(LessonProgressSerializer(allow_null=True))
    def get_progress(self, lesson):
        return self.context.get("progress")


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    intro_html = serializers.CharField(source="intro")
    cover_url = serializers.SerializerMethodField()
    lesson_count = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    first_published_at = serializers.DateTimeField()

    # Null for a course without a cover image.
    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_url(self, course):
        if not course.cover_image_id:
            return None
        rendition = course.cover_image.get_rendition("fill-640x300")
        request = self.context.get("request")
        return request.build_absolute_uri(rendition.url) if request else rendition.url

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, course):
        return page_absolute_url(course, self.context.get("request"))


class CourseDetailSerializer(CourseSerializer):
    lessons = serializers.SerializerMethodField()

    @extend_schema_field(LessonSerializer(many=True))
    def get_lessons(self, course):
        return LessonSerializer(self.context["lessons"], many=True, context=self.context).data
