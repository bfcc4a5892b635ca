"""Fixtures for learning tests: lessons, trainees, trainers and a training class."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from cms.pages.models import ArticleLessonPage, CoursePage, HomePage, VideoLessonPage
from cms.roles import TRAINERS
from learning.classes.models import Enrolment, TraineeProfile, TrainingClass
from media_pipeline.models import Video
from tests.factories import make_branch_unit, make_trainee_profile

# --- progress, ledger and classes fixtures -------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_lesson_cache():
    """Lesson facts are cached per process; page ids repeat across rolled-back tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(db):
    home = HomePage.objects.first()
    page = CoursePage(title="党的基本知识", slug="basics")
    home.add_child(instance=page)
    return page


@pytest.fixture
def video(db):
    return Video.objects.create(
        title="党章学习", original="videos/original/x.mp4", status="ready", duration_seconds=600
    )


@pytest.fixture
def video_lesson(course, video):
    page = VideoLessonPage(
        title="学习党章", slug="dangzhang", video=video, class_hours=Decimal("0.5")
    )
    course.add_child(instance=page)
    return page


@pytest.fixture
def article_lesson(course):
    page = ArticleLessonPage(
        title="入党誓词", slug="oath", min_reading_seconds=60, class_hours=Decimal("0.25")
    )
    course.add_child(instance=page)
    return page


@pytest.fixture
def branch(db):
    """The 党支部 of the trainees: 本科生第一党支部 under 计算机学院党委, in the Party tree (issue 15)."""
    return make_branch_unit("计算机学院党委", "本科生第一党支部")


@pytest.fixture
def college(branch):
    """The 院系党委 of `branch`."""
    return branch.get_parent()


@pytest.fixture
def branch_unit(branch):
    """The same 党支部 as `branch` (the name older tests use for the tree's unit)."""
    return branch


def make_trainee(username: str, branch, stage: str = "activist") -> User:
    """A trainee account whose profile is linked to a member of `branch` (a 党支部 Unit) at `stage`."""
    user = User.objects.create_user(username=username, password="pw-123456-x")
    make_trainee_profile(
        user=user, name=f"学员{username}", student_no=f"S{username}", branch=branch, stage=stage
    )
    return user


@pytest.fixture
def trainee(branch):
    return make_trainee("trainee1", branch)


@pytest.fixture
def other_trainee(branch):
    return make_trainee("trainee2", branch)


def make_trainer(username: str) -> User:
    user = User.objects.create_user(username=username, password="pw-123456-x")
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def trainer(db):
    return make_trainer("trainer")


@pytest.fixture
def trainer2(db):
    return make_trainer("trainer2")


@pytest.fixture
def training_office(trainer):
    """The trainer, who may also see all classes (the training office): 学院 and 党支部 are staff
    data, so only such a user may create them, e.g. through a roster import."""
    from django.contrib.auth.models import Permission

    trainer.user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    return User.objects.get(pk=trainer.pk)


@pytest.fixture
def training_class(trainee, trainer, video_lesson, article_lesson):
    tc = TrainingClass.objects.create(name="第一期入党积极分子培训班", intake="第 1 期")
    tc.required_lessons.add(video_lesson, article_lesson)
    tc.trainers.add(trainer)
    Enrolment.objects.create(training_class=tc, trainee=trainee.trainee_profile)
    return tc


@pytest.fixture
def trainee_api(trainee):
    client = APIClient()
    client.force_authenticate(trainee)
    return client


def rewind_playback(user, seconds: float) -> None:
    """Pretend `seconds` of wall time passed since the user's last accepted report."""
    from learning.progress.models import PlaybackSession

    for session in PlaybackSession.objects.filter(user=user, anchor_at__isnull=False):
        PlaybackSession.objects.filter(pk=session.pk).update(
            anchor_at=session.anchor_at - timedelta(seconds=seconds)
        )


# --- quizzes and exams (issue 5) -----------------------------------------------------------

_quiz_seq = iter(range(1, 1_000_000))


