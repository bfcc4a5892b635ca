"""Start the development site and the background task worker together; Ctrl-C stops both."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.demo import demo_password_describe


class Command(BaseCommand):
    help = "启动开发服务器和后台任务进程 (runserver + db_worker)。"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        host, _, port = addr.rpartition(":")
        with socket.socket() as probe:
            try:
                probe.bind((host or "127.0.0.1", int(port)))
            except OSError as exc:
                raise CommandError(
                    f"端口 {port} 已被占用，请换一个端口，例如 make run ADDR=127.0.0.1:8001。"
                    f" Port {port} is in use: try make run ADDR=127.0.0.1:8001 ({exc.strerror})."
                ) from None
        stop = _StopRequest()
        try:
            self._run(addr, stop)
        finally:
            stop.restore()

    def _run(self, addr: str, stop: "_StopRequest") -> None:
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        env = dict(os.environ)
        # The terminal shows warnings and errors; every INFO line (each background task) goes to
        # var/log/dangke.log.
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        env.setdefault("DANGKE_LOG_FILE", str(log_dir / "dangke.log"))
        env.setdefault("DANGKE_CONSOLE_LOG_LEVEL", "WARNING")
        # Each child in a process group of its own: the terminal's Ctrl-C (SIGINT to the foreground
        # group) then reaches rundev alone, which stops the children in order. Had they received it
        # too, one still starting up (system checks, under load for seconds) printed a
        # KeyboardInterrupt traceback.
        worker = subprocess.Popen([python, manage, "task_worker"], env=env, process_group=0)
        web = subprocess.Popen(
            [python, manage, "runserver", addr, "--noreload"], env=env, process_group=0
        )
        children = {"runserver": web, "task_worker": worker}
        self.stdout.write(self.style.SUCCESS(f"\n党课 Dangke 已启动 / is running: http://{addr}/"))
        self.stdout.write(f"  管理后台 Admin: http://{addr}/admin/    API: http://{addr}/api/docs/")
        self.stdout.write(demo_password_describe())
        self.stdout.write(f"  详细日志 Log: {env['DANGKE_LOG_FILE']}")
        self.stdout.write("  按 Ctrl-C 停止 / Press Ctrl-C to stop.\n")
        try:
            while not stop.requested and all(p.poll() is None for p in children.values()):
                time.sleep(0.2)
        finally:
            self._stop_children(children, stop)
        failed = {
            name: proc.returncode
            for name, proc in children.items()
            if not stop.requested and proc.returncode
        }
        if failed:
            raise CommandError(
                "；".join(f"{name} 意外退出（退出码 {code}）" for name, code in failed.items())
                + " / stopped unexpectedly."
            )
        self.stdout.write("已停止 / stopped.")

    @staticmethod
    def _stop_children(children: dict[str, subprocess.Popen], stop: "_StopRequest") -> None:
        # SIGTERM, not SIGINT: runserver and the worker both stop on it without a traceback at
        # any stage (the worker finishes the task it runs, as db_worker does on Ctrl-C).
        for proc in children.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        while any(p.poll() is None for p in children.values()):
            if stop.forced or time.monotonic() > deadline:
                for proc in children.values():
                    if proc.poll() is None:
                        proc.kill()
                for proc in children.values():
                    proc.wait()
                break
            time.sleep(0.1)


class _StopRequest:
    """Ctrl-C (SIGINT), `kill` (SIGTERM) or a closed terminal (SIGHUP) asks rundev to stop its
    children; a second one while they are stopping kills them. The handler only records the
    request, so no KeyboardInterrupt can surface wherever rundev happens to be."""

    def __init__(self):
        self.requested = False
        self.forced = False
        self._previous = {
            signum: signal.signal(signum, self)
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def __call__(self, signum, frame):
        if self.requested:
            self.forced = True
        self.requested = True
