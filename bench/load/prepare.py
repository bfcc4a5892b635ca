"""Load-test data: the demo site plus one class of N trainees and its 40-question exam (run by run.sh).

Run with DATABASE_URL pointing at the throwaway load database: it migrates, loads the demo content
(`load_demo --no-video`: courses and article lessons), then adds the class 压测培训班 with
LOAD_TRAINEES trainees (default 300) enrolled, its trainer (load-trainer) and a timed class exam
drawing 40 questions from a 120-question bank. It writes what the locust users need (usernames, password, quiz id, page URLs,
lesson ids) as JSON to the path given as the first argument.
"""

import json
import sys
from datetime import timedelta
from decimal import Decimal

TRAINEES_DEFAULT = 300
# Every load trainee shares this password; its hash is computed once (PBKDF2 is deliberately slow)
# and stored for all of them, so each login still pays the full hashing cost on the server.
PASSWORD = "load-test-Dangke-2025"
CLASS_NAME = "压测培训班"
TRAINER = "load-trainer"
BANK_NAME = "压测题库"
EXAM_TITLE = "压测结业考试"
# 20 single + 10 multiple + 10 true/false = 40 questions of 2.5 points: 100 points.
DRAW = (("single", 20), ("multiple", 10), ("true_false", 10))


def _bank():
    from learning.quizzes import grading
    from learning.quizzes.models import Question, QuestionBank

    bank, created = QuestionBank.objects.get_or_create(name=BANK_NAME)
    if not created:
        return bank
    rows = []
    for type_, count in DRAW:
        for i in range(count * 3):
            stem = f"压测试题（{type_} {i}）：党的基本知识"
            options = [] if type_ == "true_false" else ["选项一", "选项二", "选项三", "选项四"]
            answer = {"single": "B", "multiple": ["A", "C"], "true_false": True}[type_]
            rows.append(
                Question(
                    bank=bank,
                    type=type_,
                    stem=stem,
                    options=options,
                    answer=grading.normalise_key(type_, answer, option_count=len(options)),
                    score=Decimal("2.5"),
                    stem_key=grading.stem_key(type_, stem),
                )
            )
    Question.objects.bulk_create(rows)
    return bank


def prepare(*, trainees: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone
    from wagtail.models import Page

    from bench.trainees import branch_unit, trainees_bulk_create
    from cms.pages.models import ArticleLessonPage, CoursePage
    from learning.classes.models import (
        Enrolment,
        TraineeStage,
        TrainingClass,
        lesson_pages_q,
    )
    from learning.quizzes.models import Attempt, Quiz, QuizDrawRule, QuizKind

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", no_video=True, verbosity=0)

    User = get_user_model()
    branch = branch_unit("压测学院党委", "压测党支部")
    today = timezone.localdate()
    training_class, _ = TrainingClass.objects.get_or_create(
        name=CLASS_NAME,
        defaults={
            "intake": "第 1 期",
            "audience_stage": TraineeStage.ACTIVIST,
            "start_date": today - timedelta(days=7),
            "end_date": today + timedelta(days=60),
            "required_hours": Decimal("40"),
        },
    )
    training_class.required_lessons.add(*Page.objects.live().filter(lesson_pages_q()))

    usernames = [f"load-trainee-{n:04d}" for n in range(trainees)]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    hashed = make_password(PASSWORD)
    User.objects.bulk_create(
        [User(username=u, password=hashed) for u in usernames if u not in existing]
    )
    users = User.objects.filter(username__in=usernames).order_by("username")
    # Members of the 压测党支部 at 入党积极分子 (issue 15); reruns keep what is there.
    profiles = trainees_bulk_create(
        [(user, f"压测学员{n}", f"L{n:06d}", branch) for n, user in enumerate(users)],
        stage=TraineeStage.ACTIVIST,
        must_change_password=False,
    )
    enrolled = set(
        Enrolment.objects.filter(training_class=training_class).values_list("trainee_id", flat=True)
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(training_class=training_class, trainee=p)
            for p in profiles
            if p.pk not in enrolled
        ]
    )

    # API tokens issued before the exam (trainees log in beforehand: a login costs ~0.25 s of CPU,
    # docs/performance.md); the exam users take these.
    from rest_framework.authtoken.models import Token

    have_token = set(Token.objects.filter(user__in=users).values_list("user_id", flat=True))
    Token.objects.bulk_create(
        [Token(user=user, key=Token.generate_key()) for user in users if user.pk not in have_token]
    )
    tokens = dict(Token.objects.filter(user__in=users).values_list("user__username", "key"))

    # The class's trainer, who keeps its report open during the exam (ReportTrainer): assigned to
    # the class (classes_for_trainer), with a token issued beforehand like the trainees'.
    trainer, _ = User.objects.get_or_create(username=TRAINER, defaults={"password": hashed})
    training_class.trainers.add(trainer)
    trainer_token, _ = Token.objects.get_or_create(user=trainer)

    bank = _bank()
    quiz, created = Quiz.objects.get_or_create(
        title=EXAM_TITLE,
        defaults={
            "kind": QuizKind.EXAM,
            "training_class": training_class,
            "time_limit_minutes": 90,
            "attempts_allowed": 0,
        },
    )
    if created:
        for order, (type_, count) in enumerate(DRAW):
            QuizDrawRule.objects.create(
                quiz=quiz,
                bank=bank,
                type=type_,
                count=count,
                score=Decimal("2.5"),
                sort_order=order,
            )
    # A fresh exam for every run: earlier runs' attempts would be resumed instead of started.
    Attempt.objects.filter(quiz=quiz).delete()

    articles = ArticleLessonPage.objects.live().order_by("path")
    return {
        "password": PASSWORD,
        "usernames": usernames,
        "tokens": [tokens[u] for u in usernames],
        "quiz": quiz.pk,
        "class": training_class.pk,
        "trainer_token": trainer_token.key,
        "courses": [c.url for c in CoursePage.objects.live().order_by("path")],
        "lessons": [{"id": a.pk, "url": a.url} for a in articles],
    }


def main(argv: list[str]) -> None:
    import os

    import django

    django.setup()
    trainees = int(os.environ.get("LOAD_TRAINEES", TRAINEES_DEFAULT))
    data = prepare(trainees=trainees)
    with open(argv[0], "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
    print(
        f"prepared: {len(data['usernames'])} trainees, exam {data['quiz']}, "
        f"{len(data['courses'])} courses, {len(data['lessons'])} article lessons"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
