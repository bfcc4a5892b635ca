"""Serializers of the progress REST API: what its JSON looks like (api_views.py uses them)."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from learning.progress import services
from learning.progress.models import OFFLINE_SOURCES

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
    leave_count = serializers.IntegerField(help_text="记录了请假的学员人数")
    recorded_by = serializers.CharField(source="recorded_by.username")
    created_at = serializers.DateTimeField()


class OfflineSessionInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=[s.value for s in OFFLINE_SOURCES],
        help_text="offline_lecture 集中授课，offline_discussion 分组讨论，offline_practice 实践教学",
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


class OfflineLeaveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    trainee = serializers.IntegerField(source="trainee_id", help_text="学员 id（学员档案）")
    trainee_name = serializers.CharField(source="trainee.name")
    reason = serializers.CharField(help_text="请假事由")
    recorded_by = serializers.CharField(source="recorded_by.username")
    created_at = serializers.DateTimeField()
    active = serializers.BooleanField(
        source="is_active", help_text="是否有效：撤销后为 false，记录保留，不再计入"
    )
    withdrawn_at = serializers.DateTimeField(allow_null=True, help_text="撤销时间（未撤销为 null）")
    withdrawn_by = serializers.CharField(
        source="withdrawn_by.username", allow_null=True, default=None, help_text="撤销人"
    )


class OfflineLeaveInputSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(
        help_text="请假学员的 id（学员档案）：本班学员，未参加本次培训"
    )
    reason = serializers.CharField(
        max_length=500, help_text="请假事由（必填）：没有事由的请假不计入结业条件"
    )
