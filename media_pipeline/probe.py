"""Probe media files by content: ffprobe when it is on PATH, otherwise PyAV; and find ffmpeg."""

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path


class ProbeError(Exception):
    """The file could not be read as media at all."""


@dataclass(frozen=True)
class StreamInfo:
    kind: str  # "video" | "audio" | other
    codec: str
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


@dataclass(frozen=True)
class ProbeResult:
    format_name: str
    duration: float | None
    size: int
    streams: list[StreamInfo] = field(default_factory=list)
    # Clockwise-agnostic display rotation in degrees (0, 90, 180, 270) from the display matrix.
    rotation: int = 0
    tool: str = ""

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as shown to the viewer (rotation applied)."""
        video = self.video
        if not video or not video.width or not video.height:
            return None
        if self.rotation in (90, 270):
            return video.height, video.width
        return video.width, video.height

    def as_dict(self) -> dict:
        return asdict(self)


def ffmpeg_binary() -> str:
    """ffmpeg on PATH, else the static build shipped by imageio-ffmpeg (no system packages needed)."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffprobe_binary() -> str | None:
    return shutil.which("ffprobe")


def normalise_rotation(value: float | int | None) -> int:
    if not value:
        return 0
    return int(round(float(value) / 90.0) * 90) % 360


def probe(path: str | Path) -> ProbeResult:
    """Streams, codecs, duration, size and rotation of a media file."""
    path = Path(path)
    if not path.exists():
        raise ProbeError(f"{path} does not exist")
    if ffprobe_binary():
        return _probe_ffprobe(path)
    return _probe_pyav(path)


def _rate(value) -> float | None:
    try:
        rate = float(Fraction(str(value)))
    except (ValueError, ZeroDivisionError, TypeError):
        return None
    return rate or None


def _probe_ffprobe(path: Path) -> ProbeResult:
    cmd = [
        ffprobe_binary(),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise ProbeError(proc.stderr.decode("utf-8", "replace").strip()[-500:] or "ffprobe failed")
    data = json.loads(proc.stdout or b"{}")
    fmt = data.get("format") or {}
    streams = []
    rotation = 0
    for raw in data.get("streams", []):
        kind = raw.get("codec_type", "")
        streams.append(
            StreamInfo(
                kind=kind,
                codec=raw.get("codec_name", ""),
                width=raw.get("width"),
                height=raw.get("height"),
                frame_rate=_rate(raw.get("avg_frame_rate")) or _rate(raw.get("r_frame_rate")),
                sample_rate=int(raw["sample_rate"]) if raw.get("sample_rate") else None,
                channels=raw.get("channels"),
            )
        )
        if kind == "video" and not rotation:
            for side in raw.get("side_data_list", []):
                if "rotation" in side:
                    rotation = normalise_rotation(side["rotation"])
            if not rotation and raw.get("tags", {}).get("rotate"):
                rotation = normalise_rotation(raw["tags"]["rotate"])
    duration = float(fmt["duration"]) if fmt.get("duration") else None
    return ProbeResult(
        format_name=fmt.get("format_name", ""),
        duration=duration,
        size=path.stat().st_size,
        streams=streams,
        rotation=rotation,
        tool="ffprobe",
    )


def _probe_pyav(path: Path) -> ProbeResult:
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise ProbeError(str(exc)) from exc
    with container:
        streams = []
        for stream in container.streams:
            kind = stream.type
            ctx = stream.codec_context
            if kind == "video":
                streams.append(
                    StreamInfo(
                        kind=kind,
                        codec=ctx.name if ctx else "",
                        width=ctx.width or None,
                        height=ctx.height or None,
                        frame_rate=_rate(stream.average_rate or stream.guessed_rate),
                    )
                )
            elif kind == "audio":
                streams.append(
                    StreamInfo(
                        kind=kind,
                        codec=ctx.name if ctx else "",
                        sample_rate=ctx.sample_rate or None,
                        channels=ctx.channels or None,
                    )
                )
            else:
                streams.append(StreamInfo(kind=kind, codec=ctx.name if ctx else ""))
        duration = container.duration / 1_000_000 if container.duration else None
        rotation = 0
        if container.streams.video:
            # PyAV exposes the display matrix on decoded frames, so decode the first one.
            try:
                frame = next(container.decode(video=0))
                rotation = normalise_rotation(getattr(frame, "rotation", 0))
            except (av.FFmpegError, StopIteration):
                rotation = 0
        return ProbeResult(
            format_name=container.format.name,
            duration=duration,
            size=path.stat().st_size,
            streams=streams,
            rotation=rotation,
            tool="pyav",
        )


def decodes_through(path: str | Path, *, duration: float | None) -> bool:
    """Whether the first video frame decodes and the data near the declared end is really there.

    A truncated upload often still has a complete header (faststart MP4s put it first), so the
    header's duration is not enough: read the packet that should sit half a second before the end.
    """
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.video:
                return False
            stream = container.streams.video[0]
            next(container.decode(stream))
            if duration and duration > 1 and stream.time_base:
                target = int((duration - 0.5) / stream.time_base)
                container.seek(target, stream=stream, backward=True, any_frame=True)
                packet = next((p for p in container.demux(stream)), None)
                if packet is None or not packet.size or packet.pts is None:
                    return False
                if float(packet.pts * stream.time_base) < duration * 0.5:
                    return False
    except (av.FFmpegError, StopIteration, OSError):
        return False
    return True
