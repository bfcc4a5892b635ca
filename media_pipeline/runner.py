"""Run one ffmpeg process, report its progress as it goes and keep the tail of its log."""

import collections
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunResult:
    returncode: int
    log_tail: str
    aborted: bool = False


def parse_progress_line(line: str, *, duration: float | None) -> int | None:
    """Percent done from one `-progress` line (`out_time_us=…`), or None for other lines."""
    key, _, value = line.strip().partition("=")
    if key == "progress" and value == "end":
        return 100
    if key not in ("out_time_us", "out_time_ms") or not duration or duration <= 0:
        return None
    try:
        # Both keys are in microseconds (out_time_ms is misnamed in ffmpeg).
        seconds = int(value) / 1_000_000
    except ValueError:
        return None
    return max(0, min(100, int(seconds * 100 / duration)))


def run_ffmpeg(
    args: list[str],
    *,
    cwd: str | Path | None = None,
    duration: float | None,
    on_progress: Callable[[int], bool] | None = None,
    tail_lines: int = 60,
    heartbeat_seconds: float = 10.0,
) -> RunResult:
    """Run ffmpeg (in `cwd`) with `-progress pipe:1`; `on_progress(percent)` returning False stops it."""
    process = subprocess.Popen(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    tail: collections.deque[str] = collections.deque(maxlen=tail_lines)

    def drain_stderr() -> None:
        # Read stderr on its own thread so a chatty ffmpeg never blocks on a full pipe.
        for line in process.stderr:
            tail.append(line.rstrip())

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    aborted = False
    last, last_at = -1, 0.0
    for line in process.stdout:
        percent = parse_progress_line(line, duration=duration)
        if percent is None or on_progress is None:
            continue
        # Report each new percent, and at least every few seconds as the job's heartbeat.
        now = time.monotonic()
        if percent == last and now - last_at < heartbeat_seconds:
            continue
        last, last_at = percent, now
        if on_progress(percent) is False:
            aborted = True
            process.kill()
            break
    returncode = process.wait()
    reader.join(timeout=5)
    return RunResult(returncode=returncode, log_tail="\n".join(tail), aborted=aborted)
