"""Locust scenarios for bench/load/run.sh: an exam peak (ExamTrainee, with the class's trainer
refreshing the class report every 10 s: ReportTrainer), a study evening (StudyTrainee), and beside
either a no-op probe (NoopProbe) on the same server.

LOAD_DATA names the JSON written by bench/load/prepare.py (usernames, tokens, password, exam id,
page URLs). Each simulated user is its own trainee. The server runs the production settings behind
what would be nginx: every request carries X-Forwarded-Proto: https, as the proxy would add.

The server (bench/load/wsgi.py) answers with its own time for each request (Server-Timing); the
users collect it per request type and write it to LOAD_SERVER_TIMING (JSON) when the run stops.
"""

import json
import math
import os
import random
from itertools import cycle
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

with open(os.environ["LOAD_DATA"], encoding="utf-8") as _file:
    DATA = json.load(_file)
# Users take trainees in turn; gevent switches only on I/O, so next() needs no lock.
_TRAINEES = cycle(DATA["usernames"])
_TOKENS = cycle(DATA["tokens"])
# Answers a trainee saves before handing in, and the seconds between two saves (a trainee reading
# and answering one question): 4 saves every 12–18 s by default, then the submit.
EXAM_SAVES = int(os.environ.get("LOAD_EXAM_SAVES", "4"))
EXAM_WAIT = tuple(float(x) for x in os.environ.get("LOAD_EXAM_WAIT", "12,18").split(","))
# How the starts arrive. Locust starts users in batches: at -r 67 it starts 67 at the same instant
# once a second (locust/dispatch.py: floor(spawn rate) users per dispatch, then a wait), so each
# second's 67 starts reach the server together — 30 bursts, not "2,000 takers starting within 30 s".
# "spread" (the default) has each taker wait a random part of its batch's second before pressing
# 开始考试, so the starts are independent random moments over the spread (arrivals as a crowd makes
# them); LOAD_EXAM_ARRIVALS=batched keeps locust's bursts (every run before session 12).
EXAM_ARRIVALS = os.environ.get("LOAD_EXAM_ARRIVALS", "spread")
# LOAD_EXAM_LOGIN=1: each exam user logs in with its password first (PBKDF2, ~0.25 s of CPU each)
# instead of using the token issued before the exam.
EXAM_LOGIN = os.environ.get("LOAD_EXAM_LOGIN") == "1"
# Seconds between two refreshes of the class report by the trainer (ReportTrainer), and the query
# string of the report it asks for: "" is every row (2,000 at the peak), "page=1" the first 100.
REPORT_EVERY = float(os.environ.get("LOAD_REPORT_EVERY", "10"))
REPORT_QUERY = os.environ.get("LOAD_REPORT_QUERY", "")
# Heartbeats per lesson before the trainee moves to another lesson (the player sends one per ~10 s).
LESSON_BEATS = int(os.environ.get("LOAD_LESSON_BEATS", "4"))
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# The token-authenticated API users (exam takers, the no-op probe, the trainer) run on locust's
# FastHttpUser (geventhttpclient) by default: the load generator shares the server's 2 cores, and the
# requests-based HttpUser spent ~0.3-0.45 of a core at the 2,000-taker peak. LOAD_CLIENT=requests
# brings the old client back. The study scenario keeps HttpUser (it needs a cookie jar).
API_CLIENT = os.environ.get("LOAD_CLIENT", "fast")

# Request type → [(server wall ms, server CPU ms)], from the Server-Timing header.
SERVER_TIMING: dict[str, list[tuple[float, float]]] = {}


class ApiUser(HttpUser if API_CLIENT == "requests" else FastHttpUser):
    """A user of the REST API with a token: every request carries `self.api_headers`."""

    abstract = True

    def on_start(self):
        self.api_headers = dict(PROXY_HEADERS)

    def api(self, method: str, url: str, name: str, **kwargs):
        """One request, recorded under `name`, with the server's own timing kept."""
        response = self.client.request(method, url, name=name, headers=self.api_headers, **kwargs)
        return _server_timing(response, name)


def _server_timing(response, name: str):
    header = response.headers.get("Server-Timing", "") if response is not None else ""
    parts = dict(p.strip().split(";dur=", 1) for p in header.split(",") if ";dur=" in p)
    if "app" in parts and "cpu" in parts:
        SERVER_TIMING.setdefault(name, []).append((float(parts["app"]), float(parts["cpu"])))
    return response


@events.test_stop.add_listener
def _write_server_timing(**kwargs):
    path = os.environ.get("LOAD_SERVER_TIMING")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(SERVER_TIMING, out)


class NoopProbe(ApiUser):
    """The floor, measured by the same server in the same seconds: two users call a DRF view
    with token authentication that does nothing else (bench/exams.py), twice a second each."""

    fixed_count = 2
    wait_time = constant_pacing(0.5)

    def on_start(self):
        super().on_start()
        self.api_headers["Authorization"] = f"Token {DATA['tokens'][0]}"

    @task
    def noop(self):
        self.api("GET", "/bench-noop/", "GET /bench-noop/ (no-op)")


