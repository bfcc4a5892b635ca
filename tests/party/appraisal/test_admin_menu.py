"""The admin's 民主评议 menu item: shown to those whose scope covers a branch (组织部, a 院系党委's
组织员), not to an admin user without one (a 培训管理员)."""

import pytest

from cms.roles import TRAINERS
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("actor", "shown"), [("office", True), ("organiser", True), ("trainer", False)]
)
def test_menu_item_follows_the_scope(tree, client, actor, shown):
    user = make_user("menu_trainer", role=TRAINERS) if actor == "trainer" else tree["users"][actor]
    client.force_login(user)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert ('"party-appraisal"' in page.content.decode()) is shown
    assert ("/party/appraisal/" in page.content.decode()) is shown
