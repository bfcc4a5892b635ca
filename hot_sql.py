"""SQL for the hottest request paths (progress heartbeats, exam answers, API token lookups,
meeting check-ins): a prepared-statement cursor on PostgreSQL, querysets compiled once and run with
new values (PreparedRead), rows inserted without the ORM's per-call query building (insert_row,
insert_after, collected_row_sql), statements composed once and filled in per call
(ComposedStatement), and the conversions of values read by raw SQL.

A top-level module that imports no app (tests/test_hot_sql.py checks it): learning, party and cms
all use it, and it is the one implementation of each of these techniques."""

import json
import logging
import re
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

logger = logging.getLogger(__name__)


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


def _marker_names(params, by_value: dict, *, string_markers: bool = False) -> list[str | None]:
    """For each parameter, the name of the argument whose marker it is (by_value: the markers as
    the database takes them), or None. With `string_markers` (a PreparedRead with string
    arguments) a string marker inside a longer parameter is refused: the argument could not be
    put in its place."""
    names = []
    for p in params:
        name = by_value.get(p) if isinstance(p, int | str | date) else None
        if string_markers and isinstance(p, str) and "!hot-sql-marker" in p and name is None:
            raise ValueError(f"a marker inside a parameter: {p!r}")
        names.append(name)
    return names


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
        slots = [
            ("arg", name) if name is not None else ("const", p)
            for p, name in zip(
                params,
                _marker_names(params, by_value, string_markers=bool(self._strs)),
                strict=True,
            )
        ]
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
    return run_returning(*insert_after_sql(first_sql, first_params, rows))


def insert_after_sql(first_sql: str, first_params: list, rows: list) -> tuple[str, list]:
    """insert_after's statement and its parameters, not run (for a ComposedStatement)."""
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
    return sql, params


def collected_row_sql(model, params: list) -> tuple[str, list]:
    """A row collected by deferred_inserts as its own INSERT … RETURNING id and parameters, for a
    database without insert_after (SQLite): run it where insert_row would have."""
    if any(isinstance(p, FirstRowColumn) for p in params):
        raise ValueError("a FirstRowColumn value is only for rows written by insert_after")
    return _insert_sql(model, connections["default"])[2], list(params)


def run_returning(sql: str, params: list) -> tuple | None:
    """Run a statement through hot_cursor: its first row as a tuple, or None when it has none."""
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return tuple(found) if found else None


# --- statements composed once, run with new values (ComposedStatement) ---------------------------
# PreparedRead reuses the compilation of one queryset. A hot write may be composed of several
# pieces (a PreparedRead's SQL inside an INSERT, rows of insert_row collected for insert_after, the
# texts and numbers the rules give for a meeting): composing it costs the request more than running
# it (the check-in: ~0.2 ms of Python against one statement, issue 16). A ComposedStatement runs
# the composition once per key with marker values for the arguments that change from call to call,
# and later puts the real values where the markers landed. The composition stays the one
# definition; only its result is reused.

_DATETIME_MARKERS_B = (
    datetime(1905, 6, 7, 8, 9, 10, tzinfo=UTC),
    datetime(1906, 7, 8, 9, 10, 11, tzinfo=UTC),
)


class CompositionRefused(ValueError):
    """A composition that cannot be reused: a parameter that is not a marker differs between the
    two builds (derived from an argument or from the time of composing), or the text or the
    markers' places do (a constant that happens to equal a marker's value)."""


@dataclass(frozen=True, slots=True)
class _Composed:
    sql: str
    params: tuple  # the constant parameters, a marker's place holding None
    # (position, argument, is a datetime, the Python type of the marker's parameter: e.g.
    # psycopg's Int4, so that the value bound has the same)
    slots: tuple[tuple[int, str, bool, type], ...]


_REFUSED = ()  # kept for a key whose composition was refused: not tried again


def _constants_inlined(sql: str, params: list, names: list, using: str) -> tuple[str, list, list]:
    """PostgreSQL: the statement with its constant parameters written into its text as literals
    (quoted by psycopg), only the markers' places left as parameters. Each call then binds a few
    values instead of dozens (the check-in: 8 instead of 49), and the server plans it with the
    real values; one prepared statement per composition (per meeting, for the check-in)."""
    from psycopg import sql as pg_sql

    connection = connections[using]
    connection.ensure_connection()
    parts = re.split(r"(%%|%s)", sql)
    if parts.count("%s") != len(params):
        raise ValueError("the statement's placeholders and parameters do not match")
    text, kept, kept_names, i = [], [], [], 0
    for part in parts:
        if part != "%s":
            text.append(part)
            continue
        if names[i] is None:
            literal = pg_sql.Literal(params[i]).as_string(connection.connection)
            text.append(literal.replace("%", "%%"))
        else:
            text.append(part)
            kept.append(params[i])
            kept_names.append(names[i])
        i += 1
    return "".join(text), kept, kept_names


