"""Files people upload to the Party apps (meeting attachments, the documents of a member's path):
the one check of what a file is — read from its content, never from its name alone — and of its
size, and the private storage that keeps member documents out of MEDIA_URL.

A file passes when its content is one of the kinds allowed for the place it is uploaded to AND its
name's extension belongs to that kind (a PDF named .docx is refused as well as an .exe named .pdf)
AND it carries no active content (`active_content`: VBA macros in Office files, ActiveX controls in
Office Open XML, JavaScript or launch actions in PDF). No library for this is in requirements.lock
(olefile/oletools/pypdf are not locked and the lock does not change this session), so the checks are
small readers of the formats' own structure: the zip's part names and [Content_Types].xml, the OLE
compound file's directory entries, the PDF's names outside stream data and in object streams. Not an
antivirus. Files as real tools write them are the fixtures of tests/party/documents_as_made/.
"""

import re
import struct
import subprocess
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
# The part an Office Open XML package of each kind usually has.
OOXML_PARTS = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}
# The content type of each kind's main part ([Content_Types].xml), macro-enabled ones included so
# that a .docm renamed .docx is recognised and then refused as active. Word for the web names the
# main part word/document2.xml (a package is free to: ECMA-376 part 2 finds it by relationship),
# so a package whose usual part name is missing is recognised by the content type of its main part.
OOXML_MAIN_TYPES = {
    "docx": re.compile(
        r"application/vnd\.(openxmlformats-officedocument\.wordprocessingml\.document|"
        r"ms-word\.document\.macroEnabled)\.main\+xml",
        re.IGNORECASE,
    ),
    "pptx": re.compile(
        r"application/vnd\.(openxmlformats-officedocument\.presentationml\.presentation|"
        r"ms-powerpoint\.presentation\.macroEnabled)\.main\+xml",
        re.IGNORECASE,
    ),
    "xlsx": re.compile(
        r"application/vnd\.(openxmlformats-officedocument\.spreadsheetml\.sheet|"
        r"ms-excel\.sheet\.macroEnabled)\.main\+xml",
        re.IGNORECASE,
    ),
}
OOXML_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>", re.IGNORECASE)
OOXML_ATTRIBUTE = re.compile(rb'\b(PartName|ContentType)\s*=\s*["\']([^"\']*)["\']', re.IGNORECASE)


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
# Where a literal string or comment starts, or the keyword that starts stream data (after the
# stream's dictionary and white space, so never the tail of "endstream").
PDF_TOKEN = re.compile(rb"[(%]|(?<=[\s>])stream\r?\n")
PDF_STRING_CHAR = re.compile(rb"[()\\]")
PDF_INFLATE_MAX = 64 * 1024 * 1024
PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm(?![A-Za-z0-9])")
# The filters named in a stream's dictionary (/Filter /FlateDecode or /Filter [/A85 /FlateDecode]).
PDF_FILTER = re.compile(
    rb"(?<=/)(FlateDecode|Fl|ASCIIHexDecode|AHx|ASCII85Decode|A85|LZWDecode|LZW|"
    rb"RunLengthDecode|RL|CCITTFaxDecode|CCF|DCTDecode|DCT|JBIG2Decode|JPXDecode|Crypt)"
    rb"(?![A-Za-z0-9])"
)


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
        kind = _ooxml_kind(upload)
        upload.seek(0)
    return kind


def _ooxml_kind(upload) -> str | None:
    """docx/pptx/xlsx by the package's main part: its usual name, else the content type of an
    Override in [Content_Types].xml whose part exists (Word for the web: word/document2.xml)."""
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            lowered = {name.lower() for name in names}  # part names are case-insensitive
            kind = next((k for k, part in OOXML_PARTS.items() if part in names), None)
            if kind is not None or "[Content_Types].xml" not in names:
                return kind
            with package.open("[Content_Types].xml") as part:
                types = part.read(CONTENT_TYPES_MAX)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, zlib.error):
        return None
    found = set()
    for tag in OOXML_OVERRIDE.findall(types):
        attributes = {
            key.decode().lower(): value.decode("utf-8", "replace")
            for key, value in OOXML_ATTRIBUTE.findall(tag)
        }
        if attributes.get("partname", "").lstrip("/").lower() not in lowered:
            continue
        content_type = attributes.get("contenttype", "")
        found |= {k for k, pattern in OOXML_MAIN_TYPES.items() if pattern.fullmatch(content_type)}
    return found.pop() if len(found) == 1 else None


# What a ".doc" often is when it is not a Word 97 file: formats Word and WPS open and keep when they
# save it again. Not accepted (RTF can embed OLE objects and fields that fetch, a web page can hold
# scripts), but named, so the uploader knows to save it as DOCX or PDF.
WORD_SAVED_AS = (
    (re.compile(rb"\A\s*\{\\rtf", re.IGNORECASE), "RTF"),
    (re.compile(rb"\A\s*MIME-Version:", re.IGNORECASE), "MHTML"),
    (
        re.compile(rb"\A\s*<\?xml[^>]*>\s*<\?mso-application\s+progid=\"Word\.Document\"", re.I),
        "Word 2003 XML",
    ),
    (
        re.compile(rb"\A\s*(?:<!--.*?-->\s*)?<(?:!DOCTYPE\s+html|html)\b", re.I | re.S),
        "HTML",
    ),
)


