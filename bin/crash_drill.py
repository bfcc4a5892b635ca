"""Crash drill (docs/deploy.md): kill workers during an exam and prove no acknowledged answer is lost.

A throwaway database (PostgreSQL when DATABASE_URL is PostgreSQL, else SQLite) gets one class of
trainees in a timed exam of short-answer questions. gunicorn (3 sync workers, production settings)
and a task worker serve it while one thread per trainee saves answers as fast as it can, each
answer unique. Meanwhile gunicorn workers are killed with SIGKILL every couple of seconds, the task
worker is killed and restarted, and once the whole gunicorn service (master and workers, as systemd's
KillMode=control-group does) is killed and started again. Then every answer the server acknowledged
(HTTP 200) must be in the attempt's step log, and each question's saved answer must be the last one
acknowledged or a later one. Prints PASS or FAIL; exit status 0 on PASS, 1 on FAIL.

Knobs: CRASH_DRILL_SECONDS (load time, 30), CRASH_DRILL_TRAINEES (20), CRASH_DRILL_DATABASE_URL (an
existing, migrated, throwaway database to use as is: it is written to and not dropped).
"""

import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("CRASH_DRILL_SECONDS", "30"))
TRAINEES = int(os.environ.get("CRASH_DRILL_TRAINEES", "20"))
QUESTIONS = 10
GUNICORN_WORKERS = 3


