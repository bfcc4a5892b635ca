"""Documents of a member's path (issue 15): uploads checked by content and size, kept outside
MEDIA_ROOT, downloaded only through the scoped view that writes the access log; the member's own
思想汇报 pending until the branch confirms it; the board's overdue item closed by an uploaded report."""

import io
import struct
import zipfile
import zlib

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from party.members.checklist import progress_for_members
from party.members.exceptions import MemberError
from party.members.models import (
    AccessAction,
    MemberAccessLog,
    Stage,
    StageChangeAttachment,
    StepDefinition,
    StepDocument,
    StepRecord,
)
from party.members.services import (
    own_step_submit,
    stage_change_document_add,
    stage_history_import,
    step_record,
    step_record_confirm,
)
from party.organisation.documents import check_upload, sniff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def ole_bytes(*entries: str) -> bytes:
    """A minimal OLE compound file (MS-CFB v3, 512-byte sectors): sector 0 is the FAT, sector 1
    the directory holding Root Entry and the given storage names."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *[0xFFFFFFFF] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *[0xFFFFFFFF] * 126)
    directory = bytearray(512)
    for index, name in enumerate(("Root Entry", *entries)):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), 5 if index == 0 else 1, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        directory[index * 128 : (index + 1) * 128] = entry
    return bytes(header) + fat + bytes(directory)


OLE = ole_bytes("WordDocument", "1Table")


def pdf(name="思想汇报.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes(part="word/document.xml", types="<Types/>", extra=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr(part, "<x/>")
        for name in extra:
            package.writestr(name, b"\x00" * 16)
    return buffer.getvalue()


DOCM_TYPES = (
    '<Types><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)
PDF_JS = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n%%EOF\n"
PDF_JS_ESCAPED = (
    b"%PDF-1.4\n1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj\n%%EOF\n"
)
PDF_LAUNCH = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n%%EOF\n"
_OBJSTM = zlib.compress(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>")
PDF_JS_IN_OBJECT_STREAM = (
    b"%PDF-1.5\n4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
    + str(len(_OBJSTM)).encode()
    + b" >>\nstream\n"
    + _OBJSTM
    + b"\nendstream\nendobj\n%%EOF\n"
)
_TEXT = zlib.compress(b"BT /F1 12 Tf (Party report) Tj ET")
PDF_FLATE_TEXT = (
    b"%PDF-1.5\n4 0 obj << /Filter /FlateDecode /Length "
    + str(len(_TEXT)).encode()
    + b" >>\nstream\n"
    + _TEXT
    + b"\nendstream\nendobj\n%%EOF\n"
)


@pytest.fixture
def activist(tree):
    """张三 (法学本科生党支部, has a user), 入党积极分子 for eight months: 思想汇报 overdue."""
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


def report_step():
    return StepDefinition.objects.get(code="6.1")


def missing_line(page: str) -> str:
    """The board card's 缺材料 line (the applicant and activist changes have no document either)."""
    return page.split('class="missing-document meta">', 1)[1].split("</div>", 1)[0]


def report_row(member):
    (progress,) = progress_for_members(members=[member], today=TODAY)
    return next(row for row in progress.rows if row.step.code == "6.1")


# --- the one check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", EXE, "attachment_content"),  # an .exe named .pdf
        ("report.exe", EXE, "attachment_kind"),
        ("report.docx", PDF, "attachment_content"),  # a PDF named .docx
        ("report.docx", docx_bytes("xl/workbook.xml"), "attachment_content"),  # an xlsx
        ("report.docx", b"PK\x03\x04 not a zip", "attachment_content"),
        ("report.pdf", b"", "attachment_content"),
        ("report.doc", OLE[:600], "attachment_content"),  # an OLE file whose directory is cut off
        # active content (slice 1): macros in Office files, JavaScript / launch actions in PDF
        ("report.docx", docx_bytes(extra=("word/vbaProject.bin",)), "attachment_active"),
        ("report.docx", docx_bytes(types=DOCM_TYPES), "attachment_active"),  # a .docm renamed
        ("report.docx", docx_bytes(extra=("word/activeX/activeX1.bin",)), "attachment_active"),
        ("report.doc", ole_bytes("WordDocument", "Macros", "VBA"), "attachment_active"),
        ("report.wps", ole_bytes("WordDocument", "_VBA_PROJECT_CUR"), "attachment_active"),
        ("report.pdf", PDF_JS, "attachment_active"),
        ("report.pdf", PDF_JS_ESCAPED, "attachment_active"),
        ("report.pdf", PDF_LAUNCH, "attachment_active"),
        ("report.pdf", PDF_JS_IN_OBJECT_STREAM, "attachment_active"),
    ],
)
def test_files_are_refused_by_content(name, content, code):
    with pytest.raises(MemberError) as info:
        from party.members.services import check_document

        check_document(SimpleUploadedFile(name, content))
    assert info.value.code == code


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("a.PNG", PNG, "png"),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "jpeg"),
        ("a.docx", docx_bytes(), "docx"),
        ("a.doc", OLE, "ole"),
        ("a.wps", OLE, "ole"),
        ("a.pdf", PDF_FLATE_TEXT, "pdf"),
        ("a.doc", ole_bytes("WordDocument", "VBAnotes"), "ole"),  # a name that merely starts so
    ],
)
def test_allowed_kinds_pass(name, content, kind):
    upload = SimpleUploadedFile(name, content)
    assert sniff(upload) == kind
    check_upload(upload, extensions=("pdf", "png", "jpg", "docx", "doc", "wps"), max_bytes=10**6)


