"""`make run`: a taken port is refused with a clear message; stopping it stops everything it started."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def test_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port} 已被占用"):
            call_command("rundev", addr=f"127.0.0.1:{port}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_stopping_rundev_stops_the_site_and_the_worker(tmp_path, signum):
    """`kill` or a closed terminal must not leave the worker running on its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DANGKE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASK_BACKEND": "database",
    }
    env.pop("DEMO_PASSWORD", None)
    manage = str(settings.BASE_DIR / "manage.py")
    subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True)
    rundev = subprocess.Popen(
        [sys.executable, manage, "rundev", "--addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline and len(children) < 2:
            children = _children(rundev.pid)
            time.sleep(0.3)
        assert len(children) == 2, children  # runserver and task_worker
        rundev.send_signal(signum)
        assert rundev.wait(timeout=30) is not None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in children)
    finally:
        if rundev.poll() is None:
            rundev.kill()


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path) as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_ctrl_c_stops_rundev_quietly(tmp_path):
    """Ctrl-C in the terminal: the SIGINT goes to the terminal's foreground process group. rundev
    must stop the site and the worker itself, exit 0 and print no traceback (the children, in
    their own process groups, never see the terminal's SIGINT and stop in rundev's order)."""
    port = _free_port()
    env = _dev_env(tmp_path)
    manage = str(settings.BASE_DIR / "manage.py")
    subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True)
    out = tmp_path / "terminal.txt"
    with open(out, "wb") as terminal:
        # A session of its own: rundev's process group stands for the terminal's foreground group.
        rundev = subprocess.Popen(
            [sys.executable, manage, "rundev", "--addr", f"127.0.0.1:{port}"],
            env=env,
            stdout=terminal,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline:
            children = _children(rundev.pid)
            if f"http://127.0.0.1:{port}/" in out.read_text() and len(children) == 2:
                break
            time.sleep(0.3)
        assert len(children) == 2, (children, out.read_text())
        _wait_listening(port)
        os.killpg(rundev.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        assert rundev.wait(timeout=30) == 0, out.read_text()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in children)
        text = out.read_text()
        assert "Traceback" not in text, text
        assert "KeyboardInterrupt" not in text, text
        assert "Ctrl+C again" not in text, text  # the worker stopped by rundev says nothing
        assert text.rstrip().endswith("已停止 / stopped."), text
    finally:
        if rundev.poll() is None:
            os.killpg(rundev.pid, signal.SIGKILL)
        for pid in _children(rundev.pid):
            os.kill(pid, signal.SIGKILL)


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
    }
    env.pop("DEMO_PASSWORD", None)
    return env


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")
