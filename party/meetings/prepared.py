"""A queryset's SQL compiled once per process and database, then run with new values.

Building and compiling a queryset with subqueries costs the ORM milliseconds each time; the SQL it
produces is the same for every call but its parameters. A PreparedRead builds the queryset once
per database with a marker value for each argument, finds where each marker lands among the
compiled parameters, and later runs that SQL with the real values put in their place. The
queryset stays the one definition (no hand-written copy of a rule): only its compilation is
reused. Used on the check-in's hot path (a hall of 300 scanning at once, issue 16)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.db import connections
from django.db.models import QuerySet

# Values no real row or argument takes; each must come out of compilation as itself (ints) or
# as the database's form of the date (connection.ops.adapt_datefield_value).
_INT_MARKERS = (-7_310_000_001, -7_310_000_002, -7_310_000_003, -7_310_000_004)
_DATE_MARKERS = (date(1901, 2, 3), date(1902, 3, 4))


class PreparedRead:
    """`build(**kwargs)` returns a values_list() queryset; its arguments are ints or dates (named
    in `ints` and `dates`). rows(**kwargs) returns its rows as tuples, each column converted as the
    ORM converts it (e.g. a datetime read from SQLite)."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        ints: tuple[str, ...] = (),
        dates: tuple[str, ...] = (),
    ):
        if len(ints) > len(_INT_MARKERS) or len(dates) > len(_DATE_MARKERS):
            raise ValueError("too many arguments for the markers")
        self._build, self._ints, self._dates = build, ints, dates
        self._compiled: dict[tuple, tuple[str, list, list]] = {}

    def _compile(self, key: tuple, using: str) -> tuple[str, list, list]:
        ops = connections[using].ops
        markers = dict(zip(self._ints, _INT_MARKERS, strict=False))
        markers.update(zip(self._dates, _DATE_MARKERS, strict=False))
        compiler = self._build(*key[2:], **markers).query.get_compiler(using)
        sql, params = compiler.as_sql()
        # [(column, [converter, …], expression)] as the ORM applies them to each row.
        converters = [
            (i, fns, expr)
            for i, (fns, expr) in compiler.get_converters(
                [col for col, _sql, _alias in compiler.select]
            ).items()
        ]
        by_value = {v: name for name, v in markers.items() if name in self._ints}
        by_value.update({ops.adapt_datefield_value(markers[name]): name for name in self._dates})
        # Each slot is ("arg", name) or ("const", value).
        # (An argument a variant does not use, e.g. the unit of a 谈心谈话, is simply absent.)
        slots = []
        for p in params:
            name = by_value.get(p) if isinstance(p, int | str | date) else None
            slots.append(("arg", name) if name is not None else ("const", p))
        compiled = (sql, slots, converters)
        self._compiled[key] = compiled
        return compiled

    def rows(self, *variant, using: str = "default", **values) -> list[tuple]:
        """`variant`: positional arguments that change the SQL's shape (e.g. a meeting kind),
        compiled once each; `values`: the int and date arguments."""
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
            else:
                params.append(values[value])
        with connection.cursor() as cursor:
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


_INSERTS: dict[tuple, tuple[list, frozenset, str]] = {}


def _insert_sql(model, connection) -> tuple[list, frozenset, str]:
    """The fields, their attnames and the INSERT of `model` on `connection`'s database, built
    once."""
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
        )
    return _INSERTS[key]


# insert_row's calls collected by deferred_inserts() instead of run: [(model, params)].
_deferred: ContextVar[list | None] = ContextVar("prepared_deferred_inserts", default=None)


def _row_params(model, values: dict, connection) -> list:
    fields, attnames, _sql = _insert_sql(model, connection)
    if not values.keys() <= attnames:
        raise ValueError(f"not fields of {model._meta.label}: {sorted(set(values) - attnames)}")
    return [
        f.get_db_prep_save(
            values[f.attname] if f.attname in values else f.get_default(), connection
        )
        for f in fields
    ]


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
    with connection.cursor() as cursor:
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


def insert_after(first_sql: str, first_params: list, rows: list) -> int | None:
    """PostgreSQL: `first_sql` — an INSERT … RETURNING id that may insert nothing (ON CONFLICT DO
    NOTHING) — and the collected `rows` (deferred_inserts), each written only when the first
    one was, as ONE statement (data-modifying WITH queries): one round trip instead of one per
    row, and in autocommit no BEGIN and COMMIT of their own (a statement is its own transaction,
    committed as durably as any). The first row's id, or None when it inserted nothing (then
    neither did the others)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        raise NotImplementedError("data-modifying WITH queries are PostgreSQL's")
    qn = connection.ops.quote_name
    parts, params = [f"first_row AS ({first_sql})"], list(first_params)
    for n, (model, row) in enumerate(rows):
        fields = _insert_sql(model, connection)[0]
        # Typed by the column's type (without its length: a value too long still fails as in a
        # plain INSERT, where a cast to varchar(n) would cut it); SELECT … FROM first_row: one row
        # when the first INSERT wrote one, none otherwise.
        values = ", ".join(f"CAST(%s AS {f.db_type(connection).split('(')[0]})" for f in fields)
        parts.append(
            f"row_{n} AS (INSERT INTO {qn(model._meta.db_table)} "
            f"({', '.join(qn(f.column) for f in fields)}) SELECT {values} FROM first_row)"
        )
        params += row
    sql = f"WITH {', '.join(parts)} SELECT * FROM first_row"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return found[0] if found else None
