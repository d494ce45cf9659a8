"""newsdesk.postgresql: datetimes read with the C parser are what Django's loader reads."""

import datetime as dt

import pytest
from django.db import DataError, connection, transaction

from annotations.models import Claim
from newsdesk.postgresql.base import UTCTimestampLoader
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LITERALS = [
    "2026-11-22 05:06:50.229439+00",
    "2026-11-22 05:06:50.2+00",  # PostgreSQL drops trailing zeros of the fraction
    "2026-11-22 05:06:50+00",
    "2026-11-22 07:06:50.5+02",  # another offset: converted to UTC
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "1900-03-01 12:00:00+00",
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's timestamptz loader")


def _read(literals: list[str]) -> list[dt.datetime]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
            [literals],
        )
        return [row[0] for row in cursor.fetchall()]


def _read_with_djangos_loader(literals: list[str]) -> list[dt.datetime]:
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # this cursor only
        cursor.execute(
            "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
            [literals],
        )
        return [row[0] for row in cursor.fetchall()]


def test_connections_read_timestamps_with_the_fast_loader():
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0) is UTCTimestampLoader


def test_the_fast_loader_reads_what_djangos_reads():
    mine, djangos = _read(LITERALS), _read_with_djangos_loader(LITERALS)
    assert mine == djangos
    assert [value.tzinfo for value in mine] == [value.tzinfo for value in djangos]
    assert all(value.tzinfo is dt.UTC for value in mine)
    assert mine[1] == dt.datetime(2026, 11, 22, 5, 6, 50, 200000, tzinfo=dt.UTC)
    assert mine[3] == dt.datetime(2026, 11, 22, 5, 6, 50, 500000, tzinfo=dt.UTC)


@pytest.mark.parametrize("literal", ["infinity", "-infinity", "0044-03-15 12:00:00+00 BC"])
def test_values_python_cannot_hold_fail_as_before(literal):
    for read in (_read, _read_with_djangos_loader):
        with pytest.raises(DataError), transaction.atomic():
            read([literal])


def test_models_read_the_same_datetimes():
    claim = factories.ClaimFactory()
    stored = Claim.objects.values_list("created_at", flat=True).get(pk=claim.pk)
    assert stored == claim.created_at
    assert stored.tzinfo is dt.UTC