class ComposedStatement:
    """`compose(*args, <ints>=…, <datetimes>=…)` returns a list of statements, each (sql,
    params); `ints` and `datetimes` name its arguments that change from call to call (a caller's
    user id, the time of the request), every other input is in `args` and the key they are
    composed under (the key must name every input of the composition). statements(key, *args,
    **values) composes once per key and database (at most `kept` keys; then it starts over) and
    returns the statements with `values` put where their markers landed. On PostgreSQL the
    constants are written into the statements' text (_constants_inlined).

    It is composed twice, with two sets of markers: a parameter that is not a marker but differs
    between the two (a value derived from an argument, a default of now()) would be frozen by
    reuse, so the composition is refused, as it is when the text or the markers' places differ
    (a constant equal to a marker's value). statements() then returns None — for that key from
    then on — and logs why: the caller takes its general path. compose() raising
    CompositionRefused itself does the same."""

    def __init__(
        self,
        compose: Callable[..., list[tuple[str, list]]],
        *,
        ints: tuple[str, ...] = (),
        datetimes: tuple[str, ...] = (),
        kept: int = 500,
    ):
        if len(ints) * 2 > len(_INT_MARKERS) or len(datetimes) > len(_DATETIME_MARKERS):
            raise ValueError("too many arguments for the markers")
        self._compose, self._ints, self._datetimes, self._kept = compose, ints, datetimes, kept
        self._composed: dict[tuple, tuple[_Composed, ...]] = {}

    def _markers(self, second: bool) -> dict:
        n = len(self._ints)
        ints = _INT_MARKERS[n : 2 * n] if second else _INT_MARKERS[:n]
        datetimes = _DATETIME_MARKERS_B if second else _DATETIME_MARKERS
        return {
            **dict(zip(self._ints, ints, strict=True)),
            **dict(zip(self._datetimes, datetimes[: len(self._datetimes)], strict=True)),
        }

    def _statements_with_names(self, args: tuple, using: str, second: bool) -> list:
        ops = connections[using].ops
        markers = self._markers(second)
        by_value = {markers[name]: name for name in self._ints}
        by_value.update({ops.adapt_datetimefield_value(markers[n]): n for n in self._datetimes})
        return [
            (sql, list(params), _marker_names(params, by_value))
            for sql, params in self._compose(*args, **markers)
        ]

    def _build(self, args: tuple, using: str) -> tuple[_Composed, ...]:
        first = self._statements_with_names(args, using, second=False)
        second = self._statements_with_names(args, using, second=True)
        if len(first) != len(second):
            raise CompositionRefused("the number of statements depends on the markers")
        composed = []
        for (sql, params, names), (sql_b, params_b, names_b) in zip(first, second, strict=True):
            if sql != sql_b or names != names_b:
                raise CompositionRefused(
                    "a statement's text or its markers' places depend on the markers"
                )
            for p, p_b, name in zip(params, params_b, names, strict=True):
                if name is None and (type(p) is not type(p_b) or p != p_b):
                    raise CompositionRefused(
                        f"a parameter derived from an argument or the time: {p!r}"
                    )
            if connections[using].vendor == "postgresql":
                sql, params, names = _constants_inlined(sql, params, names, using)
            slots = tuple(
                (i, name, name in self._datetimes, type(params[i]))
                for i, name in enumerate(names)
                if name is not None
            )
            constants = tuple(None if name else p for p, name in zip(params, names, strict=True))
            composed.append(_Composed(sql, constants, slots))
        return tuple(composed)

    def _composed_for(self, key: tuple, args: tuple, using: str) -> tuple[_Composed, ...]:
        full_key = (using, connections[using].vendor, *key)
        composed = self._composed.get(full_key)
        if composed is None:
            if len(self._composed) >= self._kept:
                self._composed.clear()
            try:
                composed = self._build(args, using)
            except CompositionRefused as exc:
                logger.warning("%s not composed for %r: %s", self._compose.__name__, key, exc)
                composed = _REFUSED
            self._composed[full_key] = composed
        return composed

    def ready(self, key: tuple, *args, using: str = "default") -> bool:
        """Compose for `key` now if not yet done (e.g. before taking a lock); False if refused."""
        return self._composed_for(key, args, using) is not _REFUSED

    def statements(
        self, key: tuple, *args, using: str = "default", **values
    ) -> list[tuple[str, list]] | None:
        composed = self._composed_for(key, args, using)
        if composed is _REFUSED:
            return None
        adapt = connections[using].ops.adapt_datetimefield_value
        bound = []
        for statement in composed:
            params = list(statement.params)
            for i, name, is_datetime, param_type in statement.slots:
                value = values[name]
                if is_datetime:
                    value = adapt(value)
                elif param_type is not int:
                    value = param_type(value)  # the marker's wrapper (psycopg's Int4, …)
                params[i] = value
            bound.append((statement.sql, params))
        return bound

    def forget(self) -> None:
        """Drop every composition (tests that change settings or count statements)."""
        self._composed.clear()
