"""Wagtail admin chooser for videos, used by video lesson pages and the embedded-video block."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.chooser import ChooserViewSet


class VideoChooserViewSet(ChooserViewSet):
    model = "media_pipeline.Video"
    icon = "media"
    choose_one_text = _("选择视频")
    choose_another_text = _("选择其他视频")
    edit_item_text = _("编辑视频")
    per_page = 20


video_chooser_viewset = VideoChooserViewSet("video_chooser")
