"""Images and documents are stored under random names, never the uploader's; downloads keep a
readable name; rich text typed in the editor cannot inject markup."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_uploaded_image_is_renamed(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="Root-Pass-1")
    client.force_login(admin)
    upload = SimpleUploadedFile("../../我的 照片<script>.png", _png(), content_type="image/png")
    response = client.post("/admin/images/add/", {"title": "封面", "file": upload})
    assert response.status_code == 302, response.content[:500]
    image = get_image_model().objects.get(title="封面")
    assert image.file.name.startswith("images/")
    assert "照片" not in image.file.name and "script" not in image.file.name
    assert image.file.name.endswith(".png")


def test_uploaded_document_is_renamed_but_downloads_by_title(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="Root-Pass-1")
    client.force_login(admin)
    upload = SimpleUploadedFile(
        "学习材料 final (2).pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )
    response = client.post("/admin/documents/add/", {"title": "党章学习材料", "file": upload})
    assert response.status_code == 302, response.content[:500]
    document = get_document_model().objects.get(title="党章学习材料")
    assert document.file.name.startswith("documents/") and "final" not in document.file.name
    assert document.filename == "党章学习材料.pdf"
    response = client.get(document.url)
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%85%9A" in response["Content-Disposition"]


def test_editor_text_cannot_inject_markup(client, course):
    import json

    from django.contrib.auth import get_user_model

    from cms.pages.models import ArticleLessonPage

    admin = get_user_model().objects.create_superuser("root", password="Root-Pass-1")
    client.force_login(admin)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    contentstate = {
        "blocks": [
            {
                "key": "a1b2c",
                "type": "unstyled",
                "text": evil,
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
                "data": {},
            }
        ],
        "entityMap": {},
    }
    response = client.post(
        f"/admin/pages/add/pages/articlelessonpage/{course.pk}/",
        {
            "title": "安全测试",
            "slug": "safe",
            "summary": "",
            "body-count": "1",
            "body-0-type": "paragraph",
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-id": "b1",
            "body-0-value": json.dumps(contentstate),
            "class_hours": "0.25",
            "min_reading_seconds": "60",
            "action-publish": "1",
        },
    )
    assert response.status_code == 302, response.content[:1000]
    page = ArticleLessonPage.objects.get(slug="safe")
    html = client.get(page.url).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
