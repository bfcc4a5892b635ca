"""Run one ffmpeg process, report its progress as it goes and keep the tail of its log.

The encoder is tied to the worker that started it, so a killed worker never leaves an orphan
encoding for nobody (it would be adopted by PID 1 and burn a CPU for the whole encode):

- ffmpeg runs in a process group of its own, and that group is killed whenever `run_ffmpeg` ends
  (normally, by an exception, or by SystemExit when the worker is told to stop), and at
  interpreter exit for any group still alive;
- on Linux it also gets a parent-death signal (prctl PR_SET_PDEATHSIG = SIGKILL), which the kernel
  delivers when the worker dies in a way no Python code sees: SIGKILL, the OOM killer, a segfault.
"""

import atexit
import collections
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# <linux/prctl.h>
PR_SET_PDEATHSIG = 1

_live_groups: set[int] = set()
_live_lock = threading.Lock()


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


def _die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """A preexec function asking the kernel to SIGKILL the child when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def preexec() -> None:
        # Runs in the child between fork and exec: only async-signal-safe work here.
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent_pid:
            # The parent died before the line above took effect: no signal will ever come.
            os._exit(1)

    return preexec


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    with _live_lock:
        _live_groups.discard(pgid)


@atexit.register
def _kill_live_groups() -> None:
    for pgid in list(_live_groups):
        _kill_group(pgid)


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
        # A group of its own: one killpg ends ffmpeg and anything it started.
        process_group=0,
        preexec_fn=_die_with_parent(os.getpid()),
    )
    with _live_lock:
        _live_groups.add(process.pid)
    tail: collections.deque[str] = collections.deque(maxlen=tail_lines)

    def drain_stderr() -> None:
        # Read stderr on its own thread so a chatty ffmpeg never blocks on a full pipe.
        for line in process.stderr:
            tail.append(line.rstrip())

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    aborted = False
    last, last_at = -1, 0.0
    try:
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
                break
        if aborted:
            _kill_group(process.pid)
        returncode = process.wait()
    finally:
        # Whatever ended this call (an exception in on_progress, SystemExit from the worker's
        # shutdown), no encoder outlives it. After a normal exit this only reaps the group id.
        if process.poll() is None:
            _kill_group(process.pid)
            process.wait()
        with _live_lock:
            _live_groups.discard(process.pid)
    reader.join(timeout=5)
    return RunResult(returncode=returncode, log_tail="\n".join(tail), aborted=aborted)
