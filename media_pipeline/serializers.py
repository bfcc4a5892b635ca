"""REST serializers of the media pipeline (docs/api.md, Media)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class VideoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("视频文件"), allow_empty_file=True)
    title = serializers.CharField(label=_("标题"), max_length=255)


class VideoCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class RenditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    bitrate = serializers.IntegerField(help_text="Peak bitrate (BANDWIDTH), bits per second.")
    average_bitrate = serializers.IntegerField()
    url = serializers.CharField(allow_null=True)


class VideoDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "processing", "ready", "failed"])
    progress = serializers.IntegerField(min_value=0, max_value=100)
    error = serializers.CharField(allow_blank=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    renditions = RenditionSerializer(many=True)
    hls_url = serializers.CharField(allow_null=True)
    mp4_url = serializers.CharField(allow_null=True)
    poster_url = serializers.CharField(allow_null=True)
    # 字幕 (WebVTT, zh-Hans), null when the video has none.
    captions_url = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
