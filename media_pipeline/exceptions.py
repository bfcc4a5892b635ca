"""Typed errors of the media pipeline; callers catch these, never ffmpeg or storage errors."""

from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from media_pipeline import conf


class MediaPipelineError(Exception):
    """Base class of every error the pipeline's public API raises."""


class WorkerLost(MediaPipelineError):
    """Recorded on a background-task row whose worker died mid-encode (its job's lease ran out)."""


class VideoRejected(MediaPipelineError):
    """An upload that is not a playable video (checked by content) or is too big; nothing was saved."""

    # code → (Chinese message, English message); API errors carry both.
    MESSAGES = {
        "empty": (_("文件为空（0 字节）。"), "The file is empty (0 bytes)."),
        "too_large": (
            _("文件过大，超过上传上限（%(limit)s）。"),
            "The file is larger than the upload limit (%(limit)s).",
        ),
        "not_media": (
            _("无法识别为视频文件，请上传 MP4、MOV 等格式的视频。"),
            "The file is not a video (checked by its content, not its name).",
        ),
        "audio_only": (
            _("文件只有音频，没有视频画面。"),
            "The file contains audio only, no video stream.",
        ),
        "no_duration": (
            _("视频没有可播放的时长。"),
            "The video has no playable duration.",
        ),
        "too_many_pixels": (
            _("视频画面过大（%(width)s×%(height)s），上限为 %(max_pixels)s 像素（如 3840×2160）。"),
            "The picture is too large (%(width)s×%(height)s); the limit is %(max_pixels)s "
            "pixels (e.g. 3840×2160).",
        ),
        "too_long": (
            _("视频过长（%(duration)s），上限为 %(max_duration)s。"),
            "The video is too long (%(duration)s); the limit is %(max_duration)s.",
        ),
        "frame_rate_too_high": (
            _("视频帧率过高（%(rate)s 帧/秒），上限为 %(max_rate)s 帧/秒。"),
            "The frame rate is too high (%(rate)s fps); the limit is %(max_rate)s fps.",
        ),
        "truncated": (
            _("视频文件不完整（可能上传中断或文件已损坏）。"),
            "The video file is incomplete or damaged (truncated).",
        ),
    }

    def __init__(self, code: str, *, detail: str = "", **params):
        self.code = code
        self.detail = detail
        self.params = params
        super().__init__(self.message)

    def _params(self) -> dict:
        return {"limit": filesizeformat(conf.get("MAX_UPLOAD_BYTES")), **self.params}

    @property
    def message_zh(self) -> str:
        return str(self.MESSAGES[self.code][0]) % self._params()

    @property
    def message_en(self) -> str:
        with translation.override("en"):
            return self.MESSAGES[self.code][1] % self._params()

    @property
    def message(self) -> str:
        """ "中文。English." as the API returns it."""
        return f"{self.message_zh}{self.message_en}"


class VideoNotFound(MediaPipelineError):
    """No video with that id."""


class JobStateConflict(MediaPipelineError):
    """The job's status forbids the action (e.g. retrying a job that has not failed)."""
