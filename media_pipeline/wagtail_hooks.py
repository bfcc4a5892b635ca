"""Admin wiring for the media pipeline: the 视频库, the video chooser and the encoding ladder."""

from wagtail import hooks

from media_pipeline.viewsets import (
    encoding_profile_viewset,
    video_chooser_viewset,
    video_viewset,
)


@hooks.register("register_admin_viewset")
def register_video_chooser_viewset():
    return video_chooser_viewset


@hooks.register("register_admin_viewset")
def register_video_viewset():
    return video_viewset


@hooks.register("register_admin_viewset")
def register_encoding_profile_viewset():
    return encoding_profile_viewset
