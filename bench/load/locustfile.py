"""Locust scenarios for bench/load/run.sh: an exam peak (ExamTrainee) and a study evening (StudyTrainee).

LOAD_DATA names the JSON written by bench/load/prepare.py (usernames, password, exam id, page URLs).
Each simulated user logs in as its own trainee. The server runs the production settings behind
what would be nginx: every request carries X-Forwarded-Proto: https, as the proxy would add.
"""

import json
import os
import random
from itertools import cycle
from urllib.parse import urlsplit

from locust import HttpUser, between, task
from locust.exception import StopUser

with open(os.environ["LOAD_DATA"], encoding="utf-8") as _file:
    DATA = json.load(_file)
# Users take trainees in turn; gevent switches only on I/O, so next() needs no lock.
_TRAINEES = cycle(DATA["usernames"])
# Answers a trainee saves before submitting: with a save every 2–5 s, a trainee who starts within
# the first ~25 s of the run submits before a 60 s run ends.
EXAM_SAVES = int(os.environ.get("LOAD_EXAM_SAVES", "6"))
# Heartbeats per lesson before the trainee moves to another lesson (the player sends one per ~10 s).
LESSON_BEATS = int(os.environ.get("LOAD_LESSON_BEATS", "4"))
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class ExamTrainee(HttpUser):
    """Logs in with the token API, starts the class exam, saves an answer every few seconds, submits."""

    wait_time = between(2, 5)

    def on_start(self):
        self.client.headers.update(PROXY_HEADERS)
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"username": next(_TRAINEES), "password": DATA["password"]},
            name="POST /api/v1/auth/token/",
        )
        if response.status_code != 200:
            raise StopUser()
        self.client.headers["Authorization"] = f"Token {response.json()['token']}"
        response = self.client.post(
            f"/api/v1/quizzes/{DATA['quiz']}/attempts/",
            name="POST /api/v1/quizzes/[id]/attempts/",
        )
        if response.status_code not in (200, 201):
            raise StopUser()
        self.attempt = response.json()
        self.questions = list(self.attempt["questions"])
        random.shuffle(self.questions)
        self.saved = 0

    @task
    def answer_or_submit(self):
        if self.saved >= EXAM_SAVES:
            self.client.post(
                f"/api/v1/attempts/{self.attempt['id']}/submit/",
                name="POST /api/v1/attempts/[id]/submit/",
            )
            raise StopUser()
        question = self.questions[self.saved % len(self.questions)]
        keys = [option["key"] for option in question["options"]]
        answer = {
            "single": random.choice(keys or ["A"]),
            "multiple": random.sample(keys, 2) if len(keys) >= 2 else keys,
            "true_false": random.choice([True, False]),
        }[question["type"]]
        self.client.put(
            f"/api/v1/attempts/{self.attempt['id']}/answers/{question['id']}/",
            json={"answer": answer},
            name="PUT /api/v1/attempts/[id]/answers/[qid]/",
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
        return response

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