@pytest.fixture
def quiz_lesson(db):
    """A live article lesson under a live course, for practice quizzes."""
    n = next(_quiz_seq)
    home = HomePage.objects.first()
    course = CoursePage(title=f"测验专题{n}", slug=f"quiz-course-{n}")
    home.add_child(instance=course)
    course.save_revision().publish()
    lesson = ArticleLessonPage(title=f"测验课{n}", slug=f"quiz-lesson-{n}")
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def quiz_user_factory(db):
    def make(username: str = "", **fields) -> User:
        username = username or f"quizuser{next(_quiz_seq)}"
        return User.objects.create_user(username=username, password="pw-Secret-123", **fields)

    return make


@pytest.fixture
def quiz_class_factory(db):
    """make(trainees=[users], trainers=[users]) → a TrainingClass with those users enrolled."""

    def make(*, trainees=(), trainers=()) -> TrainingClass:
        branch = make_branch_unit("测验学院党委", "测验支部")
        training_class = TrainingClass.objects.create(name=f"测验培训班{next(_quiz_seq)}")
        training_class.trainers.add(*trainers)
        for user in trainees:
            profile = TraineeProfile.objects.filter(user=user).first() or make_trainee_profile(
                user=user, name=user.username, student_no=f"Q{user.pk:06d}", branch=branch
            )
            Enrolment.objects.create(training_class=training_class, trainee=profile)
        return training_class

    return make


@pytest.fixture
def quiz_bank(db):
    """A bank with 3 questions of every type (options A–D; fill-ins with two blanks)."""
    from learning.quizzes.models import Difficulty, Question, QuestionBank, QuestionType

    bank = QuestionBank.objects.create(name=f"测验题库{next(_quiz_seq)}")
    for i in range(3):
        Question.objects.create(
            bank=bank,
            type=QuestionType.SINGLE,
            stem=f"单选题{i}：中国共产党成立于哪一年？",
            options=["1919年", "1921年", "1927年", "1949年"],
            answer="B",
            explanation="1921年7月，中国共产党第一次全国代表大会召开。",
            score=Decimal("2"),
            category="党史",
            difficulty=Difficulty.EASY,
        )
        Question.objects.create(
            bank=bank,
            type=QuestionType.MULTIPLE,
            stem=f"多选题{i}：下列属于党的纪律的有？",
            options=["政治纪律", "组织纪律", "廉洁纪律", "娱乐纪律"],
            answer=["A", "B", "C"],
            explanation="党的纪律包括政治、组织、廉洁、群众、工作、生活纪律。",
            score=Decimal("3"),
            category="党章",
            difficulty=Difficulty.MEDIUM,
        )
        Question.objects.create(
            bank=bank,
            type=QuestionType.TRUE_FALSE,
            stem=f"判断题{i}：入党积极分子需经过一年以上的培养考察。",
            answer=True,
            score=Decimal("1"),
            category="发展党员",
        )
        Question.objects.create(
            bank=bank,
            type=QuestionType.FILL,
            stem=f"填空题{i}：党的最高理想和最终目标是实现（ ），党的根本宗旨是（ ）。",
            answer=[["共产主义"], ["全心全意为人民服务", "为人民服务"]],
            score=Decimal("2"),
            category="党章",
        )
        Question.objects.create(
            bank=bank,
            type=QuestionType.SHORT,
            stem=f"简答题{i}：谈谈你对入党动机的认识。",
            answer="端正入党动机……",
            score=Decimal("10"),
            category="党性修养",
            difficulty=Difficulty.HARD,
        )
    return bank


@pytest.fixture
def database_tasks(settings):
    """Tasks written to the database as in production (django-tasks-db; the tests' default runs
    them at once), with this process's remembered deadline windows forgotten before and after."""
    from learning.quizzes import tasks

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASKS["default"].get("QUEUES", ["default"]),
        }
    }
    tasks.deadline_windows_forget()
    yield
    tasks.deadline_windows_forget()


