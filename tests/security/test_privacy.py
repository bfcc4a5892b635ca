"""Nothing about our users leaves the campus for third-party services."""

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_admin_loads_nothing_from_gravatar(client):
    """Campus networks often cannot reach it, and it would receive a hash of each e-mail."""
    client.force_login(make_user("staff1", is_staff=True, is_superuser=True, email="a@b.cn"))
    html = client.get("/admin/").content.decode()
    assert "/admin/" in html and "gravatar" not in html


def test_without_the_setting_the_admin_would_use_gravatar(client, settings):
    """The check above can fail: Wagtail's default does put Gravatar in the page."""
    del settings.WAGTAIL_GRAVATAR_PROVIDER_URL
    client.force_login(make_user("staff2", is_staff=True, is_superuser=True, email="c@d.cn"))
    assert "gravatar" in client.get("/admin/").content.decode()
