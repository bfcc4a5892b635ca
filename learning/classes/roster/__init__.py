"""Trainee roster import: columns by header, every bad row reported, all or nothing.

Every trainee is linked to their member record (learning.classes.membership): a new one gets a
member in the tree's 党支部 with a history from the row's stage; a row may not change the stage of
a person whose documented history says otherwise. Files are read by tabular (.xlsx/.xls/.csv, size and row caps, header row found). Before
anything is written the plan names the 学院/党支部 the import would create, with near-matches to
existing names (a typo is not silently a new branch); the user confirms them.
"""

from learning.classes.roster.importing import (
    ImportResult,
    NewName,
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
    "NewName",
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
