"""Reading a spreadsheet upload as 党校 staff make them: .xlsx, .xls or .csv (UTF-8 or GBK).

- Hostile until checked: the upload size, the unpacked size of an .xlsx and the number of rows are
  capped (settings IMPORT_MAX_*), and .xlsx rows are streamed read-only.
- The header row is found by scanning the first rows (merged title rows and 填写说明 above it are
  common), headers are matched after dropping units and notes in brackets (分值（分）, 难度(1-3)) and
  required-column stars, and every column that is not used is named.
- A file that cannot be read is refused with a message naming its format and how to save it as .xlsx.

Libraries: openpyxl (xlsx), xlrd (the only maintained reader of the old binary .xls format),
charset detection is not guessed: UTF-8 (with or without BOM) is tried first, then GB18030, the
superset of GBK that Excel and WPS in China write.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

HEADER_SCAN_ROWS = 20
MAX_COLUMNS = 100

XLSX, XLS, CSV = "xlsx", "xls", "csv"
FORMAT_LABELS = {XLSX: "Excel 工作簿（.xlsx）", XLS: "Excel 97-2003 工作簿（.xls）", CSV: "CSV"}


class TableError(ValueError):
    """The file cannot be read as a table; the message says why and what to do.

    `missing` names the required columns (keys) absent from the header found at `row`.
    """

    def __init__(self, message: str, *, row: int | None = None, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.row = row
        self.missing = missing


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


class CappedErrors(list):
    """A list of errors that keeps the first IMPORT_MAX_LISTED_ERRORS and counts the rest."""

    def __init__(self, *args, limit: int | None = None):
        super().__init__(*args)
        self.limit = settings.IMPORT_MAX_LISTED_ERRORS if limit is None else limit
        self.total = len(self)

    def append(self, item) -> None:
        self.total += 1
        if len(self) < self.limit:
            super().append(item)

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    @property
    def omitted(self) -> int:
        return self.total - len(self)


def header_key(text) -> str:
    """A header as compared: full-width folded, no spaces, stars or bracketed units/notes."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"[(\[【<《].*?[)\]】>》]", "", text)
    text = re.sub(r"[\s*※:]", "", text)
    return text.upper()


