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
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        env = dict(os.environ)
        # The terminal shows warnings and errors; every INFO line (each background task) goes to
        # var/log/dangke.log.
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        env.setdefault("DANGKE_LOG_FILE", str(log_dir / "dangke.log"))
        env.setdefault("DANGKE_CONSOLE_LOG_LEVEL", "WARNING")
        worker = subprocess.Popen([python, manage, "task_worker"], env=env)
        web = subprocess.Popen([python, manage, "runserver", addr, "--noreload"], env=env)
        self.stdout.write(self.style.SUCCESS(f"\n党课 Dangke 已启动 / is running: http://{addr}/"))
        self.stdout.write(f"  管理后台 Admin: http://{addr}/admin/    API: http://{addr}/api/docs/")
        self.stdout.write(demo_password_describe())
        self.stdout.write(f"  详细日志 Log: {env['DANGKE_LOG_FILE']}")
        self.stdout.write("  按 Ctrl-C 停止 / Press Ctrl-C to stop.\n")

        def stop(signum, frame):
            # A terminal closing (SIGHUP) or `kill` (SIGTERM) stops both children like Ctrl-C;
            # without this the worker would be left running on its own.
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGHUP, stop)
        try:
            while web.poll() is None and worker.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.stdout.write("已停止 / stopped.")
