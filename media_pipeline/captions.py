"""字幕 (captions) of a video: a WebVTT file, checked before it is stored.

An editor uploads a WebVTT (.vtt) or SubRip (.srt) file. `captions_webvtt(file)` is the one
implementation of what is accepted: it reads at most CAPTIONS_MAX_BYTES, decodes the text (UTF-8 with
or without a byte-order mark, UTF-16 with a byte-order mark as Notepad's "Unicode", or GB18030/GBK as
made on Chinese Windows), converts SRT to WebVTT (`srt_to_webvtt`), and checks the WebVTT: the
WEBVTT signature (https://www.w3.org/TR/webvtt1/#file-structure: "WEBVTT" then a space, a tab or the
end of the line) and at least one cue timing line. What it returns is stored as UTF-8."""

import re

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from media_pipeline import conf

CAPTIONS_NAME = "captions.vtt"
CAPTIONS_CONTENT_TYPE = "text/vtt; charset=utf-8"
SIGNATURE = re.compile(r"\AWEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|\Z)")
CUE_TIMING = re.compile(r"(?:\d+:)?\d{2}:\d{2}\.\d{3}[ \t]+-->[ \t]+(?:\d+:)?\d{2}:\d{2}\.\d{3}")

# SubRip: "00:00:01,000 --> 00:00:04,000" (tools also write one-digit hours, fewer millisecond
# digits, and "X1:… Y2:…" positions after the timing, which WebVTT has no use for). The comma is what
# tells SRT from a WebVTT file that lost its header, which is refused.
_SRT_TIME = r"(\d{1,2}):(\d{1,2}):(\d{1,2}),(\d{1,3})"
SRT_TIMING = re.compile(rf"\A[ \t]*{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t].*)?\Z")
# Cue text: <i> <b> <u> are WebVTT too; <font …> and {\an8}-style ASS overrides are dropped; any
# other "<" and a bare "&" are escaped so the browser shows them as written.
_KEPT_TAG = re.compile(r"<(/?)([ibu])>", re.IGNORECASE)
_DROPPED = re.compile(r"</?font\b[^>]*>|\{\\[^}]*\}", re.IGNORECASE)
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|nbsp|lrm|rlm|#\d+|#x[0-9a-fA-F]+);)")


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("字幕文件太大（上限 %(limit)s）。") % {"limit": filesizeformat(limit)}, code="too_large"
    )


def _read(file) -> bytes:
    limit = conf.get("CAPTIONS_MAX_BYTES")
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(0)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def captions_decode(data: bytes) -> str:
    """The text of a caption file: a byte-order mark decides (UTF-8, UTF-16); without one, UTF-8,
    else GB18030 (a superset of GBK, what Chinese Windows saves as "ANSI"); else refused."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        pass
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return data.decode("gb18030")
            except UnicodeDecodeError:
                pass
    raise ValidationError(
        _(
            "无法识别字幕文件的文字编码（支持 UTF-8 和 GBK）。请在记事本等编辑器中"
            "“另存为”UTF-8 编码后再上传。"
        ),
        code="encoding",
    )


def _vtt_time(hours: str, minutes: str, seconds: str, fraction: str) -> str:
    return f"{int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}.{fraction.ljust(3, '0')}"


def _cue_text(line: str) -> str:
    line = _DROPPED.sub("", line)
    tags: list[str] = []

    def keep(match: re.Match) -> str:
        tags.append(f"<{match[1]}{match[2].lower()}>")
        return f"\x00{len(tags) - 1}\x00"

    line = _KEPT_TAG.sub(keep, line)
    line = _BARE_AMP.sub("&amp;", line).replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\x00(\d+)\x00", lambda match: tags[int(match[1])], line)


def srt_to_webvtt(text: str) -> str:
    """Convert SubRip text to WebVTT: the header, timestamps with a full stop, cue numbers kept as
    cue ids, positions dropped, <i>/<b>/<u> kept, other markup escaped or dropped; CRLF, trailing
    spaces and blank lines do not matter. A blank line inside a cue's text is closed up."""
    cues: list[list[str]] = []
    block: list[str] = []
    for raw in [*text.splitlines(), ""]:
        line = raw.rstrip()
        if line:
            block.append(line)
            continue
        if not block:
            continue
        at = next((i for i, each in enumerate(block[:2]) if SRT_TIMING.match(each)), None)
        if at is None:
            if cues:  # text after a blank line inside a cue
                cues[-1].extend(_cue_text(each) for each in block)
        else:
            timing = SRT_TIMING.match(block[at])
            cue = [
                f"{_vtt_time(*timing.groups()[:4])} --> {_vtt_time(*timing.groups()[4:])}",
                *(_cue_text(each) for each in block[at + 1 :]),
            ]
            if at == 1 and "-->" not in block[0]:
                cue.insert(0, block[0].strip())
            cues.append(cue)
        block = []
    return "WEBVTT\n\n" + "\n\n".join("\n".join(cue) for cue in cues) + "\n"


def captions_webvtt(file) -> str:
    """The WebVTT text to store for an uploaded caption file (.vtt or .srt), or ValidationError in
    Chinese (English through the catalogue) saying what is wrong."""
    text = captions_decode(_read(file)).removeprefix("\ufeff")
    if "\x00" in text:
        raise ValidationError(
            _("字幕文件里没有字幕条目（例如 00:00:01.000 --> 00:00:04.000）。"), code="no_cues"
        )
    if not SIGNATURE.match(text):
        if not any(SRT_TIMING.match(line) for line in text.splitlines()):
            raise ValidationError(
                _(
                    "这不是字幕文件：WebVTT 字幕的第一行必须是 WEBVTT，SRT 字幕须有时间行"
                    "（例如 00:00:01,000 --> 00:00:04,000）。"
                ),
                code="signature",
            )
        text = srt_to_webvtt(text)
    if not CUE_TIMING.search(text):
        raise ValidationError(
            _("字幕文件里没有字幕条目（例如 00:00:01.000 --> 00:00:04.000）。"), code="no_cues"
        )
    return text
