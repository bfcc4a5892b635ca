"""The permission matrix: every admin view and API route of our apps × every role, from the URL conf.

The routes are read from the URL conf itself (`our_routes()`): every `/api/` route, and every
`/admin/` route whose view is ours (cms, learning, media_pipeline, search, party) or whose URL
namespace a viewset of ours registered. A route that has no row in MATRIX fails
`test_every_route_has_a_row` — so a new view cannot ship without someone deciding who may reach it.
A row whose route is gone fails too.

Roles (columns, in this order):
    anon            not logged in
    trainee         A1, trainee of class A — owner of the objects (attempt, certificate, entries)
    other_trainee   B1, trainee of class B
    editor          编辑
    reviewer        审核员
    trainer         TA, 培训管理员 of class A (the objects' class)
    other_trainer   TB, 培训管理员 of class B only
    staff           a 培训管理员 who may see all classes (classes.view_all_classes)

Each URL argument is filled with the *own* object (class A, trainee A1, TA's bank …: see
`_kwargs`), so "trainee"/"trainer" test the owner and "other_trainee"/"other_trainer" the same
object seen by someone else. Every route is fetched with GET; a view that answers GET with 405 is
sent an empty POST instead (refused by its access check, or 400 as bad input — nothing written).

A cell is "+" (the access check passed: 2xx, 400/409 for the empty body, a redirect elsewhere
than a login or the dashboard) or "-" (refused: 401, 403, 404, or a redirect to a login page or to the dashboard,
which is how Wagtail's admin answers PermissionDenied). A row is eight cells, e.g. "-----+-+":
only the trainer of the class and staff.

HOW TO ADD A ROW (party/ helpers and everyone adding a route):
1. Add the route (its URL name, `namespace:name`) to MATRIX with the eight cells you intend.
2. If its URL takes an argument this module does not know yet, teach `_kwargs` where the object
   comes from (add the object to the `world` fixture: the own object, of class A / trainee A1 /
   trainer TA; for party/: add the unit, member … that the 8 roles would own or not).
3. Run `pytest tests/security/test_permission_matrix.py`; a mismatch prints the observed row
   beside the expected one. `DANGKE_MATRIX_PRINT=1` prints every observed row in this format —
   read each cell before you paste it: the matrix is a decision, not a recording.
Roles of party/ (组织员, 支委 …) are not columns yet: add a column for them here when their
routes land, with its value for every row.
"""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cms.roles import EDITORS, REVIEWERS, TRAINEES, TRAINERS
from tests.factories import (
    make_article,
    make_branch_unit,
    make_course,
    make_trainee_profile,
    make_user,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anon",
    "trainee",
    "other_trainee",
    "editor",
    "reviewer",
    "trainer",
    "other_trainer",
    "staff",
)
OUR_PACKAGES = ("cms", "learning", "media_pipeline", "search", "party")


# --- the routes --------------------------------------------------------------------------------


