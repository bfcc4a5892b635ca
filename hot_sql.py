"""SQL for the hottest request paths (progress heartbeats, exam answers, API token lookups,
meeting check-ins): a prepared-statement cursor on PostgreSQL, querysets compiled once and run with
new values (PreparedRead), rows inserted without the ORM's per-call query building (insert_row,
insert_after), and the conversions of values read by raw SQL.

A top-level module that imports no app (tests/test_hot_sql.py checks it): learning, party and cms
all use it, and it is the one implementation of each of these techniques."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from django.db import connections, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Aggregate, JSONField, QuerySet
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


def postgresql(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


@cache
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, and every statement prepared (the server plans it once)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a prepared statement (DEBUG, tests' query capture) as Django logs its own: with its
    parameters put in, composed on the client (psycopg keeps no text of a prepared execution)."""

    def execute(self, sql, params=None):
        shown = self.db.ops.compose_sql(sql, params) if params else sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def hot_cursor(using: str = "default"):
    """A cursor for the statements every heartbeat and every answer save runs.

    On PostgreSQL it binds parameters on the server and prepares each statement once per
    connection, so the server stops planning it on every heartbeat (~0.1 ms a statement here);
    Django's own cursors bind on the client and prepare nothing. Behind PgBouncer in transaction
    mode this needs PgBouncer 1.21+ with max_prepared_statements set (docs/deploy.md). The cursor
    is wrapped like Django's own, so query logging and assertNumQueries see it.
    """
    db = connections[using]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            yield cursor
        return
    db.ensure_connection()
    raw = _prepared_cursor_class()(db.connection)
    wrapper = _PreparedDebugWrapper if db.queries_logged else CursorWrapper
    try:
        yield wrapper(raw, db)
    finally:
        raw.close()


# --- a queryset compiled once, run with new values (PreparedRead) --------------------------------
# Building and compiling a queryset with subqueries costs the ORM milliseconds each time; the SQL it
# produces is the same for every call but its parameters. A PreparedRead builds the queryset once
# per database with a marker value for each argument, finds where each marker lands among the
# compiled parameters, and later runs that SQL with the real values put in their place (through
# hot_cursor: on PostgreSQL the server also plans it once per connection). The queryset stays the
# one definition (no hand-written copy of a rule): only its compilation is reused. Used by the
# check-in (a hall of 300 scanning at once, issue 16) and the API token lookup (every API request).

# Values no real row or argument takes; each must come out of compilation as itself (ints) or
# as the database's form of the date (connection.ops.adapt_datefield_value). The ints are inside a
# 32-bit column's range: Django compiles an out-of-range integer lookup to "nothing matches".
_INT_MARKERS = (-2_073_100_001, -2_073_100_002, -2_073_100_003, -2_073_100_004)
_DATE_MARKERS = (date(1901, 2, 3), date(1902, 3, 4))
_STR_MARKERS = ("!hot-sql-marker-1!", "!hot-sql-marker-2!")
_DATETIME_MARKERS = (
    datetime(1903, 4, 5, 6, 7, 8, tzinfo=UTC),
    datetime(1904, 5, 6, 7, 8, 9, tzinfo=UTC),
)


