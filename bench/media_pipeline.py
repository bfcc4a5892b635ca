"""Media pipeline benchmark: the whole ladder through the pipeline vs the bare ffmpeg command.

A generated 60 s 1280×720 clip is encoded twice in the same run: once by the pipeline's job
(probe, plan, one ffmpeg process with progress reporting, playlists measured, master written,
outputs published, database updated) and once by the same ffmpeg command run bare. Target:
pipeline ≤ 1.05 × bare ffmpeg. Runs against a throwaway test database and media folder.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

SECONDS = 60
SIZE = "1280x720"


def _clip(path: Path) -> Path:
    from media_pipeline.probe import ffmpeg_binary

    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={SIZE}:rate=25:duration={SECONDS}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:beep_factor=4:duration={SECONDS}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "18",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path


def _bare(source: Path, folder: Path) -> float:
    """The same outputs from the same command, with nothing around it."""
    from media_pipeline import services
    from media_pipeline.ffmpeg_commands import encode_args, output_folders
    from media_pipeline.probe import ffmpeg_binary, probe

    plan = services.encoding_plan_for(info=probe(source))
    for name in output_folders(plan):
        (folder / name).mkdir(parents=True, exist_ok=True)
    args = encode_args(binary=ffmpeg_binary(), source=source, plan=plan)
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=folder)
    return time.perf_counter() - started


def _pipeline(source: Path) -> tuple[float, float, float, str]:
    from django.core.files import File

    from media_pipeline import services

    # Time the ffmpeg process inside the job too, so the pipeline's own work (probe, progress
    # updates, measuring, publishing, database) shows apart from the machine's noise.
    inner = []
    run_ffmpeg = services.run_ffmpeg

    def timed_run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return run_ffmpeg(*args, **kwargs)
        finally:
            inner.append(time.perf_counter() - started)

    services.run_ffmpeg = timed_run

    started = time.perf_counter()
    with source.open("rb") as handle:
        video = services.video_create(
            title="bench", file=File(handle, name=str(source)), enqueue=False
        )
    accepted = time.perf_counter() - started
    job = video.jobs.get()
    started = time.perf_counter()
    try:
        job = services.encoding_job_run(job_id=job.pk)
    finally:
        services.run_ffmpeg = run_ffmpeg
    encoded = time.perf_counter() - started
    if job is None or job.status != "ready":
        raise RuntimeError(f"pipeline job did not finish: {job and job.error}")
    ladder = ", ".join(
        f"{r.profile.name} {r.width}×{r.height} {r.bandwidth / 1000:.0f} kbps"
        for r in video.renditions.select_related("profile").order_by("height")
    )
    return accepted, encoded, encoded - sum(inner), ladder


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    from media_pipeline.probe import ffmpeg_binary

    work = Path(tempfile.mkdtemp(prefix="dangke-bench-media-"))
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(MEDIA_ROOT=work / "media"):
            source = _clip(work / "source.mp4")
            preset = getattr(settings, "MEDIA_PIPELINE_X264_PRESET", "veryfast")
            print(f"source: {SECONDS} s {SIZE} 25 fps + AAC, ffmpeg {ffmpeg_binary()}")
            print(f"x264 preset {preset}, {os.cpu_count()} CPU(s)", flush=True)
            rounds = max(1, int(os.environ.get("BENCH_MEDIA_ROUNDS", "1")))
            bares, jobs, overheads = [], [], []
            for index in range(rounds):
                # Alternate the order so neither side always runs on a warmer (or busier) machine.
                if index % 2 == 0:
                    bares.append(_bare(source, work / f"bare{index}"))
                    accepted, encoded, overhead, ladder = _pipeline(source)
                else:
                    accepted, encoded, overhead, ladder = _pipeline(source)
                    bares.append(_bare(source, work / f"bare{index}"))
                jobs.append(encoded)
                overheads.append(overhead)
                print(
                    f"round {index + 1}: bare {bares[-1]:.2f} s, pipeline {encoded:.2f} s "
                    f"(outside ffmpeg {overhead:.2f} s)",
                    flush=True,
                )
        bare, encoded = min(bares), min(jobs)
        print(f"ladder: {ladder}")
        print(f"upload check + store original:  {accepted:7.2f} s")
        print(f"bare ffmpeg (same command):     {bare:7.2f} s  realtime x{SECONDS / bare:.2f}")
        print(
            f"pipeline job (whole ladder):    {encoded:7.2f} s  realtime x{SECONDS / encoded:.2f}"
        )
        print(f"pipeline work outside ffmpeg:   {max(overheads):7.2f} s  (worst round)")
        print(
            f"pipeline / bare ffmpeg:         {encoded / bare:7.3f}  (target <= 1.05, best of {rounds})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
