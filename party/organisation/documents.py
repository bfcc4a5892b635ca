"""Files people upload to the Party apps (meeting attachments, the documents of a member's path):
the one check of what a file is — read from its content, never from its name alone — and of its
size, and the private storage that keeps member documents out of MEDIA_URL.

A file passes when its content is one of the kinds allowed for the place it is uploaded to AND its
name's extension belongs to that kind (a PDF named .docx is refused as well as an .exe named .pdf).
"""

import zipfile
from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage
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
    return KINDS[kind][1]


class PrivateDocumentStorage(FileSystemStorage):
    """Files under settings.PARTY_DOCUMENTS_ROOT, outside MEDIA_ROOT: nothing serves them but the
    views that check scope and write the access log, so there is no URL to hand out."""

    def __init__(self):
        super().__init__(location=settings.PARTY_DOCUMENTS_ROOT, base_url=None)

    def url(self, name):
        raise ValueError("Party documents have no public URL: serve them through their view.")


@cache
def private_storage() -> PrivateDocumentStorage:
    return PrivateDocumentStorage()