class PreparedRead:
    """`build(**kwargs)` returns a values_list() queryset; its arguments are ints, dates, aware
    datetimes or strings (named in `ints`, `dates`, `datetimes` and `strs`). rows(**kwargs) returns
    its rows as tuples, each column converted as the ORM converts it (e.g. a datetime read from
    SQLite); sql(**kwargs) the statement and its parameters, to be used inside another. Compiling
    refuses a queryset in which a marker does not come out as exactly one parameter of its own."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        ints: tuple[str, ...] = (),
        dates: tuple[str, ...] = (),
        datetimes: tuple[str, ...] = (),
        strs: tuple[str, ...] = (),
    ):
        if (
            len(ints) > len(_INT_MARKERS)
            or len(dates) > len(_DATE_MARKERS)
            or len(datetimes) > len(_DATETIME_MARKERS)
            or len(strs) > len(_STR_MARKERS)
        ):
            raise ValueError("too many arguments for the markers")
        self._build, self._ints, self._dates, self._strs = build, ints, dates, strs
        self._datetimes = datetimes
        self._compiled: dict[tuple, tuple[str, list, list]] = {}

    def _compile(self, key: tuple, using: str) -> tuple[str, list, list]:
        ops = connections[using].ops
        markers = dict(zip(self._ints, _INT_MARKERS, strict=False))
        markers.update(zip(self._dates, _DATE_MARKERS, strict=False))
        markers.update(zip(self._strs, _STR_MARKERS, strict=False))
        markers.update(zip(self._datetimes, _DATETIME_MARKERS, strict=False))
        compiler = self._build(*key[2:], **markers).query.get_compiler(using)
        sql, params = compiler.as_sql()
        # [(column, [converter, …], expression)] as the ORM applies them to each row.
        converters = [
            (i, fns, expr)
            for i, (fns, expr) in compiler.get_converters(
                [col for col, _sql, _alias in compiler.select]
            ).items()
        ]
        by_value = {v: name for name, v in markers.items() if name in self._ints + self._strs}
        by_value.update({ops.adapt_datefield_value(markers[name]): name for name in self._dates})
        by_value.update(
            {ops.adapt_datetimefield_value(markers[name]): name for name in self._datetimes}
        )
        # Each slot is ("arg", name) or ("const", value).
        # (An argument a variant does not use, e.g. the unit of a 谈心谈话, is simply absent.)
        slots = []
        for p in params:
            name = by_value.get(p) if isinstance(p, int | str | date) else None
            slots.append(("arg", name) if name is not None else ("const", p))
            if isinstance(p, str) and p.startswith("!hot-sql-marker") and name is None:
                raise ValueError(f"a marker inside a parameter: {p!r}")
        compiled = (sql, slots, converters)
        self._compiled[key] = compiled
        return compiled

    def _sql(self, variant: tuple, using: str, values: dict) -> tuple[str, list, list]:
        connection = connections[using]
        key = (using, connection.vendor, *variant)
        sql, slots, converters = self._compiled.get(key) or self._compile(key, using)
        ops = connection.ops
        params = []
        for kind, value in slots:
            if kind == "const":
                params.append(value)
            elif value in self._dates:
                params.append(ops.adapt_datefield_value(values[value]))
            elif value in self._datetimes:
                params.append(ops.adapt_datetimefield_value(values[value]))
            else:
                params.append(values[value])
        return sql, params, converters

    def sql(self, *variant, using: str = "default", **values) -> tuple[str, list]:
        """The compiled statement and its parameters for these values (as rows() runs it), to be
        used as a subquery of another statement."""
        sql, params, _converters = self._sql(variant, using, values)
        return sql, params

    def rows(self, *variant, using: str = "default", **values) -> list[tuple]:
        """`variant`: positional arguments that change the SQL's shape (e.g. a meeting kind),
        compiled once each; `values`: the int, date, datetime and string arguments."""
        connection = connections[using]
        sql, params, converters = self._sql(variant, using, values)
        with hot_cursor(using) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for i, fns, expr in converters:
                    for fn in fns:
                        row[i] = fn(row[i], expr, connection)
            rows = [tuple(row) for row in rows]
        return rows


_INSERTS: dict[tuple, tuple[list, frozenset, str, list]] = {}
# insert_after's statements, built once per first statement and models of the rows after it.
_WITH_SQL: dict[tuple, str] = {}


def _insert_sql(model, connection) -> tuple[list, frozenset, str, list]:
    """The fields, their attnames, the INSERT of `model` on `connection`'s database and, per
    field, the type of a value passed as it is (_passed_as_is), built once."""
    key = (model, connection.vendor)
    if key not in _INSERTS:
        qn = connection.ops.quote_name
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.pk]
        _INSERTS[key] = (
            fields,
            frozenset(f.attname for f in fields),
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}",
            [_passed_as_is(f, connection.vendor) for f in fields],
        )
    return _INSERTS[key]


# insert_row's calls collected by deferred_inserts() instead of run: [(model, params)].
_deferred: ContextVar[list | None] = ContextVar("prepared_deferred_inserts", default=None)


@dataclass(frozen=True, slots=True)
class FirstRowColumn:
    """A value of a row collected by deferred_inserts that insert_after takes from the first
    statement's RETURNING (e.g. the id of a member the first statement chose), not from Python."""

    column: str


# Field classes (exactly these, not subclasses, which may prepare values their own way) whose
# get_db_prep_save gives back a value of the named Python type unchanged: such a value (or None) is
# passed as it is, without the field's preparation calls — the same parameter. Not integers on
# PostgreSQL, where Django wraps each in psycopg's Int2/Int4/Int8 for the column's type (a prepared
# statement's parameter types then stay the same whatever the number). tests/test_hot_sql.py
# compares every case with get_db_prep_save.
_PASSED_AS_IS = {
    models.AutoField: int,
    models.BigAutoField: int,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
}


