"""字幕 (captions) of a video: a WebVTT file, checked before it is stored.

A caption file must be UTF-8 (a byte-order mark is allowed), start with the WEBVTT signature
(https://www.w3.org/TR/webvtt1/#file-structure: "WEBVTT" then a space, a tab or the end of the line),
hold at least one cue timing line ("-->") and stay under CAPTIONS_MAX_BYTES."""

import re

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from media_pipeline import conf

CAPTIONS_NAME = "captions.vtt"
CAPTIONS_CONTENT_TYPE = "text/vtt; charset=utf-8"
SIGNATURE = re.compile(r"\AWEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|\Z)")
CUE_TIMING = re.compile(r"(?:\d+:)?\d{2}:\d{2}\.\d{3}[ \t]+-->[ \t]+(?:\d+:)?\d{2}:\d{2}\.\d{3}")


def captions_check(file) -> None:
    """Raise ValidationError (in Chinese, English through the catalogue) unless `file` is a
    WebVTT caption file the player can use."""
    limit = conf.get("CAPTIONS_MAX_BYTES")
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("字幕文件太大（上限 %(limit)s）。") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(0)
    if len(data) > limit:
        raise ValidationError(
            _("字幕文件太大（上限 %(limit)s）。") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(
            _("字幕文件必须是 UTF-8 编码（在记事本等编辑器中“另存为”UTF-8）。"), code="encoding"
        ) from None
    text = text.removeprefix("\ufeff")
    if not SIGNATURE.match(text):
        raise ValidationError(
            _("这不是 WebVTT 字幕文件：第一行必须是 WEBVTT。SRT 字幕请先转换为 WebVTT。"),
            code="signature",
        )
    if "\x00" in text or not CUE_TIMING.search(text):
        raise ValidationError(
            _("字幕文件里没有字幕条目（例如 00:00:01.000 --> 00:00:04.000）。"), code="no_cues"
        )
