"""Question banks to and from Excel: header synonyms, every bad row reported, all-or-nothing import.

Files are read by tabular (.xlsx/.xls/.csv, caps, header row found, bracketed units).

- columns.py: the sheet's vocabulary (column names and their synonyms, type and difficulty names);
- reading.py: recognising the file and the import (`parse_file`, `import_questions`);
- rows.py: one row to one question (`row_question`, `split_options`, `RowError`);
- template.py: the template and the export (`template_xlsx`, `export_xlsx`, `answer_cell`).

The names below are the package's interface: `from learning.quizzes import excel`.
"""

from learning.quizzes.excel.columns import (
    COLUMN_LABELS,
    DEFAULT_SCORE,
    DIFFICULTY_EXPORT_NAMES,
    DIFFICULTY_SYNONYMS,
    EXPORT_COLUMNS,
    HEADER_SYNONYMS,
    MAX_SCORE,
    REQUIRED_COLUMNS,
    TYPE_EXPORT_NAMES,
    TYPE_SYNONYMS,
)
from learning.quizzes.excel.reading import ImportResult, import_questions, parse_file
from learning.quizzes.excel.rows import RowError, row_question, split_options
from learning.quizzes.excel.template import HEADER, answer_cell, export_xlsx, template_xlsx

__all__ = [
    "COLUMN_LABELS",
    "DEFAULT_SCORE",
    "DIFFICULTY_EXPORT_NAMES",
    "DIFFICULTY_SYNONYMS",
    "EXPORT_COLUMNS",
    "HEADER",
    "HEADER_SYNONYMS",
    "MAX_SCORE",
    "REQUIRED_COLUMNS",
    "TYPE_EXPORT_NAMES",
    "TYPE_SYNONYMS",
    "ImportResult",
    "RowError",
    "answer_cell",
    "export_xlsx",
    "import_questions",
    "parse_file",
    "row_question",
    "split_options",
    "template_xlsx",
]
