"""Admin wiring for the media pipeline: the 视频库 menu item and the video chooser."""

from wagtail import hooks

from media_pipeline.viewsets import video_chooser_viewset, video_viewset


@hooks.register("register_admin_viewset")
def register_video_chooser_viewset():
    return video_chooser_viewset


@hooks.register("register_admin_viewset")
def register_video_viewset():
    return video_viewset
