"""Pure functions that plan an encode and build its ffmpeg command (ffmpeg-python) and HLS playlists.

Nothing here runs ffmpeg or touches the database, so it is all testable from plain data.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

AUDIO_CODEC_TAG = "mp4a.40.2"  # AAC-LC
# H.264 levels by (max macroblocks per second, max frame size in macroblocks); Rec. ITU-T H.264 A-1.
H264_LEVELS = [
    (30, 40_500, 1_620),
    (31, 108_000, 3_600),
    (32, 216_000, 5_120),
    (40, 245_760, 8_192),
    (42, 522_240, 8_704),
    (50, 589_824, 22_080),
    (51, 983_040, 36_864),
    (52, 2_073_600, 36_864),
]


class ProfileLike(Protocol):
    name: str
    height: int
    video_bitrate: int
    audio_bitrate: int
    crf: int


@dataclass(frozen=True)
class Rung:
    """One planned output picture size with its rate control."""

    name: str
    width: int
    height: int
    video_bitrate: int  # kbps, the cap for capped CRF
    audio_bitrate: int  # kbps
    crf: int

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)


@dataclass(frozen=True)
class EncodingPlan:
    """What one ffmpeg run produces: HLS rungs, the MP4 fallback and the poster."""

    rungs: tuple[Rung, ...]
    mp4: Rung
    segment_seconds: int
    frame_rate: float
    gop: int
    has_audio: bool
    poster_time: float
    preset: str

    @property
    def h264_level(self) -> int:
        return h264_level(self.rungs + (self.mp4,), frame_rate=self.frame_rate)


def even(value: float) -> int:
    """Nearest even integer ≥ 2 (4:2:0 chroma needs even dimensions)."""
    return max(2, int(round(value / 2.0)) * 2)


def scaled_size(*, width: int, height: int, short_side: int) -> tuple[int, int]:
    """The size with the given short side, keeping the aspect ratio and the orientation."""
    if width >= height:
        return even(width * short_side / height), even(short_side)
    return even(short_side), even(height * short_side / width)


def plan_ladder(
    *, profiles: Sequence[ProfileLike], display_width: int, display_height: int
) -> list[Rung]:
    """The rungs for a source shown at display_width×display_height; never upscales.

    Profile heights mean the short side, so a portrait phone video gets the same ladder as a
    landscape one. A source smaller than every profile gets one rung at its own size.
    """
    ordered = sorted(profiles, key=lambda p: p.height)
    if not ordered:
        raise ValueError("no encoding profiles")
    source_short = min(display_width, display_height)
    chosen = [p for p in ordered if p.height <= source_short]
    if not chosen:
        smallest = ordered[0]
        width, height = even(display_width), even(display_height)
        return [
            Rung(
                smallest.name,
                width,
                height,
                smallest.video_bitrate,
                smallest.audio_bitrate,
                smallest.crf,
            )
        ]
    rungs = []
    for profile in chosen:
        width, height = scaled_size(
            width=display_width, height=display_height, short_side=profile.height
        )
        rungs.append(
            Rung(
                profile.name,
                width,
                height,
                profile.video_bitrate,
                profile.audio_bitrate,
                profile.crf,
            )
        )
    return rungs


def choose_mp4_rung(rungs: Sequence[Rung], *, max_height: int) -> Rung:
    """The fallback MP4: the largest rung whose short side is at most max_height."""
    fitting = [r for r in rungs if r.short_side <= max_height]
    return (
        max(fitting, key=lambda r: r.short_side)
        if fitting
        else min(rungs, key=lambda r: r.short_side)
    )


def gop_frames(*, frame_rate: float, segment_seconds: int) -> int:
    return max(1, int(round(frame_rate * segment_seconds)))


def h264_level(rungs: Sequence[Rung], *, frame_rate: float) -> int:
    """The smallest H.264 level (×10) that fits the largest rung at this frame rate."""
    frame_mbs = max(math.ceil(r.width / 16) * math.ceil(r.height / 16) for r in rungs)
    mbs_per_second = frame_mbs * frame_rate
    for level, max_mbps, max_frame in H264_LEVELS:
        if frame_mbs <= max_frame and mbs_per_second <= max_mbps:
            return level
    return H264_LEVELS[-1][0]


def codecs_attribute(*, level: int, has_audio: bool) -> str:
    """RFC 6381 codecs of a High-profile H.264 (+ AAC-LC) stream."""
    video = f"avc1.6400{level:02x}"
    return f"{video},{AUDIO_CODEC_TAG}" if has_audio else video


def encoding_plan(
    *,
    profiles: Sequence[ProfileLike],
    display_width: int,
    display_height: int,
    duration: float | None,
    frame_rate: float | None,
    has_audio: bool,
    segment_seconds: int = 4,
    preset: str = "veryfast",
    mp4_max_height: int = 720,
) -> EncodingPlan:
    rungs = plan_ladder(
        profiles=profiles, display_width=display_width, display_height=display_height
    )
    # Odd or missing frame rates (variable-rate phone files) fall back to 30 for the GOP length.
    rate = frame_rate if frame_rate and 1 <= frame_rate <= 120 else 30.0
    poster_time = min(1.0, (duration or 0) / 3) if duration else 0.0
    return EncodingPlan(
        rungs=tuple(rungs),
        mp4=choose_mp4_rung(rungs, max_height=mp4_max_height),
        segment_seconds=segment_seconds,
        frame_rate=rate,
        gop=gop_frames(frame_rate=rate, segment_seconds=segment_seconds),
        has_audio=has_audio,
        poster_time=round(poster_time, 3),
        preset=preset,
    )


# Names of the files one encode writes, relative to its output folder.
MASTER_NAME = "master.m3u8"
MP4_NAME = "video.mp4"
POSTER_NAME = "poster.jpg"


def variant_playlist_name(rung: Rung) -> str:
    return f"{rung.name}/index.m3u8"


def _video_options(rung: Rung, plan: EncodingPlan) -> dict:
    return {
        "c:v": "libx264",
        "preset": plan.preset,
        "profile:v": "high",
        "level:v": f"{plan.h264_level / 10:.1f}",
        "pix_fmt": "yuv420p",
        "crf": rung.crf,
        "maxrate": f"{rung.video_bitrate}k",
        "bufsize": f"{rung.video_bitrate * 2}k",
        # Identical, fixed keyframe positions in every output keep the renditions segment-aligned.
        "g": plan.gop,
        "keyint_min": plan.gop,
        "sc_threshold": 0,
        "force_key_frames": f"expr:gte(t,n_forced*{plan.segment_seconds})",
    }


def _audio_options(rung: Rung) -> dict:
    return {"c:a": "aac", "b:a": f"{rung.audio_bitrate}k", "ac": 2, "ar": 48000}


def _hls_options(rung: Rung, plan: EncodingPlan) -> dict:
    return {
        "hls_time": plan.segment_seconds,
        "hls_playlist_type": "vod",
        "hls_flags": "independent_segments",
        "hls_segment_filename": f"{rung.name}/seg_%05d.ts",
    }


def _tee_target(rung: Rung, plan: EncodingPlan) -> str:
    """A tee muxer target writing one encode both as HLS and as the faststart MP4 fallback."""
    hls = ":".join(f"{key}={value}" for key, value in _hls_options(rung, plan).items())
    return f"[f=hls:{hls}]{variant_playlist_name(rung)}|[f=mp4:movflags=+faststart]{MP4_NAME}"


class _FilterGraph:
    """A -filter_complex graph written out by hand: chains of filters, each output a new label
    ([s0], [s1], …, numbered in the order they are made)."""

    def __init__(self) -> None:
        self.chains: list[str] = []
        self._next = 0

    def _label(self) -> str:
        label = f"[s{self._next}]"
        self._next += 1
        return label

    def split(self, source: str, count: int) -> list[str]:
        outputs = [self._label() for _ in range(count)]
        self.chains.append(f"{source}split={count}{''.join(outputs)}")
        return outputs

    def filter(self, source: str, name: str, *args) -> str:
        output = self._label()
        self.chains.append(f"{source}{name}={_filter_args(*args)}{output}")
        return output

    def __str__(self) -> str:
        return ";".join(self.chains)


def _filter_args(*args) -> str:
    """Arguments of one filter, with the characters the filter-graph syntax reserves escaped."""
    text = ":".join(str(a) for a in args)
    for char in "\\'[],;":
        text = text.replace(char, "\\" + char)
    return text


def _output_args(streams: Sequence[str], target: str, options: dict) -> list[str]:
    """-map of each stream, the format first, then the other options sorted by name, the target."""
    options = dict(options)
    args = [arg for stream in streams for arg in ("-map", stream)]
    if "format" in options:
        args += ["-f", str(options.pop("format"))]
    for key in sorted(options):
        args += [f"-{key}", str(options[key])]
    return [*args, target]


def encode_args(*, binary: str, source: str | Path, plan: EncodingPlan) -> list[str]:
    """The full argv of the encode: one ffmpeg run that decodes once, splits, and writes every
    HLS rung, the MP4 and the poster; run it with the output folder as working directory.

    Output names are relative: that keeps paths out of the tee muxer's option syntax and makes
    the command independent of where it writes. The MP4 fallback is not a separate encode: its
    rung's one encode is written twice (tee), as HLS segments and as the MP4, which saves a whole
    x264 pass. Plain lists, no command-builder library: the graph is one split and two filters
    per branch (ffmpeg-python, unmaintained since 2019, was dropped for this).
    """
    graph = _FilterGraph()
    # ffmpeg applies the display matrix itself (autorotate), so every branch is already upright.
    branches = graph.split("[0:v]", len(plan.rungs) + 1)
    audio = ["0:a"] if plan.has_audio else []
    outputs: list[str] = []
    for branch, rung in zip(branches, plan.rungs, strict=False):
        video = graph.filter(graph.filter(branch, "scale", rung.width, rung.height), "setsar", 1)
        options = {"map_metadata": -1, **_video_options(rung, plan)}
        if plan.has_audio:
            options.update(_audio_options(rung))
        if rung == plan.mp4:
            # MP4 needs codec headers out of band; the HLS (MPEG-TS) side re-inserts them.
            options.update({"format": "tee", "flags": "+global_header"})
            outputs += _output_args([video, *audio], _tee_target(rung, plan), options)
        else:
            options.update({"format": "hls", **_hls_options(rung, plan)})
            outputs += _output_args([video, *audio], variant_playlist_name(rung), options)
    poster = graph.filter(branches[-1], "select", f"gte(t,{plan.poster_time})")
    poster = graph.filter(
        graph.filter(poster, "scale", plan.mp4.width, plan.mp4.height), "setsar", 1
    )
    outputs += _output_args([poster], POSTER_NAME, {"frames:v": 1, "update": 1, "q:v": 3})
    return [
        binary,
        "-i",
        str(Path(source).resolve()),
        "-filter_complex",
        str(graph),
        *outputs,
        *("-hide_banner", "-nostats", "-progress", "pipe:1"),
        "-y",
    ]


def output_folders(plan: EncodingPlan) -> list[str]:
    """Folders ffmpeg expects to exist before it starts writing segments."""
    return [rung.name for rung in plan.rungs]


def parse_media_playlist(text: str) -> list[tuple[float, str]]:
    """(duration, uri) of each segment of an HLS media playlist."""
    segments = []
    duration = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:") :].split(",", 1)[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append((duration, line))
            duration = None
    return segments


def parse_master_playlist(text: str) -> list[dict]:
    """Each variant of a master playlist: its attributes and URI."""
    variants = []
    attributes: dict | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-STREAM-INF:"):
            attributes = _parse_attributes(line[len("#EXT-X-STREAM-INF:") :])
        elif line and not line.startswith("#") and attributes is not None:
            variants.append({**attributes, "URI": line})
            attributes = None
    return variants


def _parse_attributes(text: str) -> dict:
    attributes = {}
    key, value, in_quotes, reading_key = "", "", False, True
    for char in text + ",":
        if reading_key:
            if char == "=":
                reading_key = False
            else:
                key += char
        elif char == '"':
            in_quotes = not in_quotes
        elif char == "," and not in_quotes:
            attributes[key.strip()] = value
            key, value, reading_key = "", "", True
        else:
            value += char
    return attributes


def variant_bandwidth(segments: Sequence[tuple[float, int]]) -> tuple[int, int]:
    """(peak, average) bits per second from (duration, size in bytes) of each segment.

    BANDWIDTH in a master playlist must be the peak segment bitrate (RFC 8216 §4.3.4.2), which
    with capped CRF is only known after encoding.
    """
    usable = [(d, size) for d, size in segments if d > 0]
    if not usable:
        return 0, 0
    peak = max(size * 8 / d for d, size in usable)
    average = sum(size for _, size in usable) * 8 / sum(d for d, _ in usable)
    return int(math.ceil(peak)), int(math.ceil(average))


@dataclass(frozen=True)
class Variant:
    rung: Rung
    bandwidth: int
    average_bandwidth: int
    uri: str


def master_playlist(*, variants: Sequence[Variant], plan: EncodingPlan) -> str:
    """The master playlist, lowest rung first; URIs stay relative to the master's folder."""
    codecs = codecs_attribute(level=plan.h264_level, has_audio=plan.has_audio)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for variant in sorted(variants, key=lambda v: v.bandwidth):
        rung = variant.rung
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={variant.bandwidth},"
            f"AVERAGE-BANDWIDTH={variant.average_bandwidth},"
            f"RESOLUTION={rung.width}x{rung.height},"
            f'CODECS="{codecs}",FRAME-RATE={plan.frame_rate:.3f}'
        )
        lines.append(variant.uri)
    return "\n".join(lines) + "\n"
