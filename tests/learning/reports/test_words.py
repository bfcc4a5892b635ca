"""Issue 14's words: the pages a trainee and a trainer see use 发展阶段, 参训/编班, 集中授课/分组讨论/
实践教学 (集中培训 is the whole course), 学时已修满, 已修/应修, and 已结业 only once a certificate is
issued (before it: 已达结业条件). This fails if an old word comes back."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.progress.offline_sessions import offline_session_record
from learning.reports.services import certificate_issue

pytestmark = pytest.mark.django_db

# Words that must not be shown any more, with what replaced them.
FORBIDDEN = {
    "培养阶段": "发展阶段",
    "报名": "参训 / 编班",
    "学时已满": "学时已修满",
    "已获/应修": "已修/应修",
    "已获得的学时": "已修的学时",
}
# The offline kinds' old names, as a choice or a cell on their own.
OLD_KINDS = re.compile(r">\s*(集中培训|讨论|实践)\s*<")


def _visible_text(html: str) -> str:
    """The page without scripts (a word inside a script's data is not shown as such)."""
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def _check(html: str, page: str) -> None:
    text = _visible_text(html)
    found = {old: new for old, new in FORBIDDEN.items() if old in text}
    assert not found, f"{page}: old words {found}"
    assert not OLD_KINDS.search(text), f"{page}: {OLD_KINDS.search(text).group(0)}"


@pytest.fixture
def world(report_factory, trainer):
    today = timezone.localdate()
    tc = report_factory.klass(trainers=[trainer], required_hours="2", start_date=today)
    done, certified, learning = report_factory.trainees(tc, 3)
    report_factory.hours(done, tc, 2)
    report_factory.hours(certified, tc, 2)
    session = offline_session_record(
        training_class=tc,
        source="offline_discussion",
        occurred_on=today,
        topic="分组讨论党章",
        trainee_ids=[learning.pk],
        recorded_by=trainer,
        amount=Decimal("1"),
    )
    certificate_issue(training_class=tc, trainee=certified, issued_by=trainer)
    return {
        "class": tc,
        "done": done,
        "certified": certified,
        "learning": learning,
        "session": session,
    }


def test_trainer_pages_use_the_words(client, trainer, world):
    tc, session = world["class"], world["session"]
    client.force_login(trainer)
    pages = {
        "class report": f"/admin/reports/classes/{tc.pk}/",
        "dashboard": "/admin/reports/",
        "trainee record": f"/admin/reports/classes/{tc.pk}/trainees/{world['done'].pk}/",
        "offline session form": f"/admin/offline_sessions/class/{tc.pk}/add/",
        "offline session list": f"/admin/offline_sessions/class/{tc.pk}/",
        "offline session": f"/admin/offline_sessions/{session.pk}/",
        "class page": f"/admin/training_classes/inspect/{tc.pk}/",
        "class form": f"/admin/training_classes/edit/{tc.pk}/",
        "import trainees": "/admin/trainee_import/",
        "trainee list": "/admin/trainees/",
        "trainee form (new)": "/admin/trainees/new/",
        "trainee form": f"/admin/trainees/edit/{world['done'].pk}/",
        "trainee page": f"/admin/trainees/inspect/{world['done'].pk}/",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        _check(response.content.decode(), name)
    form = client.get(pages["offline session form"]).content.decode()
    assert "集中授课" in form and "分组讨论" in form and "实践教学" in form
    report = client.get(pages["class report"]).content.decode()
    assert "发展阶段" in report
    # The trainee form labels the (read-only) stage 发展阶段 too.
    assert "发展阶段" in client.get(pages["trainee form"]).content.decode()
    # One trainee meets the conditions, one holds the certificate: the words tell them apart.
    assert "已达结业条件" in report and "已结业" in report


def test_trainee_pages_say_completed_only_with_a_certificate(client, world):
    client.force_login(world["done"].user)
    mine = _visible_text(client.get("/me/").content.decode())
    _check(mine, "我的学习 (conditions met)")
    assert "已达结业条件" in mine and "已结业" not in mine
    client.force_login(world["certified"].user)
    mine = _visible_text(client.get("/me/").content.decode())
    _check(mine, "我的学习 (certified)")
    assert "已结业" in mine
    client.force_login(world["learning"].user)
    _check(client.get("/me/").content.decode(), "我的学习 (learning)")
    _check(client.get("/me/account/").content.decode(), "我的账号")


def test_api_status_display_follows_the_certificate(client, trainer, world):
    client.force_login(trainer)
    rows = client.get(f"/api/v1/classes/{world['class'].pk}/report/").json()["rows"]
    shown = {row["trainee"]["id"]: row["status_display"] for row in rows}
    assert shown[world["done"].pk] == "已达结业条件"
    assert shown[world["certified"].pk] == "已结业"
