"""学时 are written without trailing zeros everywhere in the product (issue 14: 24, 24.5, 0.5 —
never 24.00, 24.50 or 0.50), on the trainee's pages and the trainer's alike. One implementation:
learning/classes/formatting.py::hours_display (template filter `hours`). This fails if a page
prints a 学时 figure with a trailing zero again."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from learning.progress.models import HoursLedgerEntry
from learning.progress.offline_sessions import offline_leave_record, offline_session_record

pytestmark = pytest.mark.django_db

# A decimal that ends in a zero after the point (24.00, 24.50, 0.50), not part of a longer token
# (a date, a version, an id) and not a percentage (rates keep their one decimal: 0.0%).
TRAILING_ZERO = re.compile(r"(?<![\w.\-:/])\d+\.\d*0(?![\w.\-:/%])")


def _visible_text(html: str) -> str:
    """What a reader sees: no scripts, styles, tags or attribute values."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def _trailing_zeros(html: str) -> list[str]:
    text = _visible_text(html)
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in TRAILING_ZERO.finditer(text)]


@pytest.fixture
def world(report_factory, trainer, video_lesson, article_lesson):
    today = timezone.localdate()
    tc = report_factory.klass(
        trainers=[trainer],
        required_hours="24.5",
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=30),
        leave_allowance_percent=Decimal("12.5"),
    )
    tc.required_lessons.add(video_lesson, article_lesson)
    exam = report_factory.exam(tc, class_hours_credit=Decimal("0.5"))
    learner, absent = report_factory.trainees(tc, 2)
    session = offline_session_record(
        training_class=tc,
        source="offline_lecture",
        occurred_on=today,
        topic="党的组织原则",
        trainee_ids=[learner.pk],
        recorded_by=trainer,
        amount=Decimal("2.5"),
    )
    offline_leave_record(
        session=session, trainee_id=absent.pk, reason="参加学校运动会", recorded_by=trainer
    )
    return {"class": tc, "exam": exam, "learner": learner, "session": session}


def test_trainee_pages_write_hours_without_trailing_zeros(client, world, video_lesson, course):
    client.force_login(world["learner"].user)
    pages = {
        "home": "/",
        "course": course.url,
        "lesson": video_lesson.url,
        "我的学习": "/me/",
        "我的学习记录": "/me/records/",
        "exam": f"/quizzes/{world['exam'].pk}/",
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        if bad := _trailing_zeros(response.content.decode()):
            found[name] = bad
    client.logout()
    if bad := _trailing_zeros(client.get(video_lesson.url).content.decode()):
        found["lesson (anonymous)"] = bad
    assert found == {}


def test_trainer_pages_write_hours_without_trailing_zeros(client, trainer, world):
    tc, learner, session = world["class"], world["learner"], world["session"]
    client.force_login(trainer)
    pages = {
        "dashboard": "/admin/",
        "class list": "/admin/training_classes/",
        "class page": f"/admin/training_classes/inspect/{tc.pk}/",
        "class report": f"/admin/reports/classes/{tc.pk}/",
        "reports": "/admin/reports/",
        "trainee record": f"/admin/reports/classes/{tc.pk}/trainees/{learner.pk}/",
        "ledger": "/admin/hours_ledger/",
        "offline sessions": f"/admin/offline_sessions/class/{tc.pk}/",
        "offline session": f"/admin/offline_sessions/{session.pk}/",
        "record leave": f"/admin/offline_sessions/{session.pk}/leave/",
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        if bad := _trailing_zeros(response.content.decode()):
            found[name] = bad
    entry = HoursLedgerEntry.objects.get(user=learner.user)
    pages["ledger entry"] = f"/admin/hours_ledger/inspect/{entry.pk}/"
    response = client.get(pages["ledger entry"])
    assert response.status_code == 200
    if bad := _trailing_zeros(response.content.decode()):
        found["ledger entry"] = bad
    # 颁发结业证书's confirmation page (a POST without "confirm" writes nothing).
    preview = client.post(f"/admin/reports/classes/{tc.pk}/certificates/issue-all/")
    assert preview.status_code == 200
    if bad := _trailing_zeros(preview.content.decode()):
        found["issue certificates"] = bad
    assert found == {}
    # The report's Excel export states the required 学时 above the table the same way.
    response = client.get(f"/api/v1/classes/{tc.pk}/report.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    heading = " ".join(str(c.value) for row in sheet.iter_rows(max_row=4) for c in row if c.value)
    assert "应修学时：24.5；" in heading
