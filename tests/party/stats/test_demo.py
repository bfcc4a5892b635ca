"""After `load_demo`, orgadmin sees the demo university in charts and a 支部书记 only the branch."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_university_for_orgadmin_branch_for_secretary(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Pass-2026")
    call_command("load_demo", "--no-video")
    users = {u.username: u for u in get_user_model().objects.all()}
    client.force_login(users["orgadmin"])
    html = client.get("/party/stats/").content.decode()
    assert "示范大学党委 党员数据统计" in html
    assert "演示学院党委" in html and "马克思主义学院党委" in html
    assert html.count('<svg class="report-chart"') == 10
    assert 'id="sum-members">0<' not in html
    client.force_login(users["secretary"])
    html = client.get("/party/stats/").content.decode()
    assert "本科生第一党支部 党员数据统计" in html
    assert "马克思主义学院党委" not in html
    client.force_login(users["activist"])
    assert client.get("/party/stats/").status_code == 404
