"""Files people upload to the Party apps (meeting attachments, the documents of a member's path):
the one check of what a file is — read from its content, never from its name alone — and of its
size, and the private storage that keeps member documents out of MEDIA_URL.

A file passes when its content is one of the kinds allowed for the place it is uploaded to AND its
name's extension belongs to that kind (a PDF named .docx is refused as well as an .exe named .pdf)
AND it carries no active content (`active_content`: VBA macros in Office files, ActiveX controls in
Office Open XML, JavaScript or launch actions in PDF). No library for this is in requirements.lock
(olefile/oletools/pypdf are not locked and the lock does not change this session), so the checks are
small readers of the formats' own structure: the zip's part names and [Content_Types].xml, the OLE
compound file's directory entries, the PDF's names (raw and in Flate streams). Not an antivirus.
"""

import re
import struct
import zipfile
import zlib
from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

# kind → (extensions it may carry, MIME type to serve it with)
KINDS = {
    "pdf": (("pdf",), "application/pdf"),
    "jpeg": (("jpg", "jpeg"), "image/jpeg"),
    "png": (("png",), "image/png"),
    "docx": (("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": (
        ("pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "xlsx": (("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    # Word 97–2003 and WPS 文字 files are both OLE compound documents.
    "ole": (("doc", "wps"), "application/msword"),
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The part an Office Open XML package of each kind must have.
OOXML_PARTS = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}


# Directory entries an OLE compound file (Word/Excel 97–2003, WPS) holds its VBA project in:
# Word "Macros", Excel "_VBA_PROJECT_CUR", both with a "VBA" storage and "_VBA_PROJECT" stream.
OLE_MACRO_ENTRIES = {"macros", "_vba_project_cur", "vba", "_vba_project"}
OLE_END_OF_CHAIN = 0xFFFFFFFE
OLE_FREE = 0xFFFFFFFF
# Office Open XML parts and content types that mean macros or ActiveX controls.
OOXML_ACTIVE_PART = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/)", re.IGNORECASE)
OOXML_ACTIVE_TYPE = re.compile(
    rb"macroEnabled|vnd\.ms-office\.vbaProject|vnd\.ms-office\.activeX", re.IGNORECASE
)
CONTENT_TYPES_MAX = 1024 * 1024
# PDF names that run something: JavaScript (also as an /OpenAction or /AA action) and /Launch.
PDF_ACTIVE_NAME = re.compile(rb"/(JavaScript|JS|Launch)(?![A-Za-z0-9])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
PDF_INFLATE_MAX = 64 * 1024 * 1024


class DocumentRejected(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def sniff(upload) -> str | None:
    """The kind of the file by its content (KINDS), or None. Leaves the file at its start."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(OLE_MAGIC):
        kind = "ole"
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        kind = next((k for k, part in OOXML_PARTS.items() if part in names), None)
        upload.seek(0)
    return kind


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload, *, extensions, max_bytes: int) -> str:
    """Refuse a file whose name, size or content is not allowed; return its MIME type."""
    suffix = extension(upload.name or "")
    if suffix not in extensions:
        raise DocumentRejected(
            _("附件只能是以下格式：%(kinds)s。") % {"kinds": "、".join(extensions)},
            code="attachment_kind",
        )
    if upload.size is None or upload.size > max_bytes:
        raise DocumentRejected(
            _("附件不能超过 %(mb)s MB。") % {"mb": f"{max_bytes / (1024 * 1024):g}"},
            code="attachment_size",
        )
    if upload.size == 0:
        raise DocumentRejected(_("附件是空文件。"), code="attachment_content")
    kind = sniff(upload)
    if kind is None or suffix not in KINDS[kind][0]:
        raise DocumentRejected(_("附件内容与文件类型不符。"), code="attachment_content")
    if kind in ACTIVE_CHECKS:
        verdict = ACTIVE_CHECKS[kind](upload)
        upload.seek(0)
        if verdict is None:
            raise DocumentRejected(_("附件内容与文件类型不符。"), code="attachment_content")
        if verdict:
            raise DocumentRejected(
                _("附件含有宏或脚本等可执行内容，请另存为不含宏的文件（如 PDF、DOCX）后再上传。"),
                code="attachment_active",
            )
    return KINDS[kind][1]


def _ooxml_active(upload) -> bool | None:
    """True when the package holds a VBA project / ActiveX part or declares a macro-enabled type."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            if any(OOXML_ACTIVE_PART.search(name) for name in package.namelist()):
                return True
            try:
                with package.open("[Content_Types].xml") as part:
                    types = part.read(CONTENT_TYPES_MAX)
            except KeyError:
                return None  # not an Office Open XML package after all
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, zlib.error):
        return None
    return bool(OOXML_ACTIVE_TYPE.search(types))


def ole_entry_names(data: bytes) -> list[str] | None:
    """The names of every used directory entry of an OLE compound file (MS-CFB), or None when the
    file is not a readable one. Every entry is read, not only those reachable from the root, so an
    orphaned VBA storage counts too."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        return None
    (shift,) = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        return None
    size = 1 << shift
    per_sector = size // 4

    def sector(number):
        start = (number + 1) * size
        return data[start : start + size] if start + size <= len(data) else None

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 76) if n != OLE_FREE]
    difat, difat_count = struct.unpack_from("<II", data, 68)
    for _i in range(difat_count):
        chunk = sector(difat)
        if chunk is None:
            return None
        numbers = struct.unpack(f"<{per_sector}I", chunk)
        fat_sectors += [n for n in numbers[:-1] if n != OLE_FREE]
        difat = numbers[-1]
    fat = []
    for number in fat_sectors:
        chunk = sector(number)
        if chunk is None:
            return None
        fat += struct.unpack(f"<{per_sector}I", chunk)
    names, seen = [], set()
    (number,) = struct.unpack_from("<I", data, 48)
    while number != OLE_END_OF_CHAIN:
        chunk = sector(number) if number < len(fat) and number not in seen else None
        if chunk is None:
            return None
        seen.add(number)
        for start in range(0, size, 128):
            entry = chunk[start : start + 128]
            if entry[66] == 0:  # unused entry
                continue
            (length,) = struct.unpack_from("<H", entry, 64)
            names.append(entry[: max(min(length, 64) - 2, 0)].decode("utf-16-le", "replace"))
        number = fat[number]
    return names


def _ole_active(upload) -> bool | None:
    upload.seek(0)
    names = ole_entry_names(upload.read())
    if names is None:
        return None
    return any(name.lower() in OLE_MACRO_ENTRIES for name in names)


def _pdf_names_active(data: bytes) -> bool:
    return bool(PDF_ACTIVE_NAME.search(PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)))


def _pdf_active(upload) -> bool | None:
    """True when a name /JavaScript, /JS or /Launch appears in the file or in one of its Flate
    streams (object streams of PDF 1.5+ hide dictionaries there); #xx escapes in names are decoded.
    Image streams are not inflated (their bytes are pixels); more than PDF_INFLATE_MAX inflated in
    all is refused (None) rather than left unread."""
    upload.seek(0)
    data = upload.read()
    if _pdf_names_active(data):
        return True
    view, budget = memoryview(data), PDF_INFLATE_MAX
    for match in PDF_STREAM.finditer(data):
        head = data[max(0, match.start() - 2048) : match.start()].rsplit(b" obj", 1)[-1]
        head = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), head)
        if b"/FlateDecode" not in head or b"/Image" in head:
            continue
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() :], budget + 1)
        except zlib.error:
            continue
        budget -= len(inflated)
        if budget < 0:
            return None
        if _pdf_names_active(inflated):
            return True
    return False


# kind → check returning True (active content), False (none) or None (unreadable: refused too)
ACTIVE_CHECKS = {
    "docx": _ooxml_active,
    "pptx": _ooxml_active,
    "xlsx": _ooxml_active,
    "ole": _ole_active,
    "pdf": _pdf_active,
}


class PrivateDocumentStorage(FileSystemStorage):
    """Files under settings.PARTY_DOCUMENTS_ROOT, outside MEDIA_ROOT: nothing serves them but the
    views that check scope and write the access log, so there is no URL to hand out."""

    def __init__(self):
        super().__init__(location=settings.PARTY_DOCUMENTS_ROOT, base_url=None)

    def url(self, name):
        raise ValueError("Party documents have no public URL: serve them through their view.")


@cache
def private_storage():
    """The storage of member documents, from settings.PARTY_DOCUMENTS_STORAGE: PrivateDocumentStorage
    on local disk, or documents_s3.PrivateS3DocumentStorage (a private bucket). Model fields call
    this once when the models load."""
    config = settings.PARTY_DOCUMENTS_STORAGE
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))
