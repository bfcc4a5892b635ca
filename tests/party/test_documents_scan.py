"""The virus-scan hook of the one upload check (issue 15): PARTY_DOCUMENTS_SCAN_COMMAND runs on
every Party document with the file on its standard input — here a fake scanner script that answers
as ClamAV does (0 clean, 1 found, 2 error). An infected or unscanned file is refused and nothing is
written; without the setting nothing is run."""

import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from party.members.exceptions import MemberError
from party.members.models import Stage, StepDefinition, StepDocument, StepRecord
from party.members.services import stage_history_import, step_record
from party.organisation.documents import DocumentRejected, check_upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CLEAN = b"%PDF-1.4\n1 0 obj << /Title (report) >> endobj\n%%EOF\n"
# Real scanners are tried with the EICAR test file; the fake one looks for its name.
INFECTED = b"%PDF-1.4\n1 0 obj << /Title (EICAR-STANDARD-ANTIVIRUS-TEST-FILE) >> endobj\n%%EOF\n"
SCANNER = """
import sys
data = sys.stdin.buffer.read()
open(sys.argv[1], "ab").write(b"%d\\n" % len(data))
if b"EICAR" in data:
    print("stdin: Eicar-Test-Signature FOUND")
    sys.exit(1)
if b"BROKEN" in data:
    print("ERROR: database not loaded", file=sys.stderr)
    sys.exit(2)
print("stdin: OK")
"""


@pytest.fixture
def scanner(settings, tmp_path):
    script = tmp_path / "fake_clamscan.py"
    script.write_text(SCANNER)
    log = tmp_path / "scanned.log"
    settings.PARTY_DOCUMENTS_SCAN_COMMAND = [sys.executable, str(script), str(log)]
    return log


def check(content: bytes, name="思想汇报.pdf"):
    return check_upload(SimpleUploadedFile(name, content), extensions=("pdf",), max_bytes=10**6)


def test_a_clean_file_is_scanned_and_passes(scanner):
    assert check(CLEAN) == "application/pdf"
    assert scanner.read_text() == f"{len(CLEAN)}\n"  # the whole file went to the scanner


def test_an_infected_file_is_refused(scanner):
    with pytest.raises(DocumentRejected) as info:
        check(INFECTED)
    assert info.value.code == "attachment_virus"
    assert "病毒扫描" in info.value.message


def test_a_file_the_scanner_fails_on_is_refused(scanner):
    with pytest.raises(DocumentRejected) as info:
        check(CLEAN.replace(b"report", b"BROKEN"))  # the scanner answers with an error (exit 2)
    assert info.value.code == "attachment_unscanned"


def test_a_file_is_refused_when_the_scanner_cannot_start(settings):
    settings.PARTY_DOCUMENTS_SCAN_COMMAND = ["/nonexistent/clamdscan", "-"]
    with pytest.raises(DocumentRejected) as info:
        check(CLEAN)
    assert info.value.code == "attachment_unscanned"


def test_files_refused_by_content_never_reach_the_scanner(scanner):
    with pytest.raises(DocumentRejected):
        check(b"MZ\x90\x00" + b"\x00" * 64)
    assert not scanner.exists()


def test_without_the_setting_nothing_is_run(settings):
    settings.PARTY_DOCUMENTS_SCAN_COMMAND = []
    assert check(INFECTED) == "application/pdf"  # no scanner: only the content checks


def test_an_infected_report_writes_nothing(scanner, tree):
    member = tree["members"]["law_b1"]
    stage_history_import(
        member=member,
        entries=[(Stage.APPLICANT, TODAY - timedelta(days=60)), (Stage.ACTIVIST, TODAY)],
        by_user=None,
    )
    with pytest.raises(MemberError) as info:
        step_record(
            member=member,
            step=StepDefinition.objects.get(code="6.1"),
            done_on=TODAY,
            by_user=tree["users"]["secretary"],
            documents=[SimpleUploadedFile("思想汇报.pdf", INFECTED)],
        )
    assert info.value.code == "attachment_virus"
    assert not StepRecord.objects.exists() and not StepDocument.objects.exists()
