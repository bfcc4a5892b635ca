"""The trainer's admin search (issue 21): the dashboard's search box and the sidebar's find the
trainer's classes and trainees — never another trainer's class, nor a trainee enrolled only there."""

import pytest

from learning.reports.admin_search import training_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(report_factory, trainer, trainer2):
    mine = report_factory.klass(trainers=[trainer], name="积极分子班", intake="第 3 期")
    theirs = report_factory.klass(trainers=[trainer2], name="积极分子班（别院）", intake="第 3 期")
    (mine_trainee,) = report_factory.trainees(mine, 1)
    (their_trainee,) = report_factory.trainees(theirs, 1)
    mine_trainee.name, their_trainee.name = "张明", "张亮"
    mine_trainee.save()
    their_trainee.save()
    return {"mine": mine, "theirs": theirs, "me": mine_trainee, "them": their_trainee}


def test_search_finds_only_my_classes_and_trainees(trainer, world):
    result = training_search(user=trainer, query="积极分子班")
    assert result.classes == [world["mine"]]
    assert [t.name for t in training_search(user=trainer, query="张").trainees] == ["张明"]
    assert training_search(user=trainer, query=world["them"].student_no).trainees == []
    assert training_search(user=trainer, query="第 3 期").classes == [world["mine"]]


def test_dashboard_search_box_goes_to_the_training_search(client, trainer, world):
    client.force_login(trainer)
    response = client.get("/admin/pages/", {"q": "张"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/reports/search/?q=%E5%BC%A0"
    html = client.get(response["Location"]).content.decode()
    assert "张明" in html and "张亮" not in html
    record = f"/admin/reports/classes/{world['mine'].pk}/trainees/{world['me'].pk}/"
    assert record in html
    html = client.get("/admin/reports/search/", {"q": "积极分子班"}).content.decode()
    assert f"/admin/reports/classes/{world['mine'].pk}/" in html
    assert "别院" not in html


def test_sidebar_offers_the_search_to_trainers_only(client, trainer, world):
    client.force_login(trainer)
    assert "/admin/reports/search/" in client.get("/admin/").content.decode()


def test_editors_keep_the_page_search_and_cannot_open_the_training_search(client, world):
    from cms.roles import EDITORS
    from tests.factories import make_user

    editor = make_user("bianji", role=EDITORS)
    client.force_login(editor)
    response = client.get("/admin/pages/", {"q": "张"})
    # Wagtail's own page explorer, untouched (it sends an editor to their part of the tree).
    assert "/admin/reports/" not in response.get("Location", "")
    response = client.get("/admin/reports/search/", {"q": "张"})
    assert response.status_code in (302, 403)
    assert "张明" not in response.content.decode()


def test_trainee_not_yet_in_a_class_is_found_with_a_link_to_enrol(client, report_factory, trainer):
    from tests.factories import make_trainee_profile

    branch = report_factory.org()
    report_factory.klass(trainers=[trainer])
    profile = make_trainee_profile(name="新学员", student_no="N0001", branch=branch)
    client.force_login(trainer)
    html = client.get("/admin/reports/search/", {"q": "新学员"}).content.decode()
    assert f"/admin/trainees/edit/{profile.pk}/" in html


def test_empty_or_long_query(client, trainer, world):
    assert training_search(user=trainer, query="  ").classes == []
    client.force_login(trainer)
    assert client.get("/admin/reports/search/", {"q": "张" * 500}).status_code == 200
