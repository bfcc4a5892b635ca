"""`make run`: a taken port is refused with a clear message; stopping it stops everything it started.
The tests wait on what the processes print and on their exits (tests/waits.py), never on the clock."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.waits import ProcessExits, ProcessOutput


def test_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port} 已被占用"):
            call_command("rundev", addr=f"127.0.0.1:{port}")


# Deadlines for a loaded machine: starting means `manage.py` twice more (system checks included).
STARTED = 180
STOPPED = 60
# rundev's banner, printed once it has started both children; runserver's line, printed once its
# socket listens (Django's on_bind).
RUNNING = "Press Ctrl-C to stop."
LISTENING = "Quit the server with"
MANAGE = str(settings.BASE_DIR / "manage.py")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A development database, migrated once for the tests of this module (each gets a copy)."""
    folder = tmp_path_factory.mktemp("rundev-db")
    subprocess.run([sys.executable, MANAGE, "migrate", "-v0"], env=_dev_env(folder), check=True)
    return folder


def _start_rundev(tmp_path, migrated, **popen) -> tuple[subprocess.Popen, ProcessOutput, int]:
    for file in migrated.glob("db.sqlite3*"):
        shutil.copy(file, tmp_path / file.name)
    port = _free_port()
    env = _dev_env(tmp_path)
    rundev = subprocess.Popen(
        [sys.executable, MANAGE, "rundev", "--addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        **popen,
    )
    return rundev, ProcessOutput(rundev.stdout), port


def _running_children(
    rundev: subprocess.Popen, output: ProcessOutput, *, listening: bool = False
) -> list[int]:
    """runserver and task_worker, once rundev says it started them (and runserver listens)."""
    text = output.wait_for(RUNNING, timeout=STARTED)
    if listening:
        text = output.wait_for(LISTENING, timeout=STARTED)
    children = _children(rundev.pid)
    assert len(children) == 2, (children, text)
    return children


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_stopping_rundev_stops_the_site_and_the_worker(tmp_path, migrated, signum):
    """`kill` or a closed terminal must not leave the worker running on its own."""
    rundev, output, _port = _start_rundev(tmp_path, migrated, stderr=subprocess.DEVNULL)
    try:
        children = _running_children(rundev, output)
        with ProcessExits(children) as exits:
            rundev.send_signal(signum)
            rundev.wait(timeout=STOPPED)
            assert exits.wait(timeout=STOPPED) == [], output.text
    finally:
        _kill(rundev, output)


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path) as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return []


def _kill(rundev: subprocess.Popen, output: ProcessOutput, *, group: bool = False) -> None:
    """After a failure: nothing of this test keeps running (after a pass, nothing is left)."""
    for pid in _children(rundev.pid):
        os.kill(pid, signal.SIGKILL)
    if rundev.poll() is None:
        if group:
            os.killpg(rundev.pid, signal.SIGKILL)
        else:
            rundev.kill()
    rundev.wait(timeout=STOPPED)
    with contextlib.suppress(AssertionError):  # do not hide the failure that brought us here
        output.wait_closed(timeout=STOPPED)


def test_ctrl_c_stops_rundev_quietly(tmp_path, migrated):
    """Ctrl-C in the terminal: the SIGINT goes to the terminal's foreground process group. rundev
    must stop the site and the worker itself, exit 0 and print no traceback (the children, in
    their own process groups, never see the terminal's SIGINT and stop in rundev's order)."""
    # A session of its own: rundev's process group stands for the terminal's foreground group.
    rundev, output, port = _start_rundev(
        tmp_path, migrated, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        children = _running_children(rundev, output, listening=True)
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
        with ProcessExits(children) as exits:
            os.killpg(rundev.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
            assert rundev.wait(timeout=STOPPED) == 0, output.text
            assert exits.wait(timeout=STOPPED) == [], output.text
        # Every writer has exited: the terminal's text is complete.
        text = output.wait_closed(timeout=STOPPED)
        assert "Traceback" not in text, text
        assert "KeyboardInterrupt" not in text, text
        assert "Ctrl+C again" not in text, text  # the worker stopped by rundev says nothing
        assert text.rstrip().endswith("已停止 / stopped."), text
    finally:
        _kill(rundev, output, group=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dev_env(tmp_path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DANGKE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASK_BACKEND": "database",
        # Each line reaches the pipe when printed, as on a terminal.
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DEMO_PASSWORD", None)
    return env
