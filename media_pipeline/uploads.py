"""Refusing oversized video uploads before they are stored: the declared size and a streaming cap."""

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from media_pipeline import conf

# The limit is on the video file; a multipart body also carries boundaries, part headers and the
# title. 64 KiB is far more than those take, so a body declared larger than limit + this holds
# a file over the limit (or junk nobody should send).
FORM_OVERHEAD_BYTES = 64 * 1024


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def declared_too_large(request: HttpRequest) -> bool:
    """Whether the request's Content-Length already says its file is over MAX_UPLOAD_BYTES."""
    length = declared_length(request)
    return length is not None and length > conf.get("MAX_UPLOAD_BYTES") + FORM_OVERHEAD_BYTES


class UploadLimitHandler(FileUploadHandler):
    """Drops a multipart upload's files once they pass the limit, before the rest is stored.

    First in the handler list, so the memory and temporary-file handlers after it never receive
    the chunk that crosses the limit. SkipFile makes Django close (and so delete) the partial
    temporary file and read the rest of that part without keeping it; the other form fields
    (title, CSRF token) are still parsed whatever their order, and the client gets an answer.
    The request then simply lacks the file; the view reads `exceeded` to say why.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body declared too large is read and discarded from its first file on.
        if content_length > self.limit + FORM_OVERHEAD_BYTES:
            self.exceeded = True
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # Counted over every file of the request: many files under the limit must not add up.
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        # The next handler (memory or temporary file) builds the uploaded file.
        return None


def limit_uploads(request: HttpRequest) -> UploadLimitHandler:
    """Put the limit in front of the request's upload handlers; call before anything reads POST."""
    handler = UploadLimitHandler(request, limit=conf.get("MAX_UPLOAD_BYTES"))
    request.upload_handlers.insert(0, handler)
    return handler


def upload_limited(view: Callable) -> Callable:
    """A form view whose uploads are capped, with `request.upload_limit` set for it to read.

    CsrfViewMiddleware reads request.POST, and so parses the whole upload, before a view runs;
    Django's documented way to change upload handlers is therefore csrf_exempt outside and
    csrf_protect inside, after the handler is in place.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs):
        request.upload_limit = limit_uploads(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(limited)
