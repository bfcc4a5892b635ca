"""The indexes a new ledger entry and a new attendance row write (docs/performance.md, QR
check-in): the ledger's mostly-empty links are indexed only where set, and an attendance's meeting
has no index of its own beside the unique (meeting, member) one. Each index left out is one write
fewer per QR check-in (PostgreSQL: 19 → 14 WAL records per check-in; SQLite: 15 → 10 index and
table pages written to the WAL at commit)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        return {name: (sql or "").replace('"', "").lower() for name, sql in cursor.fetchall()}


def on_columns(definitions: dict[str, str], *columns: str) -> list[str]:
    wanted = f"({', '.join(columns)})"
    return [sql for sql in definitions.values() if wanted in sql.split(" where ")[0]]


@pytest.mark.parametrize(
    "column", ["granted_by_id", "training_class_id", "lesson_id", "corrects_id"]
)
def test_a_ledger_link_is_indexed_only_where_set(column):
    found = on_columns(index_definitions("progress_hoursledgerentry"), column)
    assert len(found) == 1, found
    assert f"where ({column} is not null)" in found[0] or f"where {column} is not null" in found[0]


def test_the_ledger_keeps_its_full_indexes():
    definitions = index_definitions("progress_hoursledgerentry")
    assert on_columns(definitions, "user_id") and on_columns(definitions, "created_at")


def test_an_attendance_s_meeting_is_served_by_the_unique_index():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "meetings_attendance")
    indexes = [c["columns"] for c in found.values() if c["index"] or c["unique"]]
    assert ["meeting_id"] not in indexes
    assert ["meeting_id", "member_id"] in indexes