@pytest.fixture
def quiz_exam_factory(db, quiz_bank):
    """make(training_class, fixed=[questions], rules=[dicts], **fields) → an exam Quiz."""
    from learning.quizzes.models import Quiz, QuizDrawRule, QuizKind, QuizQuestion

    def make(training_class=None, *, fixed=None, rules=None, **fields):
        fields.setdefault("title", f"结业考试{next(_quiz_seq)}")
        fields.setdefault("kind", QuizKind.EXAM)
        fields.setdefault("attempts_allowed", 2)
        if training_class is not None and fields["kind"] == QuizKind.EXAM:
            # The class's first exam is its 结业考试 unless the test says otherwise.
            fields.setdefault(
                "is_final_exam", not training_class.exams.filter(is_final_exam=True).exists()
            )
        quiz = Quiz.objects.create(training_class=training_class, **fields)
        for order, question in enumerate(fixed or []):
            QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
        for order, rule in enumerate(rules or []):
            QuizDrawRule.objects.create(quiz=quiz, sort_order=order, **{"bank": quiz_bank, **rule})
        return quiz

    return make


# --- reports and certificates (issue 6) ----------------------------------------------------


@pytest.fixture
def report_factory(db):
    """Builders for report tests: classes with N trainees, credited 学时, exams and attempts."""
    from types import SimpleNamespace

    from learning.progress.models import HoursLedgerEntry, LedgerSource
    from learning.quizzes.models import Attempt, AttemptState, Quiz, QuizKind

    seq = iter(range(1, 1_000_000))

    def org(college_name: str = "马克思主义学院", branch_name: str = "教工党支部"):
        """The 党支部 Unit `branch_name` under the 院系党委 `college_name` (issue 15)."""
        return make_branch_unit(college_name, branch_name)

    def klass(*, trainers=(), required_hours="10", **fields) -> TrainingClass:
        n = next(seq)
        fields.setdefault("name", f"报表培训班{n}")
        tc = TrainingClass.objects.create(required_hours=Decimal(required_hours), **fields)
        tc.trainers.add(*trainers)
        return tc

    def trainees(tc, count: int, *, branch=None, stage: str = "activist") -> list[TraineeProfile]:
        """`count` trainees of a 党支部 Unit (org() if None), members at `stage`, enrolled."""
        branch = branch or org()
        profiles = []
        for _i in range(count):
            n = next(seq)
            user = User.objects.create(username=f"rep{tc.pk}_{n}")
            profile = make_trainee_profile(
                user=user,
                name=f"学员{n:04d}",
                student_no=f"R{tc.pk:03d}{n:05d}",
                branch=branch,
                stage=stage,
            )
            Enrolment.objects.create(training_class=tc, trainee=profile)
            profiles.append(profile)
        return profiles

    def hours(profile, tc, amount, *, source=LedgerSource.OFFLINE_LECTURE, on=None, by=None):
        return HoursLedgerEntry.objects.create(
            user=profile.user,
            source=source,
            amount=Decimal(str(amount)),
            training_class=tc,
            occurred_on=on,
            granted_by=by,
        )

    def exam(tc, **fields) -> Quiz:
        fields.setdefault("title", f"结业考试{next(seq)}")
        fields.setdefault("is_final_exam", not tc.exams.filter(is_final_exam=True).exists())
        return Quiz.objects.create(training_class=tc, kind=QuizKind.EXAM, **fields)

    def attempt(quiz, profile, score, *, max_score="100", number=None, passed=None):
        from learning.quizzes.scoring import pass_mark_for, percent

        score, max_score = Decimal(str(score)), Decimal(str(max_score))
        number = number or Attempt.objects.filter(quiz=quiz, user=profile.user).count() + 1
        if passed is None:
            passed = percent(score, max_score) >= pass_mark_for(quiz)
        return Attempt.objects.create(
            percent=percent(score, max_score),
            quiz=quiz,
            user=profile.user,
            number=number,
            state=AttemptState.GRADED,
            score=score,
            max_score=max_score,
            passed=passed,
        )

    return SimpleNamespace(
        org=org, klass=klass, trainees=trainees, hours=hours, exam=exam, attempt=attempt
    )
