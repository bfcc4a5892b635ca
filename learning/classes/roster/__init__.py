"""Trainee roster import: columns by header, every bad row reported, all or nothing (issue 15).

Every row names an existing 党支部 of the Party tree (units: 学院 → 院系党委, 党支部 → its branch;
an import never creates a unit) that the importer may import into; the trainee is linked to the
member record of their 学号, which must be in that 党支部 and at that stage, or gets a new one
there with a documented history (importing). Files are read by tabular (.xlsx/.xls/.csv, size and
row caps, header row found: reading). The sheets it hands out are in sheets.
"""

from learning.classes.roster.importing import (
    ImportResult,
    RosterPlan,
    roster_plan,
    roster_upload_run,
    trainee_account_create,
    trainees_import,
)
from learning.classes.roster.reading import (
    HEADERS,
    POLITICAL_STATUS_WORDS,
    RosterError,
    RosterRow,
    RowError,
    roster_parse,
    roster_read,
)
from learning.classes.roster.sheets import (
    PASSWORD_ALPHABET,
    PASSWORD_LENGTH,
    InitialPassword,
    initial_password_generate,
    initial_password_sheet,
    roster_template,
)

__all__ = [
    "HEADERS",
    "PASSWORD_ALPHABET",
    "PASSWORD_LENGTH",
    "POLITICAL_STATUS_WORDS",
    "ImportResult",
    "InitialPassword",
    "RosterError",
    "RosterPlan",
    "RosterRow",
    "RowError",
    "initial_password_generate",
    "initial_password_sheet",
    "roster_parse",
    "roster_plan",
    "roster_read",
    "roster_template",
    "roster_upload_run",
    "trainee_account_create",
    "trainees_import",
]
