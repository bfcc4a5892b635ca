"""Wagtail's admin search (pages, images, documents) runs on the Whoosh backend with Chinese queries."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user("search-admin", is_superuser=True, is_staff=True))
    return client


def test_admin_page_search_finds_a_word_inside_chinese_text(admin_client, lessons, reindex):
    reindex()
    response = admin_client.get("/admin/pages/search/", {"q": "积极分子"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "入党积极分子培养教育" in html
    assert "三会一课制度" not in html


def test_admin_image_and_document_search(admin_client, reindex):
    get_image_model().objects.create(title="主题党日合影", file=get_test_image_file())
    get_document_model().objects.create(
        title="两学一做学习资料汇编", file=ContentFile(b"x", name="doc.txt")
    )
    reindex()
    html = admin_client.get("/admin/images/", {"q": "党日"}).content.decode()
    assert "主题党日合影" in html
    html = admin_client.get("/admin/documents/", {"q": "学习资料"}).content.decode()
    assert "两学一做学习资料汇编" in html


def test_admin_video_library_search(admin_client, reindex):
    from media_pipeline.models import Video

    Video.objects.create(title="入党积极分子培训开班仪式", original="videos/originals/a.mp4")
    Video.objects.create(title="主题党日活动", original="videos/originals/b.mp4")
    reindex()
    # Words in another order than the title's: a segmented index finds it, a substring match does not.
    html = admin_client.get("/admin/videos/", {"q": "开班 积极分子"}).content.decode()
    assert "入党积极分子培训开班仪式" in html
    assert "主题党日活动" not in html