def _passed_as_is(field, vendor: str) -> type | None:
    """The Python type a value of `field` may have to be its own database parameter."""
    if type(field) is models.ForeignKey:
        field = field.target_field
    as_is = _PASSED_AS_IS.get(type(field))
    return None if as_is is int and vendor == "postgresql" else as_is


def _row_params(model, values: dict, connection) -> list:
    fields, attnames, _sql, passed_as_is = _insert_sql(model, connection)
    if not values.keys() <= attnames:
        raise ValueError(f"not fields of {model._meta.label}: {sorted(set(values) - attnames)}")
    params = []
    for f, as_is in zip(fields, passed_as_is, strict=True):
        value = values[f.attname] if f.attname in values else f.get_default()
        if value is None or type(value) is as_is or isinstance(value, FirstRowColumn):
            params.append(value)
        else:
            params.append(f.get_db_prep_save(value, connection))
    return params


def insert_row(model, **values) -> int | None:
    """One INSERT of a new `model` row returning its id: `values` by attname, every other field its
    default, each prepared for the database by its field as the ORM's save does; for append-only
    rows written on a hot path, without the ORM's per-call query building. No save() and no
    signals: only for models whose save() adds nothing to a new row, whose post_save nobody needs
    and which Wagtail's reference index ignores (the callers say so). Inside deferred_inserts()
    the row is only collected (None is returned): insert_after writes it."""
    connection = connections["default"]
    params = _row_params(model, values, connection)
    deferred = _deferred.get()
    if deferred is not None:
        deferred.append((model, params))
        return None
    if any(isinstance(p, FirstRowColumn) for p in params):
        raise ValueError("a FirstRowColumn value is only for rows written by insert_after")
    with hot_cursor() as cursor:
        cursor.execute(_insert_sql(model, connection)[2], params)
        return cursor.fetchone()[0]


@contextmanager
def deferred_inserts() -> Iterator[list]:
    """The insert_row() calls made inside are collected, not run (for insert_after)."""
    rows: list = []
    token = _deferred.set(rows)
    try:
        yield rows
    finally:
        _deferred.reset(token)


def insert_after(first_sql: str, first_params: list, rows: list) -> tuple | None:
    """PostgreSQL: `first_sql` — an INSERT … RETURNING id[, …] that may insert nothing (ON
    CONFLICT DO NOTHING, or an INSERT … SELECT that selects nothing) — and the collected `rows`
    (deferred_inserts), each written only when the first one was, as ONE statement
    (data-modifying WITH queries): one round trip instead of one per row, and in autocommit no
    BEGIN and COMMIT of their own (a statement is its own transaction, committed as durably as
    any). A value given as FirstRowColumn(name) is the first row's RETURNING column `name`. The
    first row's RETURNING values, or None when it inserted nothing (then neither did the
    others)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        raise NotImplementedError("data-modifying WITH queries are PostgreSQL's")
    models = tuple(model for model, _row in rows)
    # Which values come from the first row is part of the statement's shape.
    taken = tuple(
        tuple((i, p.column) for i, p in enumerate(row) if isinstance(p, FirstRowColumn))
        for _model, row in rows
    )
    key = (first_sql, models, taken)
    sql = _WITH_SQL.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        parts = [f"first_row AS ({first_sql})"]
        for n, (model, from_first) in enumerate(zip(models, taken, strict=True)):
            fields = _insert_sql(model, connection)[0]
            from_first = dict(from_first)
            # Typed by the column's type (without its length: a value too long still fails as in
            # a plain INSERT, where a cast to varchar(n) would cut it); SELECT … FROM first_row:
            # one row when the first INSERT wrote one, none otherwise.
            values = ", ".join(
                f"first_row.{qn(from_first[i])}"
                if i in from_first
                else f"CAST(%s AS {f.db_type(connection).split('(')[0]})"
                for i, f in enumerate(fields)
            )
            parts.append(
                f"row_{n} AS (INSERT INTO {qn(model._meta.db_table)} "
                f"({', '.join(qn(f.column) for f in fields)}) SELECT {values} FROM first_row)"
            )
        sql = _WITH_SQL[key] = f"WITH {', '.join(parts)} SELECT * FROM first_row"
    params = list(first_params)
    for _model, row in rows:
        params += [p for p in row if not isinstance(p, FirstRowColumn)]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return tuple(found) if found else None
