"""Serving a video's HLS playlists, segments, MP4 and poster after the access check."""

import mimetypes
import re
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_safe

from media_pipeline import conf, selectors, storage
from media_pipeline.captions import CAPTIONS_CONTENT_TYPE, CAPTIONS_NAME
from media_pipeline.exceptions import VideoNotFound
from media_pipeline.signed_urls import media_token_user

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


@require_safe
def video_media(request: HttpRequest, video_id: int, name: str) -> HttpResponse:
    """The browser's path: the session's user must pass the access rule."""
    return _serve(request, _video(video_id), name, user=request.user)


@require_safe
def video_media_signed(request: HttpRequest, token: str, video_id: int, name: str) -> HttpResponse:
    """The app's path: the user named by a valid signed token (signed_urls.py), no cookie or header."""
    video = _video(video_id)
    user = media_token_user(token=token, video=video)
    if user is None:
        raise Http404
    return _serve(request, video, name, user=user)


def _video(video_id: int):
    try:
        return selectors.video_get(video_id=video_id)
    except VideoNotFound:
        raise Http404 from None


def _serve(request: HttpRequest, video, name: str, *, user) -> HttpResponse:
    # 404 rather than 403: nobody learns that a restricted video exists.
    if not selectors.user_can_view_video(user=user, video=video):
        raise Http404
    if name == CAPTIONS_NAME:
        return _captions_response(video)
    stored = selectors.video_media_storage_name(video=video, name=name)
    if stored is None or not default_storage.exists(stored):
        raise Http404
    suffix = PurePosixPath(name).suffix
    content_type = (
        CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )

    if suffix == ".m3u8":
        # Playlists are small and always go through Django so their relative URIs resolve here.
        with default_storage.open(stored, "rb") as handle:
            response = HttpResponse(handle.read(), content_type=content_type)
    elif conf.get("X_ACCEL_PREFIX"):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{conf.get('X_ACCEL_PREFIX').rstrip('/')}/{stored}"
    else:
        local = storage.local_path(stored)
        if local is None:
            # Object storage: hand out the storage's own short-lived signed URL.
            return HttpResponseRedirect(default_storage.url(stored))
        response = _file_response(request, local, content_type)
    # Outputs never change under a URL (each encode publishes to a new folder) but stay private.
    response["Cache-Control"] = (
        "private, max-age=300" if suffix == ".m3u8" else "private, max-age=86400"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _captions_response(video) -> HttpResponse:
    """The video's 字幕 (WebVTT), after the same access check as its media; small, so read whole."""
    if not video.captions:
        raise Http404
    try:
        with video.captions.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(content, content_type=CAPTIONS_CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(request: HttpRequest, path, content_type: str) -> HttpResponse:
    """The file, or the byte range the request asked for (players seek in MP4s with Range)."""
    size = path.stat().st_size
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(path.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    else:
        # "bytes=-N": the last N bytes.
        start = max(0, size - int(last))
        end = size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    length = end - start + 1

    def chunks():
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = length
            while remaining > 0:
                data = handle.read(min(CHUNK, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield data

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Length"] = str(length)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
