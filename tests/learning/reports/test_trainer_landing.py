"""The trainer's landing page (issue 21): the Wagtail dashboard's panels — my classes, who is
behind, 简答 to grade, certificates to issue, exams and offline sessions — scoped to the trainer's
classes and read through the rules of the pages where the trainer acts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning.classes.models import OfflineSession
from learning.quizzes.models import AttemptState
from learning.reports.landing import trainer_landing
from learning.reports.services import certificate_issue, certificate_issue_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(report_factory, trainer, trainer2):
    mine = report_factory.klass(trainers=[trainer], required_hours="2", name="我的积极分子班")
    done, half, none = report_factory.trainees(mine, 3)
    report_factory.hours(done, mine, 2, by=trainer)
    report_factory.hours(half, mine, 1, by=trainer)
    theirs = report_factory.klass(trainers=[trainer2], required_hours="2", name="别人的发展对象班")
    (other,) = report_factory.trainees(theirs, 1)
    OfflineSession.objects.create(
        training_class=mine,
        source="offline_lecture",
        topic="党的性质和宗旨",
        occurred_on=timezone.localdate(),
        amount=2,
        recorded_by=trainer,
    )
    return {
        "mine": mine,
        "done": done,
        "half": half,
        "none": none,
        "theirs": theirs,
        "other": other,
    }


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_panels_show_my_class_and_who_is_behind_never_another_trainers(client, trainer, world):
    html = _dashboard(client, trainer)
    assert "我的培训班" in html and "我的积极分子班" in html
    assert "别人的发展对象班" not in html
    assert world["other"].name not in html
    # Behind: 学时 short, least done first; the one who met the rules is not behind.
    behind = html[html.index('id="trainer-behind-section"') :]
    behind = behind[: behind.index("</section>")]
    assert behind.index(world["none"].name) < behind.index(world["half"].name)
    assert world["done"].name not in behind
    record = f"/admin/reports/classes/{world['mine'].pk}/trainees/{world['half'].pk}/"
    assert record in html
    # Where the trainer acts: the report, 记录线下培训, the session just recorded.
    assert f"/admin/reports/classes/{world['mine'].pk}/" in html
    assert f"/admin/offline_sessions/class/{world['mine'].pk}/add/" in html
    assert "党的性质和宗旨" in html


def test_behind_uses_the_report_status_and_skips_classes_not_begun(report_factory, trainer, world):
    later = report_factory.klass(
        trainers=[trainer],
        name="下月开班",
        start_date=timezone.localdate() + timedelta(days=30),
    )
    (waiting,) = report_factory.trainees(later, 1)
    landing = trainer_landing(user=trainer)
    names = [row.name for row in landing.behind]
    assert names == [world["none"].name, world["half"].name]
    assert [row.status for row in landing.behind] == ["not_started", "in_progress"]
    assert waiting.name not in names


def test_certificates_to_issue_are_the_certificate_pages_preview(client, trainer, world):
    landing = trainer_landing(user=trainer)
    preview = certificate_issue_preview(training_class=world["mine"])
    assert [(i.training_class, i.count) for i in landing.to_issue] == [
        (world["mine"], len(preview.to_issue))
    ]
    assert len(preview.to_issue) == 1
    html = _dashboard(client, trainer)
    assert f'action="/admin/reports/classes/{world["mine"].pk}/certificates/issue-all/"' in html
    certificate_issue(training_class=world["mine"], trainee=world["done"], issued_by=trainer)
    assert trainer_landing(user=trainer).to_issue == []
    assert "暂无待颁发的结业证书" in _dashboard(client, trainer)


def test_grading_panel_counts_my_classes_short_answers_only(client, report_factory, trainer, world):
    mine_exam = report_factory.exam(world["mine"], title="我的结业考试")
    their_exam = report_factory.exam(world["theirs"], title="别人的结业考试")
    for quiz, profile in [(mine_exam, world["half"]), (their_exam, world["other"])]:
        attempt = report_factory.attempt(quiz, profile, 0)
        attempt.state = AttemptState.NEEDS_GRADING
        attempt.submitted_at = timezone.now()
        attempt.save()
    landing = trainer_landing(user=trainer)
    assert [(q.title, q.waiting) for q in landing.to_grade] == [("我的结业考试", 1)]
    html = _dashboard(client, trainer)
    assert "我的结业考试" in html and "别人的结业考试" not in html
    assert "/admin/quiz_grading/" in html


def test_no_panels_for_a_user_without_classes(client, trainer2, world):
    world["theirs"].trainers.clear()
    html = _dashboard(client, trainer2)
    assert "我的培训班" not in html


def test_query_count_does_not_grow_with_classes(client, report_factory, trainer, world):
    client.force_login(trainer)
    client.get("/admin/")  # warm caches (site, content types)
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/")
    for i in range(3):
        tc = report_factory.klass(trainers=[trainer], required_hours="2", name=f"加开班{i}")
        first, _second = report_factory.trainees(tc, 2)
        report_factory.hours(first, tc, 1)
        report_factory.exam(tc)
    with CaptureQueriesContext(connection) as four:
        html = client.get("/admin/").content.decode()
    assert "加开班2" in html
    assert len(four) == len(one), [q["sql"][:120] for q in four.captured_queries]


def test_landing_queries_pinned(trainer, world):
    with CaptureQueriesContext(connection) as queries:
        trainer_landing(user=trainer)
    # classes, report rows, 2 permission reads, grading, exams, sessions.
    assert len(queries) == LANDING_QUERIES, [q["sql"][:100] for q in queries.captured_queries]


LANDING_QUERIES = 7
