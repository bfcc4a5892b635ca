"""Demo training classes: an 入党积极分子 class and a 发展对象 class, both run by `trainer`; the
发展对象 class has a second trainee as the roster import makes them."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page

from learning.classes.membership import trainee_member_link
from learning.classes.models import (
    Branch,
    College,
    Enrolment,
    TraineeProfile,
    TraineeStage,
    TrainingClass,
    default_required_hours,
    lesson_pages_q,
)
from learning.classes.roster import initial_password_generate, trainee_account_create

DEMO_COLLEGE = "演示学院"
DEMO_BRANCH = "本科生第一党支部"
DEMO_TRAINEES = {
    # username: (学号, stage)
    "activist": ("D2025001", TraineeStage.ACTIVIST),
    "candidate": ("D2025002", TraineeStage.CANDIDATE),
}
# A trainee as the roster import makes them (login = 学号, a random first password to change, no
# demo password): 吕九州, a 发展对象 of the party demo, the second trainee of the 发展对象 class; he
# attends the session 刘思远 misses with 请假 (learning/progress/demo.py).
DEMO_ROSTER_TRAINEES = {
    # 学号: (name, stage — the class of that audience, college, branch)
    "M2025003": ("吕九州", TraineeStage.CANDIDATE, "马克思主义学院", "本科生党支部"),
}
DEMO_CLASSES = {
    TraineeStage.ACTIVIST: ("演示：入党积极分子培训班", "activist"),
    TraineeStage.CANDIDATE: ("演示：发展对象培训班", "candidate"),
}


def demo_intake(day: date) -> str:
    """The intake label of a class running on `day`, e.g. "2026 年秋季第 1 期".

    University terms: spring runs February–July, autumn August–January (January still belongs
    to the autumn term of the year before), so the label matches the dates the demo gives.
    """
    if 2 <= day.month <= 7:
        return f"{day.year} 年春季第 1 期"
    year = day.year if day.month >= 8 else day.year - 1
    return f"{year} 年秋季第 1 期"


def demo_classes_ensure() -> None:
    """Give the demo trainees profiles and put them in two demo classes (idempotent)."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[*DEMO_TRAINEES, "trainer"])}
    trainer = users.get("trainer")
    college, _ = College.objects.get_or_create(name=DEMO_COLLEGE)
    branch, _ = Branch.objects.get_or_create(college=college, name=DEMO_BRANCH)
    profiles = {}
    for username, (student_no, stage) in DEMO_TRAINEES.items():
        user = users.get(username)
        if user is None:
            continue
        profile, _ = TraineeProfile.objects.get_or_create(
            user=user,
            defaults={
                "name": user.get_full_name() or username,
                "student_no": student_no,
                "college": college,
                "branch": branch,
                "stage": stage,
            },
        )
        # After the party demo (load_demo runs it first): links to its records of these people.
        trainee_member_link(profile=profile)
        profiles[stage] = profile

    roster = {}
    for student_no, (name, stage, college_name, branch_name) in DEMO_ROSTER_TRAINEES.items():
        profile = TraineeProfile.objects.filter(student_no=student_no).first()
        if profile is None and not User.objects.filter(username=student_no).exists():
            their_college, _ = College.objects.get_or_create(name=college_name)
            their_branch, _ = Branch.objects.get_or_create(college=their_college, name=branch_name)
            profile = TraineeProfile.objects.create(
                user=trainee_account_create(
                    student_no=student_no, name=name, password=initial_password_generate()
                ),
                name=name,
                student_no=student_no,
                college=their_college,
                branch=their_branch,
                stage=stage,
                must_change_password=True,
            )
        if profile is not None:
            trainee_member_link(profile=profile)
            roster.setdefault(stage, []).append(profile)

    lessons = list(Page.objects.live().filter(lesson_pages_q()).order_by("path"))
    today = timezone.localdate()
    for stage, (name, _username) in DEMO_CLASSES.items():
        # Looked up by name only, so a rerun in a later term finds the class it made before.
        training_class, _ = TrainingClass.objects.get_or_create(
            name=name,
            defaults={
                "intake": demo_intake(today),
                "audience_stage": stage,
                "start_date": today - timedelta(days=7),
                "end_date": today + timedelta(days=60),
                "required_hours": default_required_hours(stage),
            },
        )
        training_class.required_lessons.add(*lessons)
        if trainer is not None:
            training_class.trainers.add(trainer)
        if stage in profiles:
            Enrolment.objects.get_or_create(training_class=training_class, trainee=profiles[stage])
        for profile in roster.get(stage, []):
            Enrolment.objects.get_or_create(training_class=training_class, trainee=profile)
