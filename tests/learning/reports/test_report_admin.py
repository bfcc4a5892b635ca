"""Admin screens: dashboard, class report (table, charts, filters, paging, exports), 学习档案, certificates."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from learning.progress.models import LessonProgress
from learning.reports.models import Certificate
from tests.learning.conftest import make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(report_factory, trainer, video_lesson):
    tc = report_factory.klass(trainers=[trainer], required_hours="2", name="第五期积极分子班")
    tc.required_lessons.add(video_lesson)
    quiz = report_factory.exam(tc)
    a, b, c = report_factory.trainees(tc, 3)
    day = timezone.localdate()
    report_factory.hours(a, tc, 2, on=day, by=trainer)
    report_factory.attempt(quiz, a, 75)
    report_factory.hours(b, tc, 1, on=day)
    LessonProgress.objects.create(
        user=a.user, lesson=video_lesson, completed_at=timezone.now(), credited_seconds=590
    )
    return {"class": tc, "a": a, "b": b, "c": c, "quiz": quiz}


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def _json_label(text: str) -> str:
    # The sidebar is rendered as JSON with non-ASCII characters escaped.
    return '"label": "' + text.encode("unicode_escape").decode() + '"'


def test_menu_has_reports_in_one_training_group(trainer_client, world):
    html = trainer_client.get("/admin/").content.decode()
    assert '"url": "/admin/reports/"' in html
    assert _json_label("学习情况报表") in html
    assert html.count(_json_label("培训管理")) == 1


def test_menu_hidden_without_classes(client, trainer2):
    client.force_login(trainer2)
    assert '"url": "/admin/reports/"' not in client.get("/admin/").content.decode()


def test_dashboard(trainer_client, world, report_factory, trainer2):
    report_factory.klass(trainers=[trainer2], name="别人的培训班")
    response = trainer_client.get("/admin/reports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "第五期积极分子班" in html and "别人的培训班" not in html
    assert "33.3%" in html  # 1 of 3 completed
    xlsx = trainer_client.get("/admin/reports/", {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert any(r[0] == "第五期积极分子班" and r[3] == 3 for r in rows)
    csv = b"".join(trainer_client.get("/admin/reports/", {"format": "csv"}).streaming_content)
    assert csv.startswith(b"\xef\xbb\xbf") and "第五期积极分子班".encode() in csv


def test_class_report_page(trainer_client, world):
    tc = world["class"]
    response = trainer_client.get(f"/admin/reports/classes/{tc.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in (world["a"].name, world["b"].name, world["c"].name):
        assert name in html
    assert html.count("<svg") >= 4 and "状态分布" in html and "考试成绩分布" in html
    assert "已达结业条件" in html and "75.00" in html
    assert "向 1 名合格学员颁发结业证书" in html
    only_b = trainer_client.get(
        f"/admin/reports/classes/{tc.pk}/", {"status": "in_progress"}
    ).content.decode()
    assert world["b"].name in only_b and world["a"].student_no not in only_b
    searched = trainer_client.get(
        f"/admin/reports/classes/{tc.pk}/", {"q": world["c"].student_no}
    ).content.decode()
    assert world["c"].name in searched and world["a"].student_no not in searched


def test_each_class_report_chart_has_its_figures_in_a_table(trainer_client, world):
    import re

    html = trainer_client.get(f"/admin/reports/classes/{world['class'].pk}/").content.decode()
    figures = re.findall(r"<figure>(.*?)</figure>", html, re.S)
    assert len(figures) == 4
    for figure in figures:
        assert 'role="img"' in figure and "<desc>" in figure
        assert '<details class="chart-table">' in figure and "<table" in figure
    # The daily-hours chart: today 3 学时 credited (2 + 1), running total 3.
    day = timezone.localdate().isoformat()
    daily = figures[3]
    assert f'<th scope="row">{day}</th><td>3</td><td>3</td>' in daily
    assert f"{day} 至 {day}，1 天有学时记录，共 3 学时" in daily


def test_class_report_sort_and_paging(trainer_client, world, report_factory, monkeypatch):
    from learning.reports import admin_views

    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    tc = world["class"]
    html = trainer_client.get(f"/admin/reports/classes/{tc.pk}/", {"sort": "-earned"})
    html = html.content.decode()
    assert html.index(world["a"].student_no) < html.index(world["b"].student_no)
    assert world["c"].student_no not in html  # on page 2
    page2 = trainer_client.get(
        f"/admin/reports/classes/{tc.pk}/", {"sort": "-earned", "p": 2}
    ).content.decode()
    assert world["c"].student_no in page2


def test_class_report_query_count_is_constant(trainer_client, world, report_factory):
    url = f"/admin/reports/classes/{world['class'].pk}/"
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert trainer_client.get(url).status_code == 200
    report_factory.trainees(world["class"], 25)
    with CaptureQueriesContext(connection) as large:
        assert trainer_client.get(url).status_code == 200
    # Same count at 3 and 28 trainees (the admin chrome itself makes a dozen or so).
    assert len(small.captured_queries) == len(large.captured_queries) < 25


def test_class_report_exports(trainer_client, world):
    tc = world["class"]
    response = trainer_client.get(f"/admin/reports/classes/{tc.pk}/", {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0][0].startswith("第五期积极分子班")
    assert any((line[0] or "").startswith("导出时间") for line in values[:4])
    header = next(i for i, line in enumerate(values) if line[0] == "姓名")
    assert len(values) - header - 1 == 3
    # The column headers are frozen: the first scrolling row is the first trainee (issue 21).
    assert ws.freeze_panes == f"A{header + 2}"
    assert ws.column_dimensions["A"].width == 12
    csv = trainer_client.get(f"/admin/reports/classes/{tc.pk}/", {"format": "csv"})
    assert b"".join(csv.streaming_content).decode("utf-8-sig").count("\n") == 4


def test_trainee_record_and_pdf(trainer_client, world):
    tc, a = world["class"], world["a"]
    response = trainer_client.get(f"/admin/reports/classes/{tc.pk}/trainees/{a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "学时记录" in html and "集中授课" in html and "学习党章" in html
    assert world["quiz"].title in html and "75.00" in html
    assert "颁发结业证书" in html
    pdf = trainer_client.get(f"/admin/reports/classes/{tc.pk}/trainees/{a.pk}/record.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content


def test_issue_revoke_flow(trainer_client, world):
    tc, a, b = world["class"], world["a"], world["b"]
    url = f"/admin/reports/classes/{tc.pk}/trainees/{b.pk}/certificate/"
    response = trainer_client.post(url, follow=True)
    assert "不符合结业条件" in response.content.decode()
    assert not Certificate.objects.exists()
    # Bulk issuing lists who gets a certificate and who is skipped, with the reason, first.
    url = f"/admin/reports/classes/{tc.pk}/certificates/issue-all/"
    preview = trainer_client.post(url)
    html = preview.content.decode()
    assert preview.status_code == 200 and not Certificate.objects.exists()
    assert a.name in html and b.name in html and "不颁发（2 人）及原因" in html
    assert "学习中：学时未修满、必修课未完成、结业考试未通过" in html  # b's reasons
    trainer_client.post(url, {"confirm": "1"})
    cert = Certificate.objects.get()
    assert cert.trainee == a and cert.earned_hours == Decimal("2.00")
    pdf = trainer_client.get(f"/admin/reports/certificates/{cert.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    form = trainer_client.get(f"/admin/reports/certificates/{cert.number}/revoke/")
    assert "撤销原因" in form.content.decode()
    trainer_client.post(f"/admin/reports/certificates/{cert.number}/revoke/", {"reason": "作弊"})
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoke_reason == "作弊"


def test_another_trainer_gets_404_everywhere(client, trainer2, world):
    client.force_login(trainer2)
    tc, a = world["class"], world["a"]
    cert = Certificate.objects.create(
        number="DK2026CCCCCCCCCC",
        trainee=a,
        training_class=tc,
        trainee_name=a.name,
        class_name=str(tc),
        earned_hours=2,
    )
    for url in (
        f"/admin/reports/classes/{tc.pk}/",
        f"/admin/reports/classes/{tc.pk}/?format=xlsx",
        f"/admin/reports/classes/{tc.pk}/?format=csv",
        f"/admin/reports/classes/{tc.pk}/trainees/{a.pk}/",
        f"/admin/reports/classes/{tc.pk}/trainees/{a.pk}/record.pdf",
        f"/admin/reports/certificates/{cert.number}.pdf",
        f"/admin/reports/certificates/{cert.number}/revoke/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/admin/reports/classes/{tc.pk}/trainees/{a.pk}/certificate/",
        f"/admin/reports/classes/{tc.pk}/certificates/issue-all/",
    ):
        assert client.post(url).status_code == 404, url
    assert "第五期积极分子班" not in client.get("/admin/reports/").content.decode()


def test_trainee_not_in_class_is_404(trainer_client, world, report_factory):
    (stranger,) = report_factory.trainees(report_factory.klass(), 1)
    url = f"/admin/reports/classes/{world['class'].pk}/trainees/{stranger.pk}/"
    assert trainer_client.get(url).status_code == 404


def test_staff_with_permission_sees_every_class(client, world, report_factory, trainer2):
    from django.contrib.auth.models import Permission

    other = report_factory.klass(trainers=[trainer2], name="别人的培训班")
    staff = make_trainer("party-committee")
    staff.user_permissions.add(Permission.objects.get(codename="view_all_classes"))
    client.force_login(staff)
    html = client.get("/admin/reports/").content.decode()
    assert "第五期积极分子班" in html and "别人的培训班" in html
    assert client.get(f"/admin/reports/classes/{other.pk}/").status_code == 200


def test_export_time_is_local_time(trainer_client, world):
    """One time zone in exports too (issue 21): at 23:30 UTC the stamp reads the next day, 07:30,
    Asia/Shanghai — the TIME_ZONE setting — not the stored UTC."""
    from freezegun import freeze_time

    with freeze_time("2026-03-01 23:30:00", tz_offset=0):
        response = trainer_client.get(
            f"/admin/reports/classes/{world['class'].pk}/", {"format": "xlsx"}
        )
        ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    stamps = [r[0] for r in ws.iter_rows(max_row=5, values_only=True) if r and r[0]]
    assert "导出时间：2026-03-02 07:30" in stamps, stamps