def cell_text(value) -> str:
    """A cell as text: numbers typed in Excel (学号 2023001.0) lose the .0, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "正确" if value else "错误"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").replace("\xa0", " ").strip()


@dataclass
class Table:
    format: str
    header_row: int  # 1-based row number of the header in the sheet
    columns: dict[str, int]  # key → 0-based column index
    headers: dict[str, str]  # key → the header as written in the file
    ignored: list[str] = field(default_factory=list)  # headers of columns not used
    rows: Iterator[tuple[int, dict[str, str]]] = iter(
        ()
    )  # (row number, {key: text}), blanks skipped

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]


def read_table(
    file, *, synonyms: dict[str, tuple[str, ...]], required: tuple[str, ...] = ()
) -> Table:
    """The table of the first sheet, or TableError with a reason a clerk can act on."""
    data = upload_bytes(file)
    kind = _sniff(data, getattr(file, "name", "") or "")
    if kind == XLSX:
        raw_rows = _xlsx_rows(data)
    elif kind == XLS:
        raw_rows = _xls_rows(data)
    else:
        raw_rows = _csv_rows(data)
    return _table(kind, raw_rows, synonyms, required)


def upload_bytes(file) -> bytes:
    limit = max_upload_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise TableError(_("文件过大（最大 %(mb)s MB），请分成几个文件导入。") % {"mb": _mb(limit)})
    if not data:
        raise TableError(_("文件是空的。"))
    return data


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:g}"


def _save_as_hint() -> str:
    return _(
        "请在 Excel 或 WPS 中打开，选择“文件 → 另存为”，保存类型选“Excel 工作簿（*.xlsx）”后再上传。"
    )


def _sniff(data: bytes, name: str) -> str:
    head = data[:512].lstrip()
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return XLS
    lowered = head[:100].lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"\xef\xbb\xbf<")) or (
        lowered.startswith(b"<?xml") and b"<html" in data[:2048].lower()
    ):
        raise TableError(
            _("这是网页（HTML）格式的表格，并不是真正的 Excel 文件（有些系统导出的 .xls 是这样）。")
            + _save_as_hint()
        )
    if lowered.startswith(b"<?xml"):
        raise TableError(_("这是 XML 电子表格（Excel 2003 XML）格式，无法读取。") + _save_as_hint())
    if data.startswith(b"%PDF"):
        raise TableError(_("这是 PDF 文件，不是表格。") + _save_as_hint())
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        raise TableError(
            _("无法识别的文件格式（%(suffix)s）。") % {"suffix": suffix or _("无扩展名")}
            + _save_as_hint()
        )
    return CSV


# --- .xlsx ---------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TableError(_("文件已损坏，无法作为 .xlsx 读取。") + _save_as_hint()) from exc
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise TableError(
            _("文件解压后过大（%(size)s MB，最大 %(mb)s MB），请删去无关的工作表或分成几个文件。")
            % {"size": _mb(unpacked // (1024 * 1024) * 1024 * 1024), "mb": _mb(limit)}
        )
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        if any(n.startswith("word/") for n in names):
            raise TableError(_("这是 Word 文档，不是表格。") + _save_as_hint())
        raise TableError(_("这不是 Excel 工作簿（.xlsx）。") + _save_as_hint())
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise TableError(_("文件已损坏，无法作为 .xlsx 读取。") + _save_as_hint()) from exc

    def rows():
        try:
            sheet = workbook.worksheets[0]
            yield from sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        finally:
            workbook.close()

    return rows()


# --- .xls ----------------------------------------------------------------------------------------


def _xls_rows(data: bytes) -> Iterator[tuple]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd.XLRDError, CompoundDocError, struct errors…
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00" in data[:65536]:
            raise TableError(
                _("文件设置了打开密码，无法读取。请取消密码后另存为 .xlsx 再上传。")
            ) from exc
        raise TableError(
            _("无法读取这个 Excel 97-2003（.xls）文件（可能是 WPS 的 .et 或已损坏）。")
            + _save_as_hint()
        ) from exc
    sheet = book.sheet_by_index(0)

    def rows():
        try:
            for index in range(sheet.nrows):
                cells = sheet.row_values(index, end_colx=min(sheet.ncols, MAX_COLUMNS))
                yield tuple(cells)
        finally:
            book.release_resources()

    return rows()


# --- .csv ----------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[tuple]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise TableError(
                _("无法识别 CSV 文件的文字编码（应为 UTF-8 或 GBK）。") + _save_as_hint()
            )
    sample = text[:4096]
    delimiter = max((",", "\t", ";"), key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return (tuple(row[:MAX_COLUMNS]) for row in reader)


# --- header and rows ----------------------------------------------------------------------------


def _table(kind, raw_rows, synonyms, required) -> Table:
    lookup = {header_key(name): key for key, names in synonyms.items() for name in names}
    limit = max_rows()
    scanned: list[tuple] = []
    best = (0, -1, {})  # (matched columns, row index, {key: index})
    for raw in raw_rows:
        scanned.append(raw)
        columns: dict[str, int] = {}
        for index, cell in enumerate(raw):
            key = lookup.get(header_key(cell_text(cell)))
            if key and key not in columns:
                columns[key] = index
        if len(columns) > best[0]:
            best = (len(columns), len(scanned) - 1, columns)
        if len(scanned) >= HEADER_SCAN_ROWS or (
            columns and all(k in columns for k in required) and len(columns) >= 2
        ):
            break
    if not scanned:
        raise TableError(_("文件是空的。"))
    matched, header_index, columns = best
    missing = [k for k in required if k not in columns]
    if missing:
        names = "、".join("/".join(synonyms[k]) for k in missing)
        if matched == 0:
            raise TableError(
                _("按 %(format)s 读取，在前 %(n)s 行中没有找到表头（应有列：%(names)s）。")
                % {
                    "format": FORMAT_LABELS[kind],
                    "n": HEADER_SCAN_ROWS,
                    "names": "、".join(synonyms[k][0] for k in required),
                }
                + _("请确认上传的是正确的表格。")
                + _save_as_hint(),
                missing=tuple(missing),
            )
        raise TableError(
            _("第 %(row)s 行的表头缺少「%(names)s」列。")
            % {"row": header_index + 1, "names": names},
            row=header_index + 1,
            missing=tuple(missing),
        )
    header = scanned[header_index]
    used = set(columns.values())
    ignored = [
        cell_text(cell)
        for index, cell in enumerate(header)
        if index not in used and cell_text(cell)
    ]
    headers = {key: cell_text(header[index]) for key, index in columns.items()}
    remaining = scanned[header_index + 1 :]

    def rows():
        count = blanks = 0
        number = header_index + 1
        for raw in _chain(remaining, raw_rows):
            number += 1
            values = {
                key: cell_text(raw[index]) if index < len(raw) else ""
                for key, index in columns.items()
            }
            if not any(values.values()):
                # Blank lines between blocks are common in hand-made sheets; WPS also writes
                # thousands of formatted empty rows. Past many blanks the sheet has ended.
                blanks += 1
                if blanks > 10 * limit:
                    return
                continue
            count += 1
            if count > limit:
                raise TableError(
                    _("文件超过 %(limit)s 行数据，请分成几个文件导入。") % {"limit": limit}
                )
            yield number, values

    return Table(
        format=kind,
        header_row=header_index + 1,
        columns=columns,
        headers=headers,
        ignored=ignored,
        rows=rows(),
    )


def _chain(first, rest):
    yield from first
    yield from rest
