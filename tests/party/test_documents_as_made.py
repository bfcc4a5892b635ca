"""The upload check accepts documents as staff make them (issue 15): real files written by Word,
LibreOffice and scanners (tests/party/documents_as_made/SOURCES.md says where each comes from),
and still refuses hostile variants made from them."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from party.organisation.documents import DocumentRejected, check_upload

HERE = Path(__file__).parent / "documents_as_made"
EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "doc", "wps")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def check(name: str, content: bytes) -> str:
    return check_upload(SimpleUploadedFile(name, content), extensions=EXTENSIONS, max_bytes=10**7)


def made(name: str) -> bytes:
    return (HERE / name).read_bytes()


@pytest.mark.parametrize(
    ("fixture", "upload_as", "mime"),
    [
        ("word97.doc", "思想汇报.doc", "application/msword"),
        ("word97.doc", "思想汇报.wps", "application/msword"),  # WPS 文字 keeps the same container
        ("word-mac.docx", "入党申请书.docx", DOCX),
        ("libreoffice.docx", "入党申请书.docx", DOCX),
        ("word-online.docx", "思想汇报.docx", DOCX),  # main part word/document2.xml
        ("scan-libreoffice.pdf", "考察记录.pdf", "application/pdf"),  # /OpenAction to a page
        ("form-libreoffice.pdf", "政审表.pdf", "application/pdf"),  # AcroForm, no script
        ("scan-js-bytes.pdf", "思想汇报扫描件.pdf", "application/pdf"),  # "/JS" in pixels
    ],
)
def test_documents_as_made_are_accepted(fixture, upload_as, mime):
    content = made(fixture)
    assert len(content) < 200 * 1024
    assert check(upload_as, content) == mime


def test_the_fixtures_are_what_they_say():
    assert b"/JS\xa0" in made("scan-js-bytes.pdf")  # the bytes that were refused before
    assert b"/OpenAction[1 0 R /XYZ null null 0]" in made("scan-libreoffice.pdf")
    assert b"/AcroForm" in made("form-libreoffice.pdf")
    assert b"word/document2.xml" in made("word-online.docx")
    assert b"word/document.xml" not in made("word-online.docx")


def append_update(content: bytes, objects: bytes) -> bytes:
    """An incremental update as an editor appends one (the xref is not needed by the check)."""
    return content + b"\n" + objects + b"\n%%EOF\n"


def refused(name: str, content: bytes) -> str:
    with pytest.raises(DocumentRejected) as info:
        check(name, content)
    return info.value.code


def test_a_script_added_to_a_real_scan_is_refused():
    update = b"1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 9 0 R >> endobj\n"
    update += b"9 0 obj << /S /JavaScript /JS (app.launchURL('http://x')) >> endobj"
    assert refused("a.pdf", append_update(made("scan-js-bytes.pdf"), update)) == "attachment_active"


def test_a_launch_action_added_to_a_real_form_is_refused():
    update = b"20 0 obj << /S /Launch /F (cmd.exe) >> endobj"
    assert (
        refused("a.pdf", append_update(made("form-libreoffice.pdf"), update)) == "attachment_active"
    )


def test_a_stream_keyword_inside_a_string_does_not_hide_a_script():
    """ "stream" written inside a literal string or a comment is not stream data: what follows is
    still read."""
    script = b"9 0 obj << /S /JavaScript /JS (x) >> endobj\nendstream"
    for hiding in (b"8 0 obj << /Title (a (b) stream\n) >> endobj\n", b"% stream\n"):
        content = append_update(made("scan-libreoffice.pdf"), hiding + script)
        assert refused("a.pdf", content) == "attachment_active"


def test_object_streams_are_read_uncompressed_and_refused_when_unreadable():
    body = b"9 0 << /S /JavaScript /JS (x) >>"
    plain = (
        b"9 0 obj << /Type /ObjStm /N 1 /First 4 /Length %d >>\nstream\n%s\nendstream\nendobj"
        % (
            len(body),
            body,
        )
    )
    assert (
        refused("a.pdf", append_update(made("scan-libreoffice.pdf"), plain)) == "attachment_active"
    )
    hexed = body.hex().encode()
    coded = plain.replace(b"/First 4", b"/First 4 /Filter /ASCIIHexDecode").replace(body, hexed)
    assert refused("a.pdf", append_update(made("scan-libreoffice.pdf"), coded)) == (
        "attachment_content"
    )


def rewrite(package_bytes: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                package.writestr(name, data)
    return buffer.getvalue()


def test_a_macro_enabled_package_with_a_renamed_main_part_is_refused():
    def docm(name, data):
        if name != "[Content_Types].xml":
            return data
        return data.replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml",
        )

    assert refused("a.docx", rewrite(made("word-online.docx"), docm)) == "attachment_active"


def test_a_package_without_a_main_part_is_refused():
    def without_main(name, data):
        return None if name == "word/document2.xml" else data

    assert (
        refused("a.docx", rewrite(made("word-online.docx"), without_main)) == "attachment_content"
    )


# What a downloaded ".doc" template often really is: Word and WPS open these and save them again in
# the same format. Still refused (RTF can embed OLE objects, a web page scripts), but the message
# names the format and says to save as DOCX or PDF instead of "content does not match".
SAVED_AS = [
    (
        "RTF",
        b"{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}}"
        b"\\f0\\fs24 \\'cb\\'bc\\'cf\\'eb\\'bb\\'e3\\'b1\\'a8\\par}",
    ),
    (
        "MHTML",
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01DA"'
        b"\r\n\r\nThis document is a Single File Web Page, also known as a Web Archive file.\r\n",
    ),
    (
        "Word 2003 XML",
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<?mso-application progid="Word.Document"?>\r\n<w:wordDocument '
        b'xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"></w:wordDocument>',
    ),
    (
        "HTML",
        b'<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        b'xmlns:w="urn:schemas-microsoft-com:office:word"><head>'
        + "<meta name=ProgId content=Word.Document></head><body>思想汇报</body></html>".encode(),
    ),
]


@pytest.mark.parametrize(("name", "content"), SAVED_AS)
@pytest.mark.parametrize("suffix", ["doc", "wps"])
def test_a_doc_in_another_format_is_refused_with_what_to_do(name, content, suffix):
    with pytest.raises(DocumentRejected) as info:
        check(f"思想汇报.{suffix}", content)
    assert info.value.code == "attachment_content"
    assert f"这个 .{suffix} 文件实际是 {name} 格式" in info.value.message
    assert "另存为” DOCX 或 PDF" in info.value.message


def test_other_mismatches_keep_the_plain_message():
    for name, content in [("a.docx", SAVED_AS[0][1]), ("a.doc", b"MZ\x90\x00" + b"\x00" * 64)]:
        with pytest.raises(DocumentRejected) as info:
            check(name, content)
        assert info.value.message == "附件内容与文件类型不符。"
