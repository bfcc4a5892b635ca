"""The sheets a roster import hands out: the empty template and the initial passwords."""

import secrets
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook

from learning.classes.roster.reading import HEADERS


@dataclass
class InitialPassword:
    """A new account's random first password: shown once to the importer, never stored in clear."""

    student_no: str
    name: str
    password: str


# No 0/O, 1/l/I: the sheet is printed and typed in by hand. 12 of 55 symbols ≈ 69 bits.
PASSWORD_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
PASSWORD_LENGTH = 12


def initial_password_generate() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def roster_template() -> bytes:
    """An empty roster with the expected headers and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学员名单"
    sheet.append([HEADERS[key][0] for key in HEADERS])
    sheet.append(
        ["张三", "2023010101", "计算机学院", "本科生第一党支部", "入党积极分子", "13800000000"]
    )
    sheet.freeze_panes = "A2"  # the header stays in view while the trainer fills in rows
    for column, width in zip("ABCDEF", (10, 16, 20, 22, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def initial_password_sheet(passwords: list[InitialPassword]) -> bytes:
    """The sheet of new accounts' initial passwords, for the trainer to hand out (and then destroy)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "初始密码"
    sheet.append(["姓名", "学号/工号（用户名）", "初始密码"])
    sheet.freeze_panes = "A2"
    for entry in passwords:
        sheet.append([entry.name, entry.student_no, entry.password])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # a name like "=1+1" stays text, never a formula
    sheet.append([])
    sheet.append(["首次登录后必须修改密码。本表只能下载一次，分发后请销毁。"])
    for column, width in zip("ABC", (12, 22, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