def _walk(resolver, prefix="", namespaces=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = (entry.namespace,) if entry.namespace else ()
            yield from _walk(entry, prefix + str(entry.pattern), namespaces + namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), ":".join((*namespaces, entry.name or "")), entry


def _view_module(entry: URLPattern) -> str:
    callback = entry.callback
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(view_class, "__module__", None) or getattr(callback, "__module__", "")


def _is_ours(module: str) -> bool:
    return module.split(".")[0] in OUR_PACKAGES


def our_routes() -> dict[str, str]:
    """{url name: route} of every API route and every admin route of our apps."""
    entries = list(_walk(get_resolver()))
    # Namespaces of our admin viewsets: any namespace that holds at least one view of ours
    # (a ModelViewSet's create view is Wagtail's class, its index view often ours).
    # Wagtail's own admin namespaces all start with "wagtail"; every other one is a viewset of ours.
    our_namespaces = {
        name.rsplit(":", 1)[0]
        for route, name, entry in entries
        if route.startswith("admin/") and ":" in name and not name.startswith("wagtail")
    }
    routes = {}
    for route, name, entry in entries:
        if not name:
            continue  # cannot be reversed; see UNNAMED_ROUTES
        ours = _is_ours(_view_module(entry)) or name.rsplit(":", 1)[0] in our_namespaces
        if route.startswith("api/") or (route.startswith("admin/") and name and ours):
            routes[name] = route
    return routes


# --- the matrix ----------------------------------------------------------------------------------
# route name: cells for anon, trainee, other_trainee, editor, reviewer, trainer, other_trainer, staff

MATRIX: dict[str, str] = {
    # --- API ---
    "api-schema": "++++++++",
    "api-docs": "++++++++",
    "api-token": "++++++++",  # POST-only login: an empty body is 400 for everyone
    "api-password": "-+++++++",
    "api-course-list": "++++++++",
    "api-course-detail": "++++++++",
    "api-lesson-list": "++++++++",
    "api-lesson-detail": "++++++++",
    "api-lesson-progress": "-+++++++",  # the caller's own progress
    "api-me": "-+++++++",
    "api-me-records": "-+++++++",
    "api-classes": "-+++++++",  # a list scoped to the caller (empty for most)
    "api-class-report": "-----+-+",
    "api-class-report-xlsx": "-----+-+",
    "api-class-report-csv": "-----+-+",
    "api-class-certificates": "-----+-+",
    "api-certificate-revoke": "-----+-+",
    "api-trainee-disqualify": "-----+-+",
    "api-trainee-reinstate": "-----+-+",
    "api-class-offline-sessions": "-----+-+",
    "api-class-offline-session-attendees": "-----+-+",
    "api-class-offline-session-leaves": "-----+-+",
    "api-class-offline-session-leave-withdraw": "--------",  # leave_id: no 请假 in this world
    "api-quiz-attempts": "-+------",
    "api-attempt": "-+------",
    "api-attempt-answer": "-+++++++",
    "api-attempt-submit": "-+------",
    "api-attempt-focus-lost": "-+++++++",
    "api-video-upload": "---++---",
    "api-video-detail": "---++---",
    "api-search": "++++++++",
    "api-org-units": "-+++++++",  # lists scoped to the caller's units: empty, not refused
    "api-members": "-+++++++",
    "api-member": "--------",  # no party/ objects in this world yet: party/ helpers, add them
    "api-member-timeline": "--------",
    "api-member-stage-changes": "--------",
    "api-unit-pipeline": "--------",
    "api-member-sponsors": "--------",
    "api-member-sponsor-end": "--------",
    "api-member-transfers": "--------",
    "api-member-group-changes": "--------",  # 党小组 history (issue 16): MISSING member, 404
    "api-members-import": "--------",  # POST-only; nobody here manages a unit: 404
    # 转入本校 of a new person (issue 16): POST-only; nobody here may record a 转入 (404); the
    # party roles are in tests/party/test_access_matrix.py
    "api-members-transfer-in": "--------",
    "api-unit-members-export": "--------",
    # documents of the path: no party/ member, change, record or document in this world (404
    # for all); the party roles are in tests/party/test_access_matrix.py
    "api-member-documents": "--------",
    "api-member-stage-change-documents": "--------",
    "api-member-step-records": "--------",
    "api-member-step-record-documents": "--------",
    "api-member-step-record-confirm": "--------",
    "api-member-step-record-return": "--------",
    "api-document": "--------",
    # party.meetings: no meeting in this world (MISSING) → 404 for all; the list is scoped (empty).
    # The roles of party work are in tests/security/test_meetings_matrix.py.
    "api-meetings": "-+++++++",
    "api-meeting": "--------",
    "api-meeting-check-in": "--------",
    "api-meeting-leave": "--------",
    "api-meeting-attendance": "-+++++++",  # PUT only: GET and the empty POST are 405
    "api-meeting-attendance-bulk": "--------",
    "api-meeting-minutes": "--------",
    "api-meeting-minutes-sign-off": "--------",
    "api-unit-compliance": "--------",
    # yearly 学时: none of these roles manages a unit or is a Party member (the party roles are in
    # tests/security/test_meetings_matrix.py and tests/party/test_access_matrix.py)
    "api-unit-yearly-hours": "--------",
    "api-my-yearly-hours": "--------",
    "api-unit-absence": "--------",
    # party.appraisal: no campaign in this world (MISSING) → 404 for all; the list is scoped
    # (empty). The roles of party work are in tests/security/test_appraisal_matrix.py.
    "api-appraisals": "-+++++++",
    "api-appraisal": "--------",
    "api-appraisal-advance": "--------",
    "api-appraisal-self-assessment": "--------",
    "api-appraisal-ballot": "--------",
    "api-appraisal-votes": "--------",
    "api-appraisal-results": "--------",
    "api-appraisal-proposals": "-+++++++",  # PUT only: GET and the empty POST are 405
    "api-appraisal-decision": "--------",
    "api-appraisal-follow-ups": "--------",
    "api-appraisal-follow-up-close": "--------",
    "api-appraisal-report": "--------",
    # party.stats: no unit in this world (MISSING) → 404 for all; the party roles are in
    # tests/party/test_access_matrix.py.
    "api-unit-stats": "--------",
    "api-unit-stats-xlsx": "--------",
    # party.dues: no unit, member or payment in this world (MISSING) → 404; the empty POST of a
    # payment is 400 (bad input) for anyone logged in — the member is looked up after the body is
    # valid, and only among the caller's branches. 我的党费: the trainees are members (issue 15),
    # each sees their own; nobody else here has a member record (404).
    # The party roles are in tests/party/test_access_matrix.py and tests/party/dues.
    "api-unit-dues": "--------",
    "api-unit-dues-behind": "--------",
    "api-unit-dues-import": "--------",
    "api-unit-dues-report": "--------",
    "api-dues-payments": "-+++++++",
    "api-dues-payment-reverse": "--------",
    "api-me-dues": "-++-----",
    # --- admin: encoding_profiles ---
    "encoding_profiles:add": "--------",
    "encoding_profiles:delete": "--------",
    "encoding_profiles:edit": "--------",
    "encoding_profiles:history": "--------",
    "encoding_profiles:history_results": "--------",
    "encoding_profiles:index": "--------",
    "encoding_profiles:index_results": "--------",
    "encoding_profiles:usage": "--------",
    # --- admin: hours_ledger ---
    "hours_ledger:add": "-----+++",
    "hours_ledger:index": "-----+++",
    "hours_ledger:index_results": "-----+++",
    "hours_ledger:inspect": "-----+-+",
    # --- admin: offline_sessions ---
    "offline_sessions:add": "-----+-+",
    "offline_sessions:attendees": "-----+-+",
    "offline_sessions:correct": "-----+-+",
    "offline_sessions:detail": "-----+-+",
    "offline_sessions:list": "-----+-+",
    "offline_sessions:leave": "-----+-+",
    "offline_sessions:leave_withdraw": "--------",  # leave_id: no 请假 in this world
    # --- admin: party_access_log ---
    "party_access_log:add": "--------",
    "party_access_log:delete": "--------",
    "party_access_log:edit": "--------",
    "party_access_log:history": "--------",
    "party_access_log:history_results": "--------",
    "party_access_log:index": "--------",
    "party_access_log:index_results": "--------",
    "party_access_log:usage": "--------",
    # --- admin: party_members ---
    "party_members:add": "--------",
    "party_members:delete": "--------",
    "party_members:edit": "--------",
    "party_members:history": "--------",
    "party_members:history_results": "--------",
    "party_members:index": "--------",
    "party_members:index_results": "--------",
    "party_members:usage": "--------",
    # --- admin: party_organisers ---
    "party_organisers:add": "--------",
    "party_organisers:delete": "--------",
    "party_organisers:edit": "--------",
    "party_organisers:history": "--------",
    "party_organisers:history_results": "--------",
    "party_organisers:index": "--------",
    "party_organisers:index_results": "--------",
    "party_organisers:usage": "--------",
    # --- admin: party_posts ---
    "party_posts:add": "--------",
    "party_posts:delete": "--------",
    "party_posts:edit": "--------",
    "party_posts:history": "--------",
    "party_posts:history_results": "--------",
    "party_posts:index": "--------",
    "party_posts:index_results": "--------",
    "party_posts:usage": "--------",
    # --- admin: party_steps ---
    "party_steps:add": "--------",
    "party_steps:delete": "--------",
    "party_steps:edit": "--------",
    "party_steps:history": "--------",
    "party_steps:history_results": "--------",
    "party_steps:index": "--------",
    "party_steps:index_results": "--------",
    "party_steps:usage": "--------",
    # --- admin: party_units ---
    "party_units:add": "--------",
    "party_units:delete": "--------",
    "party_units:edit": "--------",
    "party_units:history": "--------",
    "party_units:history_results": "--------",
    "party_units:index": "--------",
    "party_units:index_results": "--------",
    "party_units:usage": "--------",
    # --- admin: missing_captions (视频微党课 without 字幕; rows scoped to the pages one may edit) ---
    "missing_captions": "---++---",
    "missing_captions_results": "---++---",
    # --- admin: periodic_jobs ---
    "periodic_jobs": "--------",
    # --- admin: periodic_jobs_results ---
    "periodic_jobs_results": "--------",
    # --- admin: question_banks ---
    "question_banks:add": "-----+++",
    "question_banks:delete": "-----+-+",
    "question_banks:edit": "-----+-+",
    "question_banks:history": "-----+++",
    "question_banks:history_results": "-----+++",
    "question_banks:index": "-----+++",  # banks are shared read-only; editing is the owner's (+ staff)
    "question_banks:index_results": "-----+++",
    "question_banks:usage": "-----+++",
    # --- admin: question_chooser ---
    "question_chooser:choose": "-----+++",
    "question_chooser:choose_results": "-----+++",
    "question_chooser:chosen": "-----+++",
    "question_chooser:chosen_multiple": "-----+++",
    "question_chooser:create": "-----+++",
    # --- admin: question_duplicates ---
    "question_duplicates:index": "-----+++",
    # --- admin: question_import ---
    "question_import:export": "-----+++",
    "question_import:import": "-----+++",
    "question_import:preview": "--------",  # likewise
    "question_import:template": "-----+++",
    # --- admin: questions ---
    "questions:add": "-----+++",
    "questions:copy": "-----+++",  # a copy goes into a bank the user may edit
    "questions:delete": "-----+-+",
    "questions:edit": "-----+-+",
    "questions:history": "-----+++",
    "questions:history_results": "-----+++",
    "questions:index": "-----+++",
    "questions:index_results": "-----+++",
    "questions:inspect": "-----+++",
    "questions:usage": "-----+++",
    # --- admin: quiz_admin ---
    "quiz_admin:add": "-----+++",
    "quiz_admin:delete": "-----+-+",
    "quiz_admin:edit": "-----+-+",
    "quiz_admin:history": "-----+-+",
    "quiz_admin:history_results": "-----+-+",
    "quiz_admin:index": "-----+++",
    "quiz_admin:index_results": "-----+++",
    "quiz_admin:inspect": "-----+-+",
    "quiz_admin:usage": "-----+-+",
    # --- admin: quiz_grading ---
    "quiz_grading:analysis": "-----+-+",
    "quiz_grading:grade": "-----+-+",
    "quiz_grading:queue": "-----+++",
    "quiz_grading:regrade": "-----+-+",
    "quiz_grading:rekey": "-----+-+",
    # --- admin: reports_admin ---
    "reports_admin:certificate_pdf": "-----+-+",
    "reports_admin:class": "-----+-+",
    "reports_admin:dashboard": "---+++++",  # lists only the caller's classes (none for editors)
    "reports_admin:disqualify": "-----+-+",
    "reports_admin:issue": "-----+-+",
    "reports_admin:issue_all": "-----+-+",
    "reports_admin:record": "-----+-+",
    "reports_admin:record_pdf": "-----+-+",
    "reports_admin:reinstate": "-----+-+",
    "reports_admin:search": "-----+++",  # their own classes and trainees (issue 21)
    "reports_admin:revoke": "-----+-+",
    # --- admin: trainee_import ---
    "trainee_import:import": "-----+++",
    "trainee_import:passwords": "--------",  # a one-time key that does not exist
    "trainee_import:preview": "--------",  # an upload of someone else (no upload in this world)
    "trainee_import:result": "--------",
    "trainee_import:template": "-----+++",
    # --- admin: trainees ---
    "trainees:add": "-----+++",
    "trainees:delete": "--------",
    "trainees:edit": "-----+-+",
    "trainees:history": "-----+-+",
    "trainees:history_results": "-----+-+",
    "trainees:index": "-----+++",
    "trainees:index_results": "-----+++",
    "trainees:inspect": "-----+-+",
    "trainees:usage": "-----+-+",
    # --- admin: training_classes ---
    "training_classes:add": "-----+++",
    "training_classes:delete": "--------",
    "training_classes:edit": "-----+-+",
    "training_classes:history": "-----+-+",
    "training_classes:history_results": "-----+-+",
    "training_classes:index": "-----+++",
    "training_classes:index_results": "-----+++",
    "training_classes:inspect": "-----+-+",
    "training_classes:usage": "-----+-+",
    # --- admin: video_chooser ---
    "video_chooser:choose": "---+++++",  # video titles for any admin user (choosers)
    "video_chooser:choose_results": "---+++++",
    "video_chooser:chosen": "---+++++",
    "video_chooser:chosen_multiple": "---+++++",
    "video_chooser:create": "---++---",
    # --- admin: videos ---
    "videos:add": "---++---",
    "videos:delete": "---++---",
    "videos:edit": "---++---",
    "videos:history": "---++---",
    "videos:history_results": "---++---",
    "videos:index": "---++---",
    "videos:index_results": "---++---",
    "videos:inspect": "---++---",
    "videos:retry": "---++---",
    "videos:usage": "---++---",
}


# --- the world -----------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    from django.utils import timezone

    from learning.classes.models import Enrolment, TrainingClass
    from learning.progress.models import HoursLedgerEntry, LedgerSource, LessonProgress
    from learning.progress.offline_sessions import offline_session_record
    from learning.quizzes import services as quiz_services
    from learning.quizzes.models import Question, QuestionBank, Quiz, QuizQuestion
    from learning.reports.services import certificate_issue
    from media_pipeline.models import Video

    course = make_course("矩阵专题")
    lesson = make_article(course, "矩阵课")
    users = {
        "trainee": make_user("m-a1", role=TRAINEES),
        "other_trainee": make_user("m-b1", role=TRAINEES),
        "editor": make_user("m-editor", role=EDITORS),
        "reviewer": make_user("m-reviewer", role=REVIEWERS),
        "trainer": make_user("m-ta", role=TRAINERS),
        "other_trainer": make_user("m-tb", role=TRAINERS),
        "staff": make_user("m-staff", role=TRAINERS),
    }
    users["staff"].user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    # Trainees are members of a 党支部 under a 院系党委 (issue 15).
    unit = make_branch_unit("矩阵学院党委", "矩阵支部")
    profiles = {
        key: make_trainee_profile(
            user=users[key], name=key, student_no=f"M-{key}", branch=unit, stage="candidate"
        )
        for key in ("trainee", "other_trainee")
    }
    class_a = TrainingClass.objects.create(
        name="矩阵甲班", audience_stage="candidate", required_hours=Decimal("8")
    )
    class_b = TrainingClass.objects.create(name="矩阵乙班", audience_stage="candidate")
    class_a.trainers.add(users["trainer"])
    class_b.trainers.add(users["other_trainer"])
    class_a.required_lessons.add(lesson)
    Enrolment.objects.create(training_class=class_a, trainee=profiles["trainee"])
    Enrolment.objects.create(training_class=class_b, trainee=profiles["other_trainee"])
    session = offline_session_record(
        training_class=class_a,
        source=LedgerSource.OFFLINE_LECTURE,
        occurred_on=date(2026, 1, 1),
        topic="矩阵集中培训",
        trainee_ids=[profiles["trainee"].pk],
        recorded_by=users["trainer"],
        amount=Decimal("8"),
    )
    entry = HoursLedgerEntry.objects.get(reference=session.reference)
    bank = QuestionBank.objects.create(name="矩阵题库", owner=users["trainer"])
    exam = Quiz.objects.create(
        title="矩阵考试",
        kind="exam",
        training_class=class_a,
        is_final_exam=True,
        pass_mark=Decimal("60"),
    )
    question = Question.objects.create(
        bank=bank, type="true_false", stem="矩阵判断题", answer=True, score=Decimal("100")
    )
    QuizQuestion.objects.create(quiz=exam, question=question, score=Decimal("100"), sort_order=0)
    attempt, _ = quiz_services.attempt_start(quiz=exam, user=users["trainee"])
    quiz_services.attempt_answer_save(
        attempt_id=attempt.pk, user=users["trainee"], question_id=question.pk, answer=True
    )
    quiz_services.attempt_submit(attempt_id=attempt.pk, user=users["trainee"])
    # 结业 needs the required lessons done (issue 14).
    LessonProgress.objects.create(user=users["trainee"], lesson=lesson, completed_at=timezone.now())
    certificate = certificate_issue(
        training_class=class_a, trainee=profiles["trainee"], issued_by=users["trainer"]
    )
    video = Video.objects.create(
        title="矩阵视频", original="videos/originals/m.mp4", uploaded_by=users["editor"]
    )
    return {
        "users": users,
        "objects": {
            "lesson": lesson,
            "course": course,
            "class": class_a,
            "trainee": profiles["trainee"],
            "session": session,
            "entry": entry,
            "bank": bank,
            "question": question,
            "exam": exam,
            "attempt": attempt,
            "certificate": certificate,
            "video": video,
        },
    }


# Which object a route's `pk` names, by URL namespace (admin) or URL name (API).
PK_OBJECT = {
    "training_classes": "class",
    "trainees": "trainee",
    "hours_ledger": "entry",
    "question_banks": "bank",
    "questions": "question",
    "question_chooser": "question",
    "quiz_admin": "exam",
    "reports_admin": "class",
    "videos": "video",
    "video_chooser": "video",
    "api-course-detail": "course",
    "api-lesson-detail": "lesson",
    "api-video-detail": "video",
}
ARGUMENT_OBJECT = {
    "class_id": "class",
    "session_id": "session",
    "entry_id": "entry",
    "trainee_id": "trainee",
    "attempt_id": "attempt",
    "quiz_id": "exam",
    "question_id": "question",
    "lesson_id": "lesson",
    "bank_id": "bank",
    "number": "certificate",
    "member_id": "party_member",  # not in this world yet
    "upload_id": "upload",  # not in this world yet: an upload of a roster / question file
    "sponsor_id": "party_sponsor",  # not in this world yet
    "leave_id": "offline_leave",  # not in this world: no 请假 recorded
    "change_id": "party_stage_change",  # not in this world yet
    "record_id": "party_step_record",  # not in this world yet
}
MISSING = 987654  # an id no object has: a route whose object this world lacks is "-" for all


def _kwargs(world, name: str, route: str) -> dict:
    """The own object for each URL argument of the route."""
    objects = world["objects"]
    namespace = name.rsplit(":", 1)[0]
    kwargs = {}
    for argument in ("pk", *ARGUMENT_OBJECT):
        if f"<int:{argument}>" not in route and f"<str:{argument}>" not in route:
            continue
        key = PK_OBJECT.get(name) or PK_OBJECT.get(namespace) if argument == "pk" else None
        key = key or ARGUMENT_OBJECT.get(argument)
        obj = objects.get(key) if key else None
        if argument == "entry_id":
            value = objects["entry"].pk
        elif argument == "number":
            value = objects["certificate"].number
        elif argument == "class_id" or (argument == "pk" and "classes/<int:pk>" in route):
            value = objects["class"].pk
        elif obj is not None:
            value = obj.pk
        else:
            value = MISSING
        kwargs[argument] = value
    if "<str:key>" in route:
        kwargs["key"] = "x"
    if "<str:kind>" in route:  # a party document's kind (stage|step)
        kwargs["kind"] = "step"
    if "<str:pk>" in route:
        kwargs["pk"] = objects[PK_OBJECT[namespace]].pk
    return kwargs


def _cell(response) -> str:
    status = response.status_code
    if status in (401, 403, 404):
        return "-"
    if status in (301, 302, 303):
        location = response["Location"]
        if "login" in location or location.rstrip("/").endswith("/admin"):
            return "-"
    return "+"


def _observed(client_factory, world, name: str, route: str) -> str:
    url = reverse(name, kwargs=_kwargs(world, name, route))
    cells = []
    for role in ROLES:
        client = client_factory()
        if role != "anon":
            client.force_login(world["users"][role])
        response = client.get(url)
        if response.status_code == 405:
            # A POST-only view: its access check runs on POST. An empty body is refused as bad
            # input (400, "+") by those who may post, before anything is written.
            if name.startswith("api"):
                response = client.post(url, {}, content_type="application/json")
            else:
                response = client.post(url, {})
        cells.append(_cell(response))
    return "".join(cells)


# --- the tests ---------------------------------------------------------------------------------


# Routes without a URL name are not reversible, so they cannot be in the matrix: only these may exist.
UNNAMED_ROUTES = {
    "api/^",  # cms: the JSON 404 for any other path under /api/
    "admin/test404/",  # Wagtail's own
    "admin/^.*/$",  # Wagtail's own catch-all
    # cms/pages/review.py: shadows Wagtail's own workflow action route (same URL, left unnamed so
    # reverse() keeps Wagtail's name); it calls Wagtail's view, which does the access check, and
    # only adds a message afterwards (tests/cms/test_admin_screens.py drives it as a reviewer).
    "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
}


def test_no_unnamed_route_escapes_the_matrix():
    unnamed = {
        route
        for route, name, _entry in _walk(get_resolver())
        if not name and route.startswith(("api/", "admin/"))
    }
    assert unnamed <= UNNAMED_ROUTES, f"Name these routes so the matrix can cover them: {unnamed}"


def test_every_route_has_a_row():
    routes = our_routes()
    missing = sorted(set(routes) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(routes))
    assert not missing, f"Routes without a row in MATRIX (see the module docstring): {missing}"
    assert not stale, f"Rows whose route is gone: {stale}"


def test_every_row_has_a_cell_per_role():
    assert {name: row for name, row in MATRIX.items() if len(row) != len(ROLES)} == {}
    assert {name: row for name, row in MATRIX.items() if set(row) - {"+", "-"}} == {}


def _group(name: str) -> str:
    """Routes are tested in groups, one test each: by URL namespace, API routes by the word after
    "api-" (api-class-report → class)."""
    if ":" in name:
        return name.rsplit(":", 1)[0]
    if name.startswith("api-"):
        return "api-" + name.split("-")[1]
    return name


def _groups() -> list[str]:
    return sorted({_group(name) for name in set(MATRIX) | set(our_routes())})


def _in_group(name: str, group: str) -> bool:
    return _group(name) == group


@pytest.mark.parametrize("group", _groups())
def test_matrix(world, group):
    from django.test import Client

    routes = our_routes()
    mismatches = {}
    for name in sorted(n for n in routes if _in_group(n, group)):
        observed = _observed(Client, world, name, routes[name])
        if os.environ.get("DANGKE_MATRIX_PRINT"):
            print(f'    "{name}": "{observed}",')
        if observed != MATRIX.get(name):
            mismatches[name] = f"expected {MATRIX.get(name, 'no row')}, observed {observed}"
    assert mismatches == {}, f"columns: {' '.join(ROLES)}"
