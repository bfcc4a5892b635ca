"""Operational tasks: a round trip through the task queue to show which workers are taking jobs."""

import os
import socket
import time

from django_tasks import task


@task(queue_name="default")
def worker_ping(*, sleep_seconds: float = 0.0) -> dict:
    """Answer from whichever worker runs it; the pause lets a burst of pings spread over workers."""
    if sleep_seconds:
        time.sleep(min(sleep_seconds, 5.0))
    return {"host": socket.gethostname(), "pid": os.getpid()}
