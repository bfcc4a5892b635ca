"""Signed, expiring media URLs for clients that cannot send a session cookie or a token header
(native video players in mobile apps).

A signed URL puts `<user id>-<expires>-<signature>` in the path, before the video's files:

    /video-media/s/<user>-<expires>-<sig>/<video id>/master.m3u8

The signature is an HMAC (SECRET_KEY, SHA-256) over the user, the video, the path prefix it
grants (the video's current output folder: every playlist, segment, MP4 and poster of this encode)
and the expiry. The playlists list their variants and segments by relative URI, so a player that
resolves them against the playlist's own URL (RFC 3986, as every HLS client does) requests them
under the same signed prefix: each segment URI carries the signature without the playlist text
being touched, and nothing else can be reached with it. At request time the signature, the expiry,
the user (still active) and the access rule (the user may still see the video) are all checked;
anything wrong is a 404, like a video that does not exist.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from media_pipeline import conf
from media_pipeline.models import Video

SALT = "media_pipeline.signed_media_url"


def _signature(*, user_id: int, video: Video, prefix: str, expires: int) -> str:
    message = f"{user_id}:{video.pk}:{prefix}:{expires}"
    return salted_hmac(SALT, message, algorithm="sha256").hexdigest()[:40]


def _prefix(video: Video) -> str:
    return video.output_dir or ""


def media_token(*, user, video: Video, now: float | None = None) -> str:
    """The path segment that grants `user` (AnonymousUser too) the video's files until it expires."""
    expires = int(now if now is not None else time.time()) + conf.get("SIGNED_URL_SECONDS")
    user_id = user.pk if getattr(user, "is_authenticated", False) else 0
    signature = _signature(user_id=user_id, video=video, prefix=_prefix(video), expires=expires)
    return f"{user_id}-{expires}-{signature}"


def signed_media_url(*, user, video: Video, name: str) -> str:
    return reverse(
        "media_pipeline_signed_media",
        kwargs={"token": media_token(user=user, video=video), "video_id": video.pk, "name": name},
    )


def media_token_user(*, token: str, video: Video, now: float | None = None):
    """The user a valid, unexpired token was issued to (AnonymousUser for 0), else None."""
    try:
        user_part, expires_part, signature = token.split("-")
        user_id, expires = int(user_part), int(expires_part)
    except ValueError:
        return None
    if expires < (now if now is not None else time.time()):
        return None
    expected = _signature(user_id=user_id, video=video, prefix=_prefix(video), expires=expires)
    if not constant_time_compare(signature, expected):
        return None
    if user_id == 0:
        return AnonymousUser()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user