def word_saved_as(upload) -> str | None:
    """The name of the format a .doc/.wps that is no OLE file is really in (WORD_SAVED_AS), or None."""
    upload.seek(0)
    head = upload.read(4096).removeprefix(b"\xef\xbb\xbf")
    upload.seek(0)
    return next((name for pattern, name in WORD_SAVED_AS if pattern.match(head)), None)


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
    if kind is None and suffix in KINDS["ole"][0] and (legacy := word_saved_as(upload)):
        raise DocumentRejected(
            _(
                "这个 .%(suffix)s 文件实际是 %(format)s 格式（常见于网上下载的模板），"
                "请在 WPS 或 Word 中“另存为” DOCX 或 PDF 后再上传。"
            )
            % {"suffix": suffix, "format": legacy},
            code="attachment_content",
        )
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
    scan(upload)
    return KINDS[kind][1]


def scan(upload) -> None:
    """Run settings.PARTY_DOCUMENTS_SCAN_COMMAND (e.g. ClamAV's `clamdscan --no-summary -`) with
    the file on its standard input, when it is set. Exit status as ClamAV's: 0 clean, 1 a virus
    found (refused: attachment_virus); anything else, no answer within
    PARTY_DOCUMENTS_SCAN_TIMEOUT seconds or a command that cannot start refuses the file as not
    scanned (attachment_unscanned): a file is never let through unscanned when a scanner is
    configured."""
    command = settings.PARTY_DOCUMENTS_SCAN_COMMAND
    if not command:
        return
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    try:
        result = subprocess.run(  # noqa: S603 — the command is the operator's setting, no shell
            list(command),
            input=content,
            capture_output=True,
            timeout=settings.PARTY_DOCUMENTS_SCAN_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        result = None
    if result is not None and result.returncode == 0:
        return
    if result is not None and result.returncode == 1:
        raise DocumentRejected(
            _("附件未通过病毒扫描，已拒收。请用杀毒软件检查原文件后重新上传。"),
            code="attachment_virus",
        )
    raise DocumentRejected(
        _("附件暂时无法完成病毒扫描，未保存，请稍后再上传。"), code="attachment_unscanned"
    )


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


def _pdf_string_end(data: bytes, position: int) -> int:
    """The index just after the literal string opening at data[position] ("("): parentheses nest,
    a backslash escapes the next byte; an unclosed string runs to the end."""
    depth = 0
    while (match := PDF_STRING_CHAR.search(data, position)) is not None:
        position = match.end()
        if match[0] == b"\\":
            position += 1
        elif match[0] == b"(":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return position
    return len(data)


def _pdf_parts(data: bytes):
    """Split a PDF into what lies outside stream data (its objects' dictionaries, arrays, strings
    and comments) and its streams as (dictionary, start, end). Literal strings and comments are
    skipped over as the format reads them, so a "stream" written inside one does not hide what
    follows; a stream ends at the first `endstream` after its start (or the end of the file)."""
    outside, streams, position = [], [], 0
    while (match := PDF_TOKEN.search(data, position)) is not None:
        if match[0] == b"(":
            stop = _pdf_string_end(data, match.start())
            outside.append(data[position:stop])
            position = stop
            continue
        if match[0] == b"%":
            stop = data.find(b"\n", match.end())
            stop = len(data) if stop < 0 else stop
            outside.append(data[position:stop])
            position = stop
            continue
        outside.append(data[position : match.start()])
        head = data[max(position, match.start() - 2048) : match.start()].rsplit(b" obj", 1)[-1]
        stop = data.find(b"endstream", match.end())
        stop = len(data) if stop < 0 else stop
        streams.append(
            (PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), head), match.end(), stop)
        )
        position = stop
    outside.append(data[position:])
    return b"".join(outside), streams


def _pdf_active(upload) -> bool | None:
    """True when a name /JavaScript, /JS or /Launch appears where a PDF keeps names that act: in
    the objects outside stream data, or inside an object stream (/Type /ObjStm, where PDF 1.5+
    keeps dictionaries), Flate-inflated when compressed; #xx escapes in names are decoded.

    The bytes of other streams (page content, images, fonts, ICC profiles) are not read: no action
    lives there, and their bytes are pixels, glyphs or compressed data in which "/JS" followed by
    a space turns up by chance (about once in every 22 MB of such bytes), which refused ordinary
    scans. An object stream compressed by any filter but Flate, or more than PDF_INFLATE_MAX
    inflated in all, is refused (None) rather than left unread; one that does not inflate
    (encrypted with an owner password, as some exports are) is passed over, as before."""
    upload.seek(0)
    data = upload.read()
    outside, streams = _pdf_parts(data)
    if _pdf_names_active(outside):
        return True
    view, budget = memoryview(data), PDF_INFLATE_MAX
    for head, start, end in streams:
        if not PDF_OBJECT_STREAM.search(head):
            continue
        filters = PDF_FILTER.findall(head)
        if not filters:
            body = data[start:end]
        elif filters == [b"FlateDecode"]:
            try:
                body = zlib.decompressobj().decompress(view[start:end], budget + 1)
            except zlib.error:
                continue  # encrypted (or broken) data: as unreadable to a viewer without a key
        else:
            return None
        budget -= len(body)
        if budget < 0:
            return None
        if _pdf_names_active(body):
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
