"""Demo training classes: an 入党积极分子 class and a 发展对象 class, both run by `trainer`; the
发展对象 class has a second trainee as the roster import makes them."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page

from learning.classes.models import (
    Enrolment,
    TraineeProfile,
    TraineeStage,
    TrainingClass,
    default_required_hours,
    lesson_pages_q,
)
from learning.classes.roster import initial_password_generate, trainee_account_create
from party.members.models import Member

DEMO_TRAINEES = {
    # username: (学号, stage)
    "activist": ("D2025001", TraineeStage.ACTIVIST),
    "candidate": ("D2025002", TraineeStage.CANDIDATE),
}
# A trainee as the roster import makes them (login = 学号, a random first password to change, no
# demo password): 吕九州, a 发展对象 of the party demo, the second trainee of the 发展对象 class; he
# attends the session 刘思远 misses with 请假 (learning/progress/demo.py).
DEMO_ROSTER_TRAINEES = {
    # 学号: (name, stage — the class of that audience); his unit is his member record's
    "M2025003": ("吕九州", TraineeStage.CANDIDATE),
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


def _profile_create(*, user, member: Member, **fields) -> TraineeProfile:
    """The trainee profile of `user`, pointing at the demo's member record (whose account it
    becomes if it has none)."""
    if member.user_id is None:
        member.user = user
        member.save(update_fields=["user"])
    return TraineeProfile.objects.create(
        user=user, name=member.name, student_no=member.student_no, member=member, **fields
    )


def demo_classes_ensure() -> None:
    """Give the demo trainees profiles and put them in two demo classes (idempotent).

    The trainees are the party demo's members (party/members/demo.py; load_demo builds it first):
    each profile points at the member record of the same 学号, whose unit and history are the
    trainee's 学院, 党支部 and stage. No unit is created here; a trainee whose record is missing
    is left out."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[*DEMO_TRAINEES, "trainer"])}
    trainer = users.get("trainer")
    members = {
        m.student_no: m
        for m in Member.objects.filter(
            student_no__in=[no for no, _s in DEMO_TRAINEES.values()] + [*DEMO_ROSTER_TRAINEES]
        )
    }
    profiles = {}
    for username, (student_no, stage) in DEMO_TRAINEES.items():
        user, member = users.get(username), members.get(student_no)
        if user is None or member is None:
            continue
        profile = TraineeProfile.objects.filter(user=user).first() or _profile_create(
            user=user, member=member
        )
        profiles[stage] = profile

    roster = {}
    for student_no, (name, stage) in DEMO_ROSTER_TRAINEES.items():
        profile = TraineeProfile.objects.filter(student_no=student_no).first()
        member = members.get(student_no)
        if profile is None and member is not None:
            if User.objects.filter(username=student_no).exists():
                continue
            user = trainee_account_create(
                student_no=student_no, name=name, password=initial_password_generate()
            )
            profile = _profile_create(user=user, member=member, must_change_password=True)
        if profile is not None:
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
