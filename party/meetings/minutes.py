"""Writes of a meeting's minutes (会议记录): a draft edited in place, signed off by the secretary
and then locked; a later change is a new version."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from party.meetings.exceptions import AlreadyRecordedError, MeetingError, OutOfScopeError
from party.meetings.models import Meeting, Minutes, MinutesPhoto
from party.organisation.selectors import unit_scope

PHOTO_MAGIC = {"jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff", "png": b"\x89PNG"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def check_photo(upload) -> None:
    suffix = (upload.name or "").rsplit(".", 1)[-1].lower()
    if suffix not in PHOTO_MAGIC:
        raise MeetingError(_("照片只能是 JPG 或 PNG。"), code="photo_kind")
    if upload.size > PHOTO_MAX_BYTES:
        raise MeetingError(_("照片不能超过 10 MB。"), code="photo_size")
    head = upload.read(4)
    upload.seek(0)
    if not head.startswith(PHOTO_MAGIC[suffix]):
        raise MeetingError(_("照片内容与文件类型不符。"), code="photo_content")


def _check(meeting: Meeting, by_user) -> None:
    if not unit_scope(user=by_user).covers(meeting.unit):
        raise OutOfScopeError(_("会议不存在。"), code="not_found")
    if meeting.starts_at > timezone.now():
        raise MeetingError(_("会议尚未召开，不能填写会议记录。"), code="not_started")


@transaction.atomic
def minutes_save(
    *,
    meeting: Meeting,
    by_user,
    content: str,
    decisions: str = "",
    summary: str = "",
    photos: list | None = None,
) -> Minutes:
    """Save the minutes: edits the unsigned draft, or starts a new version after a sign-off."""
    _check(meeting, by_user)
    if not content.strip():
        raise MeetingError(_("请填写会议记录。"), code="content")
    for photo in photos or []:
        check_photo(photo)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one writer at a time
    latest = meeting.minutes.order_by("-version").first()
    if latest is not None and not latest.locked:
        latest.content, latest.decisions, latest.summary = content, decisions, summary
        latest.written_by, latest.written_at = by_user, timezone.now()
        latest.save()
        minutes = latest
    else:
        minutes = Minutes.objects.create(
            meeting=meeting,
            version=(latest.version + 1) if latest else 1,
            content=content,
            decisions=decisions,
            summary=summary,
            written_by=by_user,
        )
        if latest is not None:  # the new version starts with the signed one's photos
            MinutesPhoto.objects.bulk_create(
                [MinutesPhoto(minutes=minutes, image=p.image.name) for p in latest.photos.all()]
            )
    for photo in photos or []:
        MinutesPhoto.objects.create(minutes=minutes, image=photo)
    return minutes


@transaction.atomic
def minutes_sign_off(*, meeting: Meeting, by_user) -> Minutes:
    """The secretary signs the latest draft off; it is locked from then on."""
    _check(meeting, by_user)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    latest = meeting.minutes.order_by("-version").first()
    if latest is None:
        raise MeetingError(_("还没有会议记录。"), code="no_minutes")
    if latest.locked:
        raise AlreadyRecordedError(_("会议记录已审签。"), code="already_signed")
    latest.signed_off_by, latest.signed_off_at = by_user, timezone.now()
    latest.save(update_fields=["signed_off_by", "signed_off_at"])
    return latest
