"""The API of the path's documents (v2): list, upload on a stage change or step record, the
member's own 思想汇报 (pending until confirmed), confirm, download — scoped and access-logged."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from party.members.models import AccessAction, MemberAccessLog, Stage, StepRecord
from party.members.services import stage_history_import

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n%%EOF\n"
PDF_JS = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60


def upload(name="思想汇报.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def activist(tree):
    member = tree["members"]["law_b1"]
    stage_history_import(
        member=member,
        entries=[
            (Stage.APPLICANT, TODAY - relativedelta(months=10)),
            (Stage.ACTIVIST, TODAY - relativedelta(months=8)),
        ],
        by_user=None,
    )
    return member


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_secretary_records_a_report_with_its_file_and_downloads_it(tree, activist):
    client = as_user(tree["users"]["secretary"])
    base = f"/api/v1/members/{activist.pk}"
    response = client.post(
        f"{base}/step-records/",
        {"step": "6.1", "done_on": TODAY.isoformat(), "file": upload()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["pending"] is False
    listing = client.get(f"{base}/documents/").json()
    assert [(d["kind"], d["name"]) for d in listing] == [("step", "思想汇报.pdf")]
    timeline = client.get(f"{base}/timeline/").json()
    report = next(s for s in timeline["steps"] if s["code"] == "6.1")
    assert report["overdue"] is False and report["missing_document"] is False
    response = client.get(listing[0]["download"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert MemberAccessLog.objects.filter(
        action=AccessAction.DOWNLOAD, member=activist, user=tree["users"]["secretary"]
    ).exists()
    other = as_user(tree["users"]["secretary2"])
    assert other.get(listing[0]["download"]).status_code == 404
    assert other.get(f"{base}/documents/").status_code == 404


def test_stage_change_document_scope_and_content(tree, activist):
    change = activist.stage_changes.order_by("decided_on").first()
    url = f"/api/v1/members/{activist.pk}/stage-changes/{change.pk}/documents/"
    response = as_user(tree["users"]["secretary2"]).post(
        url, {"file": upload()}, format="multipart"
    )
    assert response.status_code == 404
    response = as_user(tree["users"]["member"]).post(url, {"file": upload()}, format="multipart")
    assert response.status_code == 403
    secretary = as_user(tree["users"]["secretary"])
    response = secretary.post(url, {"file": upload("申请书.pdf", EXE)}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "attachment_content"
    response = secretary.post(url, {"file": upload("申请书.pdf", PDF_JS)}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "attachment_active"
    assert "宏或脚本" in response.json()["detail"] and change.attachments.count() == 0
    response = secretary.post(url, {"file": upload("申请书.pdf")}, format="multipart")
    assert response.status_code == 201
    assert response.json()["stage_change"] == change.pk
    assert change.attachments.count() == 1


def test_member_submits_own_report_and_the_branch_confirms(tree, activist):
    member = as_user(tree["users"]["member"])
    base = f"/api/v1/members/{activist.pk}"
    response = member.post(
        f"{base}/step-records/", {"step": "6.1", "done_on": TODAY.isoformat()}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "attachment_missing"
    response = member.post(
        f"{base}/step-records/",
        {"step": "10", "done_on": TODAY.isoformat(), "file": upload()},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "not_submittable"
    response = member.post(
        f"{base}/step-records/",
        {"step": "6.1", "done_on": TODAY.isoformat(), "file": upload()},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["pending"] is True
    record_id = response.json()["id"]
    assert [d["name"] for d in member.get(f"{base}/documents/").json()] == ["思想汇报.pdf"]
    secretary = as_user(tree["users"]["secretary"])
    due = secretary.get(f"/api/v1/units/{activist.unit_id}/pipeline/").json()["due"]
    assert any(item["step"] == "6.1" and item["pending"] for item in due)
    assert member.post(f"{base}/step-records/{record_id}/confirm/").status_code == 403
    response = secretary.post(f"{base}/step-records/{record_id}/confirm/")
    assert response.status_code == 200 and response.json()["pending"] is False
    assert secretary.post(f"{base}/step-records/{record_id}/confirm/").status_code == 409
    due = secretary.get(f"/api/v1/units/{activist.unit_id}/pipeline/").json()["due"]
    assert not any(item["step"] == "6.1" for item in due)
    assert StepRecord.objects.get(pk=record_id).confirmed_by == tree["users"]["secretary"]


def test_schema_describes_the_document_operations(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/members/{id}/documents/",
        "/api/v1/members/{id}/stage-changes/{change_id}/documents/",
        "/api/v1/members/{id}/step-records/",
        "/api/v1/members/{id}/step-records/{record_id}/documents/",
        "/api/v1/members/{id}/step-records/{record_id}/confirm/",
        "/api/v1/documents/{kind}/{id}/",
    ):
        assert path in schema["paths"], path


def test_branch_returns_a_submission_through_the_api(tree, activist):
    member = as_user(tree["users"]["member"])
    base = f"/api/v1/members/{activist.pk}"
    record_id = member.post(
        f"{base}/step-records/",
        {"step": "6.1", "done_on": TODAY.isoformat(), "file": upload()},
        format="multipart",
    ).json()["id"]
    url = f"{base}/step-records/{record_id}/return/"
    assert member.post(url, {"reason": "x"}, format="json").status_code == 403
    secretary = as_user(tree["users"]["secretary"])
    assert secretary.post(url, {}, format="json").status_code == 400
    response = secretary.post(url, {"reason": "请上传本季度的思想汇报"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["pending"] is False and body["return_reason"] == "请上传本季度的思想汇报"
    assert secretary.post(url, {"reason": "again"}, format="json").status_code == 409
    assert secretary.post(f"{base}/step-records/{record_id}/confirm/").status_code == 409