def test_oversize_is_refused(settings, tree, activist):
    settings.PARTY_DOCUMENTS_MAX_BYTES = 100
    with pytest.raises(MemberError) as info:
        step_record(
            member=activist,
            step=report_step(),
            done_on=TODAY,
            by_user=tree["users"]["secretary"],
            documents=[pdf(content=PDF + b"x" * 200)],
        )
    assert info.value.code == "attachment_size"
    assert not StepRecord.objects.exists()  # nothing half-written


# --- storage, download, access log -------------------------------------------------------------


def test_upload_is_private_and_download_is_scoped_and_logged(client, tree, activist):
    record = step_record(
        member=activist,
        step=report_step(),
        done_on=TODAY,
        by_user=tree["users"]["secretary"],
        documents=[pdf("2026年第四季度思想汇报.pdf")],
    )
    document = record.documents.get()
    stored = settings.PARTY_DOCUMENTS_ROOT / document.file.name
    assert stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert "思想汇报" not in document.file.name  # stored under a random name
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 — no public URL at all
    upload_log = MemberAccessLog.objects.get(action=AccessAction.UPLOAD)
    assert upload_log.member == activist and "2026年第四季度思想汇报.pdf" in upload_log.what

    url = reverse("party:document_download", args=["step", document.pk])
    for outsider in ("secretary2", "member", "outsider"):  # 张三 did not upload this one
        client.force_login(tree["users"][outsider])
        assert client.get(url).status_code == 404
    assert not MemberAccessLog.objects.filter(action=AccessAction.DOWNLOAD).exists()

    client.force_login(tree["users"]["organiser"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''2026" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    log = MemberAccessLog.objects.get(action=AccessAction.DOWNLOAD)
    assert log.user == tree["users"]["organiser"] and log.member == activist
    assert "2026年第四季度思想汇报.pdf" in log.what
    assert (
        client.get(reverse("party:document_download", args=["nope", document.pk])).status_code
        == 404
    )


def test_x_accel_redirect_when_configured(client, settings, tree, activist):
    settings.PARTY_DOCUMENTS_X_ACCEL_PREFIX = "/protected-party-documents/"
    record = step_record(
        member=activist,
        step=report_step(),
        done_on=TODAY,
        by_user=tree["users"]["secretary"],
        documents=[pdf()],
    )
    document = record.documents.get()
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party:document_download", args=["step", document.pk]))
    assert response["X-Accel-Redirect"] == f"/protected-party-documents/{document.file.name}"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == b""


def test_another_branch_secretary_can_neither_upload_nor_download(client, tree, activist):
    change = activist.stage_changes.order_by("decided_on").last()
    with pytest.raises(MemberError) as info:
        stage_change_document_add(change=change, upload=pdf(), by_user=tree["users"]["secretary2"])
    assert info.value.code == "out_of_scope"
    client.force_login(tree["users"]["secretary2"])
    response = client.post(
        reverse("party:member_timeline", args=[activist.pk]),
        {"action": "stage_document", "target": change.pk, "document": pdf()},
    )
    assert response.status_code == 404
    assert not StageChangeAttachment.objects.exists()


def test_document_added_to_a_past_stage_change_leaves_it_unedited(client, tree, activist):
    change = activist.stage_changes.order_by("decided_on").first()
    before = (change.stage, change.decided_on, change.decided_by, change.note, change.recorded_at)
    client.force_login(tree["users"]["secretary"])
    url = reverse("party:member_timeline", args=[activist.pk])
    response = client.post(
        url, {"action": "stage_document", "target": change.pk, "document": pdf("入党申请书.pdf")}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (
        change.stage,
        change.decided_on,
        change.decided_by,
        change.note,
        change.recorded_at,
    ) == before
    attachment = change.attachments.get()
    assert (
        attachment.name == "入党申请书.pdf" and attachment.uploaded_by == tree["users"]["secretary"]
    )
    assert MemberAccessLog.objects.filter(action=AccessAction.UPLOAD, member=activist).count() == 1
    page = client.get(url).content.decode()
    assert reverse("party:document_download", args=["stage", attachment.pk]) in page
    # a hostile file: refused with the message, nothing written
    response = client.post(
        url, {"action": "stage_document", "target": change.pk, "document": pdf(content=EXE)}
    )
    assert response.status_code == 200
    assert "附件内容与文件类型不符" in response.content.decode()
    assert change.attachments.count() == 1


def test_stage_change_recorded_with_its_document(client, tree, activist):
    client.force_login(tree["users"]["secretary"])
    StageChangeAttachment.objects.all().delete()
    response = client.post(
        reverse("party:member_timeline", args=[activist.pk]),
        {
            "action": "stage",
            "to_stage": Stage.STOPPED,
            "date": TODAY.isoformat(),
            "decided_by": "branch_committee",
            "note": "本人申请",
            "document": pdf("支委会会议记录.pdf"),
        },
    )
    assert response.status_code == 302
    latest = activist.stage_changes.order_by("-decided_on", "-id").first()
    assert latest.stage == Stage.STOPPED
    assert latest.attachments.get().name == "支委会会议记录.pdf"


# --- the member's own upload, confirmation, the board -----------------------------------------


def test_members_own_report_is_pending_until_the_branch_confirms(client, tree, activist):
    assert report_row(activist).overdue
    client.force_login(tree["users"]["member"])
    response = client.post(
        reverse("party:my_progress"),
        {
            "step": report_step().pk,
            "done_on": TODAY.isoformat(),
            "document": pdf("我的思想汇报.pdf"),
            "note": "",
        },
    )
    assert response.status_code == 302
    record = StepRecord.objects.get(member=activist)
    assert record.submitted_by_member and record.pending
    row = report_row(activist)
    assert row.overdue and row.pending  # not done until confirmed
    page = client.get(reverse("party:my_progress")).content.decode()
    assert "待支部确认" in page
    # the member downloads their own upload
    document = record.documents.get()
    url = reverse("party:document_download", args=["step", document.pk])
    assert client.get(url).status_code == 200

    board = reverse("party:unit_board", args=[activist.unit.pk])
    client.force_login(tree["users"]["secretary"])
    assert "本人已提交，待确认" in client.get(board).content.decode()
    response = client.post(
        reverse("party:member_timeline", args=[activist.pk]),
        {"action": "confirm", "target": record.pk},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.confirmed_by == tree["users"]["secretary"] and not record.pending
    row = report_row(activist)
    assert not row.overdue and row.done_on == TODAY and not row.missing_document
    page = client.get(board).content.decode()
    assert "思想汇报（每季度）" not in page.split("按阶段")[0]  # the overdue item is gone
    with pytest.raises(MemberError):
        step_record_confirm(record=record, by_user=tree["users"]["secretary"])


def test_member_may_submit_only_the_steps_marked_so(tree, activist):
    with pytest.raises(MemberError) as info:
        own_step_submit(
            user=tree["users"]["member"],
            step=StepDefinition.objects.get(code="10"),  # 政治审查: the branch's
            done_on=TODAY,
            upload=pdf(),
        )
    assert info.value.code == "not_submittable"
    with pytest.raises(MemberError) as info:
        own_step_submit(
            user=tree["users"]["outsider"], step=report_step(), done_on=TODAY, upload=pdf()
        )
    assert info.value.code == "no_member"
    with pytest.raises(MemberError):
        own_step_submit(
            user=tree["users"]["member"], step=report_step(), done_on=TODAY, upload=pdf(content=EXE)
        )
    assert not StepRecord.objects.exists()
    assert set(
        StepDefinition.objects.filter(member_may_submit=True).values_list("code", flat=True)
    ) == {"1", "6.1"}


def test_secretary_upload_closes_the_overdue_report_and_missing_documents_show(
    client, tree, activist
):
    client.force_login(tree["users"]["secretary"])
    board = reverse("party:unit_board", args=[activist.unit.pk])
    assert "思想汇报（每季度）" in client.get(board).content.decode().split("按阶段")[0]
    # a report recorded without its document: done, but the board says what is missing
    step_record(
        member=activist,
        step=report_step(),
        done_on=TODAY - relativedelta(days=1),
        by_user=tree["users"]["secretary"],
    )
    row = report_row(activist)
    assert not row.overdue and row.missing_document
    page = client.get(board).content.decode()
    assert "思想汇报（每季度）" not in page.split("按阶段")[0]
    assert "思想汇报" in missing_line(page)
    response = client.post(
        reverse("party:member_timeline", args=[activist.pk]),
        {
            "action": "step",
            "step": report_step().pk,
            "done_on": TODAY.isoformat(),
            "responsible": "李书记",
            "note": "",
            "document": pdf(),
        },
    )
    assert response.status_code == 302
    assert not report_row(activist).missing_document
    assert "思想汇报" not in missing_line(client.get(board).content.decode())
    assert StepDocument.objects.count() == 1


def test_board_queries_do_not_grow_with_documents(
    client, tree, activist, django_assert_max_num_queries
):
    client.force_login(tree["users"]["secretary"])
    board = reverse("party:unit_board", args=[activist.unit.pk])
    client.get(board)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(board)
    for day in range(3):
        step_record(
            member=activist,
            step=report_step(),
            done_on=TODAY - relativedelta(days=day),
            by_user=tree["users"]["secretary"],
            documents=[pdf()],
        )
    with CaptureQueriesContext(connection) as second:
        client.get(board)
    assert len(second) == len(first)


def test_board_export_lists_missing_and_pending_documents(client, tree, activist):
    from openpyxl import load_workbook

    own_step_submit(user=tree["users"]["member"], step=report_step(), done_on=TODAY, upload=pdf())
    client.force_login(tree["users"]["secretary"])
    response = client.get(reverse("party:unit_board_export", args=[activist.unit.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header, row = rows[1], next(r for r in rows if r[0] == activist.name)
    assert header[-2:] == ("缺材料", "本人已提交，待确认")
    assert "入党申请书" in row[-2]  # the 递交入党申请书 change has no document
    assert row[-1] == "思想汇报"
    items = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert any("6.1" in r[2] and "待确认" in r[4] for r in items[1:])


def test_branch_returns_a_wrong_upload_with_a_reason(client, tree, activist):
    record = own_step_submit(
        user=tree["users"]["member"], step=report_step(), done_on=TODAY, upload=pdf()
    )
    url = reverse("party:member_timeline", args=[activist.pk])
    client.force_login(tree["users"]["secretary"])
    response = client.post(url, {"action": "return", "target": record.pk, "reason": " "})
    assert response.status_code == 200 and "退回须填写理由" in response.content.decode()
    response = client.post(url, {"action": "return", "target": record.pk, "reason": "不是思想汇报"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.returned_by == tree["users"]["secretary"] and not record.pending
    row = report_row(activist)
    assert row.overdue and not row.pending and row.done_on is None  # counts for nothing
    assert record.documents.count() == 1  # nothing deleted
    with pytest.raises(MemberError):
        step_record_confirm(record=record, by_user=tree["users"]["secretary"])
    client.force_login(tree["users"]["member"])
    page = client.get(reverse("party:my_progress")).content.decode()
    assert "已退回：不是思想汇报" in page


def test_documents_in_a_private_bucket_download_through_the_view(
    client, tree, activist, documents_bucket
):
    record = step_record(
        member=activist,
        step=report_step(),
        done_on=TODAY,
        by_user=tree["users"]["secretary"],
        documents=[pdf("2026年第四季度思想汇报.pdf")],
    )
    document = record.documents.get()
    key = f"party-documents/{document.file.name}"
    stored = documents_bucket.get_object(Bucket="dangke-party-documents", Key=key)
    assert stored["Body"].read() == PDF
    assert not (settings.PARTY_DOCUMENTS_ROOT / document.file.name).exists()
    grants = documents_bucket.get_object_acl(Bucket="dangke-party-documents", Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # private: owner only
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 — not even a signed URL

    url = reverse("party:document_download", args=["step", document.pk])
    client.force_login(tree["users"]["secretary2"])
    assert client.get(url).status_code == 404
    client.force_login(tree["users"]["organiser"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert MemberAccessLog.objects.filter(action=AccessAction.DOWNLOAD).count() == 1


def test_party_documents_storage_env_selects_the_private_bucket():
    """The deployment's variables reach the setting: own bucket and prefix, media's endpoint/keys."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "PARTY_DOCUMENTS_STORAGE": "s3",
        "PARTY_DOCUMENTS_S3_BUCKET": "dk-archive",
        "S3_ENDPOINT_URL": "http://minio:9000",
        "S3_ACCESS_KEY_ID": "media-key",
    }
    code = "import json; from cms.settings import base; print(json.dumps(base.PARTY_DOCUMENTS_STORAGE))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    config = json.loads(out.strip().splitlines()[-1])
    assert config["BACKEND"] == "party.organisation.documents_s3.PrivateS3DocumentStorage"
    assert config["OPTIONS"]["bucket_name"] == "dk-archive"
    assert config["OPTIONS"]["location"] == "party-documents"
    assert config["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert config["OPTIONS"]["access_key"] == "media-key"