class ReportTrainer(ApiUser):
    """The class's trainer with its report open during the exam: the whole report (every trainee's
    row, LOAD_REPORT_QUERY to narrow it) refreshed every LOAD_REPORT_EVERY (10) seconds."""

    fixed_count = 1
    wait_time = constant_pacing(REPORT_EVERY)

    def on_start(self):
        super().on_start()
        self.api_headers["Authorization"] = f"Token {DATA['trainer_token']}"

    @task
    def report(self):
        url = f"/api/v1/classes/{DATA['class']}/report/"
        url += f"?{REPORT_QUERY}" if REPORT_QUERY else ""
        self.api("GET", url, "GET /api/v1/classes/[id]/report/ (trainer)")


class ExamTrainee(ApiUser):
    """Starts the class exam with the token issued before it (or logs in first, LOAD_EXAM_LOGIN=1),
    saves an answer every 12–18 s (LOAD_EXAM_WAIT), hands in after LOAD_EXAM_SAVES answers."""

    done = False

    def wait_time(self):
        # A trainee who handed in stays (idle) until the run ends: locust would start a new user
        # in a stopped one's place, and that one would sit the exam a second time.
        return 3600.0 if self.done else random.uniform(*EXAM_WAIT)

    def on_start(self):
        super().on_start()
        if EXAM_ARRIVALS == "spread":
            rate = self.environment.parsed_options.spawn_rate
            gevent.sleep(random.uniform(0, max(1, math.floor(rate)) / rate))
        if EXAM_LOGIN:
            response = self.api(
                "POST",
                "/api/v1/auth/token/",
                "POST /api/v1/auth/token/",
                json={"username": next(_TRAINEES), "password": DATA["password"]},
            )
            if response.status_code != 200:
                raise StopUser()
            token = response.json()["token"]
        else:
            token = next(_TOKENS)
        self.api_headers["Authorization"] = f"Token {token}"
        response = self.api(
            "POST",
            f"/api/v1/quizzes/{DATA['quiz']}/attempts/",
            "POST /api/v1/quizzes/[id]/attempts/",
        )
        if response.status_code not in (200, 201):
            raise StopUser()
        self.attempt = response.json()
        self.questions = list(self.attempt["questions"])
        random.shuffle(self.questions)
        self.saved = 0

    @task
    def answer_or_submit(self):
        if self.done:
            return
        if self.saved >= EXAM_SAVES:
            self.api(
                "POST",
                f"/api/v1/attempts/{self.attempt['id']}/submit/",
                "POST /api/v1/attempts/[id]/submit/",
            )
            self.done = True
            return
        question = self.questions[self.saved % len(self.questions)]
        keys = [option["key"] for option in question["options"]]
        answer = {
            "single": random.choice(keys or ["A"]),
            "multiple": random.sample(keys, 2) if len(keys) >= 2 else keys,
            "true_false": random.choice([True, False]),
        }[question["type"]]
        self.api(
            "PUT",
            f"/api/v1/attempts/{self.attempt['id']}/answers/{question['id']}/",
            "PUT /api/v1/attempts/[id]/answers/[qid]/",
            json={"answer": answer},
        )
        self.saved += 1


class StudyTrainee(HttpUser):
    """Logs in through the login page, browses home → course → lesson, reads with ~10 s heartbeats."""

    wait_time = between(8, 12)

    def on_start(self):
        self.client.headers.update(PROXY_HEADERS)
        origin = "https://" + urlsplit(self.host).netloc
        self.client.headers.update({"Origin": origin, "Referer": origin + "/accounts/login/"})
        self._call("get", "/accounts/login/", name="GET /accounts/login/")
        response = self._call(
            "post",
            "/accounts/login/",
            data={
                "username": next(_TRAINEES),
                "password": DATA["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            name="POST /accounts/login/",
        )
        if response.status_code != 302:
            raise StopUser()
        self.client.headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")
        self.beats = 0
        self._open_lesson()

    def _call(self, method: str, url: str, **kwargs):
        response = self.client.request(method, url, **kwargs)
        # Production cookies are Secure and this client speaks plain HTTP on loopback (the server
        # sees HTTPS through the proxy header), so requests would not send them back: every cookie
        # the server sets is marked sendable here.
        for cookie in self.client.cookies:
            cookie.secure = False
        return _server_timing(response, kwargs.get("name", url))

    def _open_lesson(self):
        self._call("get", "/", name="GET / (home page)")
        self._call("get", random.choice(DATA["courses"]), name="GET course page")
        lesson = random.choice(DATA["lessons"])
        self.lesson_id = lesson["id"]
        with self._call(
            "get",
            f"/api/v1/lessons/{self.lesson_id}/",
            name="GET /api/v1/lessons/[id]/",
            catch_response=True,
        ) as response:
            # The lesson carries the trainee's progress only for a logged-in user: proof that the
            # session cookie is sent, so the pages are rendered for the trainee, not for a visitor.
            if response.ok and response.json().get("progress") is None:
                response.failure("not logged in: no progress in the lesson")
        self._call("get", lesson["url"], name="GET lesson page")
        self._progress("play")

    def _progress(self, event: str):
        self._call(
            "post",
            f"/api/v1/lessons/{self.lesson_id}/progress/",
            json={"event": event, "active": True},
            name="POST /api/v1/lessons/[id]/progress/",
        )

    @task
    def read(self):
        if self.beats >= LESSON_BEATS:
            self._progress("pause")
            self.beats = 0
            self._open_lesson()
            return
        self._progress("heartbeat")
        self.beats += 1
