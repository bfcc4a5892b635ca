"""Pure command building and planning: no ffmpeg runs here."""

from dataclasses import dataclass

import pytest

from media_pipeline import ffmpeg_commands as fc
from media_pipeline.runner import parse_progress_line


@dataclass
class Profile:
    name: str
    height: int
    video_bitrate: int
    audio_bitrate: int
    crf: int


LADDER = [
    Profile("1080p", 1080, 6000, 128, 22),
    Profile("360p", 360, 800, 96, 23),
    Profile("720p", 720, 3000, 128, 23),
    Profile("540p", 540, 1600, 128, 23),
]


def sizes(rungs):
    return [(r.name, r.width, r.height) for r in rungs]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            (1920, 1080),
            [("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720), ("1080p", 1920, 1080)],
        ),
        ((1280, 720), [("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720)]),
        # Portrait phone video (already rotated to display size): profiles mean the short side.
        (
            (1080, 1920),
            [("360p", 360, 640), ("540p", 540, 960), ("720p", 720, 1280), ("1080p", 1080, 1920)],
        ),
        # 4:3 camera file.
        (
            (1440, 1080),
            [("360p", 480, 360), ("540p", 720, 540), ("720p", 960, 720), ("1080p", 1440, 1080)],
        ),
        # 4K is capped at the top rung, never more.
        (
            (3840, 2160),
            [("360p", 640, 360), ("540p", 960, 540), ("720p", 1280, 720), ("1080p", 1920, 1080)],
        ),
        # Smaller than every rung: one rung at the source size, never upscaled.
        ((320, 240), [("360p", 320, 240)]),
        # Odd sizes become even (4:2:0).
        ((853, 479), [("360p", 642, 360)]),
    ],
)
def test_ladder_for_source_sizes(source, expected):
    rungs = fc.plan_ladder(profiles=LADDER, display_width=source[0], display_height=source[1])
    assert sizes(rungs) == expected
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in rungs)


def test_mp4_fallback_is_the_largest_rung_up_to_720():
    rungs = fc.plan_ladder(profiles=LADDER, display_width=1920, display_height=1080)
    assert fc.choose_mp4_rung(rungs, max_height=720).name == "720p"
    assert fc.choose_mp4_rung(rungs[:2], max_height=720).name == "540p"
    assert fc.choose_mp4_rung(rungs, max_height=100).name == "360p"


def plan(width=1920, height=1080, **kwargs):
    options = {
        "duration": 60.0,
        "frame_rate": 25.0,
        "has_audio": True,
        "segment_seconds": 4,
        "preset": "veryfast",
    }
    options.update(kwargs)
    return fc.encoding_plan(profiles=LADDER, display_width=width, display_height=height, **options)


def test_one_process_decodes_once_and_splits_to_every_output():
    args = fc.encode_args(binary="ffmpeg", source="/in/src.mov", plan=plan())

    assert args[0] == "ffmpeg"
    assert args.count("-i") == 1 and args[args.index("-i") + 1] == "/in/src.mov"
    graph = args[args.index("-filter_complex") + 1]
    # 4 HLS rungs + the poster from one split of the single decode.
    assert graph.count("split=5") == 1
    assert args.count("libx264") == 4
    # Output names are relative to the working directory (the scratch folder).
    assert {"360p/index.m3u8", "540p/index.m3u8", "1080p/index.m3u8", "poster.jpg"} <= set(args)
    # The MP4 fallback is the 720p encode written a second time through the tee muxer.
    tee = next(a for a in args if "|" in a)
    assert tee == (
        "[f=hls:hls_time=4:hls_playlist_type=vod:hls_flags=independent_segments"
        ":hls_segment_filename=720p/seg_%05d.ts]720p/index.m3u8"
        "|[f=mp4:movflags=+faststart]video.mp4"
    )
    assert args[args.index("-progress") + 1] == "pipe:1"


def values(args, flag):
    return [args[i + 1] for i, a in enumerate(args) if a == flag]


def test_keyframes_are_aligned_in_every_rendition():
    p = plan()
    args = fc.encode_args(binary="ffmpeg", source="in.mp4", plan=p)

    assert p.gop == 100  # 25 fps × 4 s
    assert values(args, "-force_key_frames") == ["expr:gte(t,n_forced*4)"] * 4
    assert values(args, "-sc_threshold") == ["0"] * 4
    assert values(args, "-g") == ["100"] * 4
    assert values(args, "-keyint_min") == ["100"] * 4
    # Same segment length everywhere (the tee'd rung carries it in its target).
    assert values(args, "-hls_time") == ["4"] * 3
    assert "hls_time=4" in next(a for a in args if "|" in a)


def test_h264_aac_capped_crf_and_faststart():
    args = fc.encode_args(binary="ffmpeg", source="in.mp4", plan=plan())

    assert values(args, "-c:v") == ["libx264"] * 4
    assert values(args, "-c:a") == ["aac"] * 4
    assert values(args, "-maxrate") == ["800k", "1600k", "3000k", "6000k"]
    assert values(args, "-profile:v") == ["high"] * 4
    assert values(args, "-f") == ["hls", "hls", "tee", "hls"]
    assert values(args, "-flags") == ["+global_header"]
    assert "movflags=+faststart" in next(a for a in args if "|" in a)


def test_small_source_tees_its_only_rung():
    args = fc.encode_args(binary="ffmpeg", source="in.mp4", plan=plan(320, 240))

    assert values(args, "-f") == ["tee"]
    assert "split=2" in args[args.index("-filter_complex") + 1]


def test_no_audio_stream_means_no_audio_options():
    args = fc.encode_args(binary="ffmpeg", source="in.mp4", plan=plan(has_audio=False))

    assert "0:a" not in args and "-c:a" not in args


def test_the_whole_command_of_a_small_silent_source():
    """The argv ffmpeg-python built before the command builder became plain lists, item for item."""
    args = fc.encode_args(
        binary="ffmpeg", source="/in/src.mov", plan=plan(320, 240, has_audio=False)
    )

    assert args == [
        "ffmpeg",
        "-i",
        "/in/src.mov",
        "-filter_complex",
        "[0:v]split=2[s0][s1];[s0]scale=320:240[s2];[s2]setsar=1[s3];[s1]select=gte(t\\,1.0)[s4];[s4]scale=320:240[s5];[s5]setsar=1[s6]",
        "-map",
        "[s3]",
        "-f",
        "tee",
        "-bufsize",
        "1600k",
        "-c:v",
        "libx264",
        "-crf",
        "23",
        "-flags",
        "+global_header",
        "-force_key_frames",
        "expr:gte(t,n_forced*4)",
        "-g",
        "100",
        "-keyint_min",
        "100",
        "-level:v",
        "3.0",
        "-map_metadata",
        "-1",
        "-maxrate",
        "800k",
        "-pix_fmt",
        "yuv420p",
        "-preset",
        "veryfast",
        "-profile:v",
        "high",
        "-sc_threshold",
        "0",
        "[f=hls:hls_time=4:hls_playlist_type=vod:hls_flags=independent_segments:hls_segment_filename=360p/seg_%05d.ts]360p/index.m3u8|[f=mp4:movflags=+faststart]video.mp4",
        "-map",
        "[s6]",
        "-frames:v",
        "1",
        "-q:v",
        "3",
        "-update",
        "1",
        "poster.jpg",
        "-hide_banner",
        "-nostats",
        "-progress",
        "pipe:1",
        "-y",
    ]


def test_filter_arguments_escape_the_graph_syntax():
    assert fc._filter_args("gte(t,1.5)") == "gte(t\\,1.5)"
    assert fc._filter_args(640, 360) == "640:360"
    assert fc._filter_args("a[b];c'd") == "a\\[b\\]\\;c\\'d"


def test_gop_falls_back_for_missing_frame_rate():
    assert plan(frame_rate=None).gop == 120
    assert plan(frame_rate=29.97).gop == 120


def test_h264_level_fits_the_largest_picture():
    assert plan().h264_level == 40  # 1080p25
    assert plan(frame_rate=60).h264_level == 42
    assert plan(640, 360).h264_level == 30
    assert fc.codecs_attribute(level=40, has_audio=True) == "avc1.640028,mp4a.40.2"


def test_master_playlist_has_bandwidth_resolution_and_relative_uris():
    p = plan(1280, 720)
    variants = [
        fc.Variant(rung, 1_000_000 * (i + 1), 800_000 * (i + 1), fc.variant_playlist_name(rung))
        for i, rung in enumerate(p.rungs)
    ]

    text = fc.master_playlist(variants=list(reversed(variants)), plan=p)
    parsed = fc.parse_master_playlist(text)

    assert text.startswith("#EXTM3U\n")
    assert [(v["BANDWIDTH"], v["RESOLUTION"], v["URI"]) for v in parsed] == [
        ("1000000", "640x360", "360p/index.m3u8"),
        ("2000000", "960x540", "540p/index.m3u8"),
        ("3000000", "1280x720", "720p/index.m3u8"),
    ]
    assert parsed[0]["AVERAGE-BANDWIDTH"] == "800000"
    assert parsed[0]["CODECS"] == "avc1.64001f,mp4a.40.2"


def test_bandwidth_is_the_peak_segment_bitrate():
    peak, average = fc.variant_bandwidth([(4.0, 500_000), (4.0, 1_000_000), (2.0, 100_000)])

    assert peak == 2_000_000
    assert average == 1_280_000


def test_media_playlist_parser():
    text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000,\nseg_00000.ts\n#EXTINF:1.5,\nseg_00001.ts\n#EXT-X-ENDLIST\n"
    assert fc.parse_media_playlist(text) == [(4.0, "seg_00000.ts"), (1.5, "seg_00001.ts")]


@pytest.mark.parametrize(
    ("line", "duration", "expected"),
    [
        ("out_time_us=5000000", 10.0, 50),
        ("out_time_ms=2500000", 10.0, 25),
        ("out_time_us=20000000", 10.0, 100),
        ("out_time_us=N/A", 10.0, None),
        ("out_time_us=-50000", 10.0, 0),
        ("frame=12", 10.0, None),
        ("progress=end", None, 100),
        ("out_time_us=5000000", None, None),
    ],
)
def test_progress_lines(line, duration, expected):
    assert parse_progress_line(line, duration=duration) == expected