def say(text: str) -> None:
    print(text, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid and stat[0] not in ("Z", "X"):
                    found.append(int(entry.name))
    return found


class Scratch:
    """The drill's database: created and dropped here unless CRASH_DRILL_DATABASE_URL is given."""

    def __init__(self, folder: Path):
        self.given = os.environ.get("CRASH_DRILL_DATABASE_URL", "")
        self.url = self.given
        self.maintenance = ""
        self.name = ""
        if self.given:
            return
        site = os.environ.get("DATABASE_URL", "")
        if site.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(site)
            self.name = f"dangke_crash_drill_{os.getpid()}"
            self.maintenance = urlunsplit(parts._replace(path="/postgres"))
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        else:
            self.url = f"sqlite:///{folder / 'drill.sqlite3'}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.maintenance, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        if self.name:
            with contextlib.suppress(Exception):
                self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _prepare(*, trainees: int) -> list[dict]:
    """A class, its trainees with API tokens and an exam attempt each: [{token, attempt, questions}]."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from bench.trainees import branch_unit, trainees_bulk_create
    from learning.classes.models import Enrolment, TrainingClass
    from learning.quizzes import services
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizKind, QuizQuestion

    branch = branch_unit("演练学院党委", "演练党支部")
    today = timezone.localdate()
    training_class = TrainingClass.objects.create(
        name=f"故障演练班 {secrets.token_hex(3)}",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=30),
    )
    bank = QuestionBank.objects.create(name=f"故障演练题库 {secrets.token_hex(3)}")
    questions = Question.objects.bulk_create(
        [
            Question(
                bank=bank, type="short", stem=f"简答题 {n}：谈谈你对党的认识", score=Decimal(10)
            )
            for n in range(QUESTIONS)
        ]
    )
    quiz = Quiz.objects.create(
        title="故障演练结业考试",
        kind=QuizKind.EXAM,
        training_class=training_class,
        time_limit_minutes=90,
        attempts_allowed=0,
    )
    QuizQuestion.objects.bulk_create(
        [QuizQuestion(quiz=quiz, question=q, sort_order=n) for n, q in enumerate(questions)]
    )
    User = get_user_model()
    tag = secrets.token_hex(3)
    people = []
    for n in range(trainees):
        user = User.objects.create_user(username=f"drill-{tag}-{n:03d}", password=None)
        (profile,) = trainees_bulk_create(
            [(user, f"演练学员{n}", f"D{tag}{n:04d}", branch)], must_change_password=False
        )
        Enrolment.objects.create(training_class=training_class, trainee=profile)
        attempt, _ = services.attempt_start(quiz=quiz, user=user)
        people.append(
            {
                "token": Token.objects.create(user=user).key,
                "attempt": attempt.pk,
                "questions": [q["id"] for q in attempt.questions],
            }
        )
    return people


class Trainee(threading.Thread):
    """Saves answers one after another; each answer text is unique (`t<n>-<seq>`)."""

    def __init__(self, n: int, person: dict, port: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.n, self.person, self.port, self.stop = n, person, port, stop
        self.acked: list[tuple[int, int, str, int]] = []
        self.failures: Counter = Counter()
        self.sent = 0

    def run(self) -> None:
        conn = None
        rng = random.Random(self.n)
        seq = 0
        headers = {
            "Authorization": f"Token {self.person['token']}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
            "Connection": "keep-alive",
        }
        while not self.stop.is_set():
            seq += 1
            question = rng.choice(self.person["questions"])
            value = f"t{self.n}-{seq}"
            path = f"/api/v1/attempts/{self.person['attempt']}/answers/{question}/"
            self.sent += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                conn.request("PUT", path, body=json.dumps({"answer": value}), headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.failures[type(exc).__name__] += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
                continue
            if response.status == 200 and json.loads(body).get("answer") == value:
                self.acked.append((self.person["attempt"], question, value, seq))
            else:
                self.failures[f"HTTP {response.status}"] += 1
                time.sleep(0.05)
        if conn is not None:
            conn.close()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
    folder = Path(tempfile.mkdtemp(prefix="dangke-crash-drill-"))
    started = time.monotonic()
    scratch = Scratch(folder)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": scratch.url,
        "DANGKE_VAR_DIR": str(folder / "var"),
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "TASK_BACKEND": "database",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }
    os.environ.update(env)
    processes: dict[str, subprocess.Popen] = {}
    failed = False
    try:
        py = sys.executable
        manage = [py, str(ROOT / "manage.py")]
        if not scratch.given:
            say(f"== throwaway database: {scratch.url.split('@')[-1]}; migrating")
            subprocess.run([*manage, "migrate", "-v", "0"], check=True, cwd=ROOT, env=env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        people = _prepare(trainees=TRAINEES)
        from django.db import connection

        connection.close()
        port = _free_port()
        gunicorn = [
            str(Path(py).parent / "gunicorn"),
            "cms.wsgi",
            *("--workers", str(GUNICORN_WORKERS), "--bind", f"127.0.0.1:{port}"),
            *("--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning"),
        ]
        log = (folder / "services.log").open("a")

        def start(name: str, args: list[str]) -> subprocess.Popen:
            # A session of its own: one killpg ends the service with all its processes, as
            # systemd's KillMode=control-group does.
            processes[name] = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
            return processes[name]

        def wait_ready() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
                    if conn.getresponse().status in (200, 503):
                        return
                time.sleep(0.2)
            raise RuntimeError("gunicorn did not answer within 60 s")

        start("gunicorn", gunicorn)
        start("worker", [*manage, "task_worker"])
        wait_ready()
        say(
            f"== {TRAINEES} trainees saving answers for {SECONDS:.0f} s to gunicorn "
            f"({GUNICORN_WORKERS} workers) on 127.0.0.1:{port}; killing workers meanwhile"
        )
        stop = threading.Event()
        trainees = [Trainee(n, p, port, stop) for n, p in enumerate(people)]
        for trainee in trainees:
            trainee.start()
        kills: Counter = Counter()
        load_started = time.monotonic()
        service_killed = worker_killed = False
        rng = random.Random(7)
        while (elapsed := time.monotonic() - load_started) < SECONDS:
            time.sleep(2)
            workers = _children(processes["gunicorn"].pid)
            if workers:
                os.kill(rng.choice(workers), signal.SIGKILL)
                kills["gunicorn worker (SIGKILL)"] += 1
            if not worker_killed and elapsed > SECONDS * 0.3:
                os.killpg(processes["worker"].pid, signal.SIGKILL)
                processes["worker"].wait()
                start("worker", [*manage, "task_worker"])
                kills["task worker (SIGKILL, restarted)"] += 1
                worker_killed = True
            if not service_killed and elapsed > SECONDS * 0.5:
                os.killpg(processes["gunicorn"].pid, signal.SIGKILL)
                processes["gunicorn"].wait()
                start("gunicorn", gunicorn)
                wait_ready()
                kills["whole gunicorn service (SIGKILL, restarted)"] += 1
                service_killed = True
        stop.set()
        for trainee in trainees:
            trainee.join(timeout=30)
        for name in ("gunicorn", "worker"):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(processes[name].pid, signal.SIGTERM)
            processes[name].wait(timeout=30)

        from learning.quizzes.models import AttemptAnswer, AttemptStep

        acked = [a for t in trainees for a in t.acked]
        attempts = [p["attempt"] for p in people]
        steps = set(
            AttemptStep.objects.filter(attempt_id__in=attempts).values_list(
                "attempt_id", "question_id", "answer"
            )
        )
        lost = [a for a in acked if (a[0], a[1], a[2]) not in steps]
        last: dict[tuple[int, int], int] = {}
        for attempt, question, _value, seq in acked:
            last[(attempt, question)] = max(seq, last.get((attempt, question), 0))
        saved = {
            (a, q): answer
            for a, q, answer in AttemptAnswer.objects.filter(attempt_id__in=attempts).values_list(
                "attempt_id", "question_id", "answer"
            )
        }
        changed = [
            key
            for key, seq in last.items()
            if key not in saved or int(str(saved[key]).rsplit("-", 1)[1]) < seq
        ]
        failures = sum((t.failures for t in trainees), Counter())
        sent = sum(t.sent for t in trainees)
        say("   kills: " + ", ".join(f"{n} × {what}" for what, n in kills.items()))
        say(f"   answers sent: {sent}, acknowledged: {len(acked)}")
        say(
            "   not acknowledged (the client saw an error and would retry): "
            + (", ".join(f"{n} × {what}" for what, n in failures.most_common()) or "none")
        )
        say(f"   acknowledged answers missing from the step log: {len(lost)}")
        say(f"   questions whose saved answer is older than the last acknowledged: {len(changed)}")
        failed = bool(lost or changed or not acked or not kills)
        if failures.get("HTTP 500"):
            say(f"   HTTP 500 answers: {failures['HTTP 500']}")
            failed = True
    except Exception as exc:  # noqa: BLE001 — the drill reports, then cleans up
        say(f"drill error: {exc!r}")
        failed = True
    finally:
        for process in processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        scratch.drop()
        shutil.rmtree(folder, ignore_errors=True)
    say(f"{'FAIL' if failed else 'PASS'} (crash drill, {time.monotonic() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
