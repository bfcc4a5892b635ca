"""Raw SQL for the hottest request paths (progress heartbeats, exam answers): a prepared-statement
cursor on PostgreSQL and the conversions of values read by raw SQL.

Not a layer of learning/: progress and quizzes both use it, and it imports no app.
"""

import json
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Aggregate, JSONField
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def db_datetime(value) -> datetime | None:
    """A datetime column read by raw SQL: aware on PostgreSQL, naive UTC (or text) on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def db_json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


class JSONArrayAgg(Aggregate):
    """The grouped values as one JSON array (NULL when there are none): `jsonb_agg` on
    PostgreSQL, `json_group_array` on SQLite. Django 5.2 has no portable one (ArrayAgg and
    JSONBAgg are PostgreSQL's only); with JSONObject it lets a hot path read a few small child
    lists in the parent's row instead of one statement each. Order the items in Python."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def postgresql() -> bool:
    return connection.vendor == "postgresql"


@cache
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, and every statement prepared (the server plans it once)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


@contextmanager
def hot_cursor():
    """A cursor for the statements every heartbeat and every answer save runs.

    On PostgreSQL it binds parameters on the server and prepares each statement once per
    connection, so the server stops planning it on every heartbeat (~0.1 ms a statement here);
    Django's own cursors bind on the client and prepare nothing. Behind PgBouncer in transaction
    mode this needs PgBouncer 1.21+ with max_prepared_statements set (docs/deploy.md). The cursor
    is wrapped like Django's own, so query logging and assertNumQueries see it.
    """
    if not postgresql():
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = _prepared_cursor_class()(connection.connection)
    wrapper = CursorDebugWrapper if connection.queries_logged else CursorWrapper
    try:
        yield wrapper(raw, connection)
    finally:
        raw.close()
