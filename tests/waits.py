"""Waiting on other processes by what they do, not by the clock: a line they print (read by a
thread as it comes, so they never block on a full pipe) and their exit (a pidfd, which the kernel
makes readable when the process ends). Each wait has a deadline, generous for a loaded machine;
reaching it fails the test with what was seen."""

import contextlib
import os
import select
import threading
import time


class ProcessOutput:
    """Everything written to a pipe (a Popen's stdout), collected by a reader thread."""

    def __init__(self, stream):
        self._stream = stream
        self._chunks: list[bytes] = []
        self._closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while chunk := self._stream.read1(65536):
            with self._changed:
                self._chunks.append(chunk)
                self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    @property
    def text(self) -> str:
        with self._changed:
            return b"".join(self._chunks).decode("utf-8", errors="replace")

    def wait_for(self, marker: str, *, timeout: float) -> str:
        """The output once `marker` is in it; AssertionError if the pipe closes or time runs out."""
        with self._changed:
            self._changed.wait_for(lambda: marker in self.text or self._closed, timeout)
        text = self.text
        if marker not in text:
            why = "the output ended" if self._closed else f"not within {timeout:g} s"
            raise AssertionError(f"{marker!r} was not printed ({why}):\n{text}")
        return text

    def wait_closed(self, *, timeout: float) -> str:
        """The whole output, once every writer has closed the pipe (they have all exited)."""
        with self._changed:
            closed = self._changed.wait_for(lambda: self._closed, timeout)
        if not closed:
            raise AssertionError(f"the output was still open after {timeout:g} s:\n{self.text}")
        self._thread.join()
        self._stream.close()
        return self.text


class ProcessExits:
    """Pidfds of processes (not necessarily our children), opened while they run, so a pid the
    system hands out again later is never mistaken for one of them. Use as a context manager."""

    def __init__(self, pids):
        self._fds: dict[int, int] = {}
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # gone already
                self._fds[os.pidfd_open(pid)] = pid

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for fd in self._fds:
            os.close(fd)

    def wait(self, *, timeout: float) -> list[int]:
        """Wait until every process has exited (a zombie has); the pids still running at the
        deadline, [] when all are gone."""
        running = dict(self._fds)
        poller = select.poll()
        for fd in running:
            poller.register(fd, select.POLLIN)
        deadline = time.monotonic() + timeout
        while running:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for fd, _event in poller.poll(left * 1000):
                poller.unregister(fd)
                running.pop(fd, None)
        return sorted(running.values())


def until(condition, *, timeout: float, what: str, every: float = 0.1):
    """Wait until `condition()` is true (e.g. a row another thread writes), checking every
    `every` seconds; fail after `timeout` seconds naming `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
