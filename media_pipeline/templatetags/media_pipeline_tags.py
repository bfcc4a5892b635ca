"""Template tags of the media pipeline: what the player include needs to know about a video."""

from django import template

from media_pipeline import selectors

register = template.Library()


@register.simple_tag
def video_playback(video) -> dict:
    """{% video_playback video as playback %}: status, progress and the URLs of HLS, MP4, poster."""
    return selectors.video_playback(video=video or None)
