"""Who may fetch a pipeline video's media: the rule behind settings.MEDIA_PIPELINE_ACCESS_CHECK."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from cms.pages.models import VideoLessonPage
from cms.pages.selectors import visible_pages
from media_pipeline.api import user_has_media_rights


def user_can_view_video(user, video) -> bool:
    """True when the video is on a live page the user may see, or the user manages media.

    A video counts as used by a page when it is a video lesson's `video`, or chosen in an
    embedded-video block (found through Wagtail's reference index, which records chooser blocks).
    """
    if user_has_media_rights(user):
        return True
    lessons = VideoLessonPage.objects.filter(video_id=video.pk)
    if visible_pages(user=user, queryset=lessons).exists():
        return True
    page_ids = (
        ReferenceIndex.get_references_to(video)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    ids = [int(pk) for pk in page_ids if str(pk).isdigit()]
    if not ids:
        return False
    return visible_pages(user=user, queryset=Page.objects.filter(pk__in=ids)).exists()
