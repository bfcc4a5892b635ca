"""hot_sql (the hot paths' SQL techniques) sits below every app: learning, party and cms call it,
it imports none of them, not even inside a function; and a PreparedRead refuses a queryset whose
string marker does not come out as a parameter of its own (a LIKE pattern built from it)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from hot_sql import PreparedRead
from tests.boundaries import imports_in_source, is_within

APPS = ["cms", "learning", "party", "search", "media_pipeline", "tabular", "charts"]


def test_hot_sql_imports_nothing_of_the_project():
    path = Path(settings.BASE_DIR) / "hot_sql.py"
    found = imports_in_source(path.read_text(encoding="utf-8"), path="hot_sql.py", module="hot_sql")
    assert [str(i) for i in found if any(is_within(i.module, app) for app in APPS)] == []


@pytest.mark.django_db
def test_a_string_argument_is_put_in_where_its_marker_was():
    User.objects.create_user(username="alpha", password="x-long-password-1")
    User.objects.create_user(username="beta", password="x-long-password-1")
    read = PreparedRead(
        lambda *, name: User.objects.filter(username=name).values_list("username"), strs=("name",)
    )
    assert read.rows(name="beta") == [("beta",)]
    assert read.rows(name="alpha") == [("alpha",)]
    assert read.rows(name="gamma") == []


@pytest.mark.django_db
def test_a_marker_merged_into_another_parameter_is_refused():
    read = PreparedRead(
        lambda *, name: User.objects.filter(username__startswith=name).values_list("username"),
        strs=("name",),
    )
    with pytest.raises(ValueError):
        read.rows(name="beta")


@pytest.mark.django_db
def test_hot_statements_are_prepared_on_postgresql():
    """On PostgreSQL a statement run through hot_cursor is prepared on the server (planned once
    per connection): it shows in pg_prepared_statements after its first run."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    read = PreparedRead(
        lambda *, user_id: User.objects.filter(pk=user_id).values_list("username"),
        ints=("user_id",),
    )
    user = User.objects.create_user(username="prepared", password="x-long-password-1")
    assert read.rows(user_id=user.pk) == [("prepared",)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"auth_user"."username"' in s and "$1" in s for s in statements), statements


@pytest.mark.django_db
def test_a_datetime_argument_is_put_in_where_its_marker_was():
    from datetime import UTC, datetime

    joined = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    User.objects.create_user(username="early", password="x-long-password-1", date_joined=joined)
    User.objects.create_user(username="later", password="x-long-password-1")
    read = PreparedRead(
        lambda *, when: User.objects.filter(date_joined=when).values_list("username"),
        datetimes=("when",),
    )
    assert read.rows(when=joined) == [("early",)]
    assert read.rows(when=joined.replace(microsecond=0)) == []
    sql, params = read.sql(when=joined)
    assert "date_joined" in sql and len(params) == 1


@pytest.mark.django_db
def test_a_first_row_value_is_only_for_insert_after():
    from hot_sql import FirstRowColumn, insert_row

    with pytest.raises(ValueError):
        insert_row(User, username=FirstRowColumn("username"), password="x")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_row_values_passed_as_they_are_are_what_the_fields_prepare():
    """insert_row skips the field's preparation only where it would give the same parameter (the
    same value of the same type): every field of the models written by insert_row, with a value of
    its type and with None, against get_db_prep_save."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.db import connection

    from hot_sql import _row_params
    from learning.progress.models import HoursLedgerEntry
    from learning.quizzes.models import Attempt
    from party.meetings.models import AttendanceChange

    samples = {
        int: 7,
        str: "组织生活",
        bool: True,
        Decimal: Decimal("2.50"),
        date: date(2026, 12, 7),
        datetime: datetime(2026, 12, 7, 3, 30, tzinfo=UTC),
    }
    for model in (AttendanceChange, HoursLedgerEntry, Attempt):
        fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk]
        for choose in (lambda f: None, lambda f: sample_for(f, samples)):
            # Defaults taken once (a default of now() differs from one call to the next).
            values = {f.attname: choose(f) for f in fields}
            values = {
                n: f.get_default() if values[n] is None else values[n]
                for n, f in ((f.attname, f) for f in fields)
            }
            expected = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
            got = _row_params(model, values, connection)

            # (psycopg's Jsonb wrapper has no ==: compare what it wraps)
            def same(params):
                return [(type(p), getattr(p, "obj", p)) for p in params]

            assert same(got) == same(expected), model


def sample_for(field, samples):
    """A value of the field's Python type (None where no sample fits, e.g. JSON)."""
    from django.db import models

    if isinstance(field, models.ForeignKey):
        field = field.target_field
    for base, python_type in (
        (models.BooleanField, bool),
        (models.DecimalField, "Decimal"),
        (models.DateTimeField, "datetime"),
        (models.DateField, "date"),
        (models.IntegerField, int),
        (models.AutoField, int),
        (models.BigAutoField, int),
        (models.CharField, str),
        (models.TextField, str),
    ):
        if isinstance(field, base):
            if isinstance(python_type, str):
                return next(v for t, v in samples.items() if t.__name__ == python_type)
            return samples[python_type]
    return None


def _names_statement(*, title_prefix="", default_now=False):
    """A ComposedStatement over auth_user: the users named like a constant or with a given id,
    joined after a given time."""
    from django.utils import timezone

    from hot_sql import ComposedStatement

    calls = []

    def compose(prefix, *, user_id, since):
        calls.append(prefix)
        queryset = User.objects.filter(pk=user_id, date_joined__gte=since, first_name=prefix)
        if default_now:  # a value derived from the time of composing: must be refused
            queryset = queryset.filter(last_login__lte=timezone.now())
        sql, params = queryset.values_list("username").query.sql_with_params()
        return [(sql, params)]

    return ComposedStatement(compose, ints=("user_id",), datetimes=("since",)), calls


@pytest.mark.django_db
def test_a_composed_statement_is_composed_once_and_filled_in_each_time():
    from datetime import UTC, datetime

    from hot_sql import run_returning

    joined = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    users = [
        User.objects.create_user(
            username=f"u{i}", password="x-long-password-1", date_joined=joined, first_name="100%"
        )
        for i in range(3)
    ]
    statement, calls = _names_statement()
    for user in users:
        [(sql, params)] = statement.statements(("k",), "100%", user_id=user.pk, since=joined)
        assert run_returning(sql, params) == (user.username,)
    [(sql, params)] = statement.statements(
        ("k",), "100%", user_id=users[0].pk, since=joined.replace(minute=31)
    )
    assert run_returning(sql, params) is None  # the time is put in, not the marker's
    assert calls == ["100%", "100%"]  # composed once, with two sets of markers
    from django.db import connection

    if connection.vendor == "postgresql":  # the constant is in the text; only the markers bound
        assert "'100%%'" in sql and len(params) == 2


@pytest.mark.django_db
def test_a_parameter_derived_from_the_time_of_composing_is_refused(caplog):
    """Refused, said in the log, and not tried again for that key: the caller takes its general
    path (statements() returns None)."""
    from datetime import UTC, datetime

    statement, calls = _names_statement(default_now=True)
    since = datetime(2026, 3, 1, tzinfo=UTC)
    with caplog.at_level("WARNING", logger="hot_sql"):
        assert statement.statements(("k",), "x", user_id=1, since=since) is None
    assert "derived from an argument or the time" in caplog.text
    assert statement.statements(("k",), "x", user_id=2, since=since) is None
    assert not statement.ready(("k",), "x")
    assert calls == ["x", "x"]
