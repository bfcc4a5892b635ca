"""`manage.py party_documents_copy` (issue 15): a school that switches PARTY_DOCUMENTS_STORAGE to
s3 copies the documents already on the local disk into the private bucket — against a local S3
server (moto) as the storage test does. Idempotent, resumable, verified by size and SHA-256, never
overwriting, with a dry run; afterwards the documents download from the bucket."""

import hashlib
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from party.members.models import Stage, StageChange, StepDefinition, StepDocument
from party.members.services import stage_change_document_add, stage_history_import, step_record

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
BUCKET = "dangke-party-documents"
REPORT = b"%PDF-1.4\n1 0 obj << /Title (report) >> endobj\n%%EOF\n"
MINUTES = b"%PDF-1.4\n1 0 obj << /Title (minutes) >> endobj\n%%EOF\n"


@pytest.fixture
def on_disk(tree):
    """Two documents uploaded while the storage was the local disk: a 思想汇报 of a step record
    and the minutes behind a stage change."""
    member = tree["members"]["law_b1"]
    stage_history_import(
        member=member,
        entries=[(Stage.APPLICANT, TODAY.replace(year=TODAY.year - 1)), (Stage.ACTIVIST, TODAY)],
        by_user=None,
    )
    secretary = tree["users"]["secretary"]
    record = step_record(
        member=member,
        step=StepDefinition.objects.get(code="6.1"),
        done_on=TODAY,
        by_user=secretary,
        documents=[SimpleUploadedFile("思想汇报.pdf", REPORT)],
    )
    change = StageChange.objects.filter(member=member).latest("decided_on")
    stage_change_document_add(
        change=change, upload=SimpleUploadedFile("会议记录.pdf", MINUTES), by_user=secretary
    )
    names = [record.documents.get().file.name, change.attachments.get().file.name]
    for name in names:
        assert (settings.PARTY_DOCUMENTS_ROOT / name).exists()
    return names


def run(*args) -> str:
    out = io.StringIO()
    call_command("party_documents_copy", *args, stdout=out)
    return out.getvalue()


def keys(client) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listed
    }


def test_dry_run_lists_and_writes_nothing(on_disk, documents_bucket):
    out = run("--dry-run")
    assert "dry run: 2 document(s)" in out
    for name in on_disk:
        assert f"would_copy {name}" in out
    assert "would_copy 2, present 0, missing 0, conflict 0" in out
    assert keys(documents_bucket) == {}


def test_copies_verifies_and_is_idempotent(client, tree, on_disk, documents_bucket):
    out = run()
    assert "[1/2] copied" in out and "[2/2] copied" in out
    assert f"sha256 {hashlib.sha256(REPORT).hexdigest()[:12]}" in out
    assert "copied 2, present 0, missing 0, conflict 0" in out
    stored = keys(documents_bucket)
    assert sorted(stored.values()) == sorted([REPORT, MINUTES])
    assert set(stored) == {
        f"party-documents/{name}" for name in on_disk
    }  # same names: rows unchanged

    again = run()
    assert "copied 0, present 2, missing 0, conflict 0" in again

    # the documents now come out of the bucket through the scoped view
    document = StepDocument.objects.get()
    (settings.PARTY_DOCUMENTS_ROOT / document.file.name).unlink()
    client.force_login(tree["users"]["organiser"])
    response = client.get(reverse("party:document_download", args=["step", document.pk]))
    assert b"".join(response.streaming_content) == REPORT


def test_resumes_where_it_stopped(on_disk, documents_bucket):
    run()
    documents_bucket.delete_object(Bucket=BUCKET, Key=f"party-documents/{on_disk[1]}")
    out = run()
    assert f"copied {on_disk[1]}" in out
    assert "copied 1, present 1, missing 0, conflict 0" in out


def test_other_bytes_in_the_bucket_are_never_overwritten(on_disk, documents_bucket):
    key = f"party-documents/{on_disk[0]}"
    documents_bucket.put_object(Bucket=BUCKET, Key=key, Body=b"something else")
    with pytest.raises(CommandError) as info:
        run()
    assert "1 file(s) not copied" in str(info.value)
    assert documents_bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"something else"
    # the other document was still copied
    assert keys(documents_bucket)[f"party-documents/{on_disk[1]}"] == MINUTES


def test_a_file_missing_on_disk_is_reported(on_disk, documents_bucket):
    (settings.PARTY_DOCUMENTS_ROOT / on_disk[0]).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("party_documents_copy", stdout=out)
    assert f"missing {on_disk[0]}: not on the local disk" in out.getvalue()
    assert "copied 1, present 0, missing 1, conflict 0" in out.getvalue()


def test_refuses_while_the_storage_is_still_the_local_disk(on_disk):
    with pytest.raises(CommandError) as info:
        run()
    assert "PARTY_DOCUMENTS_STORAGE 仍是本地磁盘" in str(info.value)
