"""Probing by content with the tools on this machine, and finding ffmpeg."""

import os
import stat

import pytest

from media_pipeline import probe as probing


def test_probe_reports_streams_codecs_duration_size(clips):
    info = probing.probe(clips["wide"])

    assert info.video.codec == "h264" and (info.video.width, info.video.height) == (960, 540)
    assert info.video.frame_rate == pytest.approx(25)
    assert info.audio.codec == "aac" and info.audio.sample_rate
    assert info.duration == pytest.approx(3, abs=0.1)
    assert info.size == clips["wide"].stat().st_size
    assert info.rotation == 0 and info.display_size == (960, 540)


def test_probe_reads_rotation_from_the_display_matrix(clips):
    info = probing.probe(clips["rotated"])

    assert info.rotation in (90, 270)
    assert (info.video.width, info.video.height) == (320, 240)
    assert info.display_size == (240, 320)


def test_probe_of_audio_only_and_of_non_media(clips):
    audio = probing.probe(clips["audio_only"])
    assert audio.video is None and audio.audio.codec == "aac" and audio.display_size is None

    for name in ("pdf", "empty"):
        with pytest.raises(probing.ProbeError):
            probing.probe(clips[name])


def test_truncated_file_does_not_decode_through(clips):
    good = probing.probe(clips["wide"])
    assert probing.decodes_through(clips["wide"], duration=good.duration)
    assert not probing.decodes_through(clips["truncated"], duration=good.duration)


def test_probe_without_ffprobe_uses_pyav(clips, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))

    assert probing.probe(clips["small"]).tool == "pyav"


@pytest.mark.skipif(not probing.ffprobe_binary(), reason="no ffprobe on PATH")
def test_probe_uses_ffprobe_when_present(clips):
    info = probing.probe(clips["rotated"])
    assert info.tool == "ffprobe" and info.display_size == (240, 320)


def test_ffmpeg_from_path_else_from_imageio(monkeypatch, tmp_path):
    import imageio_ffmpeg

    monkeypatch.setenv("PATH", str(tmp_path))
    assert probing.ffmpeg_binary() == imageio_ffmpeg.get_ffmpeg_exe()

    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    assert probing.ffmpeg_binary() == os.fspath(fake)
