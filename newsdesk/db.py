"""Per-connection set-up of PostgreSQL connections.

Django reads every ``timestamptz`` value through a loader built on psycopg's pure-Python
parser, even when psycopg's C extension is installed (it subclasses the Python class to set
the time zone). A page of 50 claims holds 100 datetimes; parsing them cost a tenth of the
request's CPU (bench). When the connection's time zone is UTC, as this project configures it,
``datetime.fromisoformat`` (C) reads PostgreSQL's ISO output to exactly the value Django's
loader gives; anything it cannot read (BC dates, infinity, another session time zone) goes to
Django's loader, which gives the answer or the error it always gave.
"""

from __future__ import annotations

import datetime as dt
import functools


def on_connection_created(sender, connection, **kwargs):
    if connection.vendor != "postgresql" or connection.timezone is not dt.UTC:
        return
    adapters = getattr(connection.connection, "adapters", None)  # psycopg 3 only
    if adapters is not None:
        adapters.register_loader("timestamptz", utc_loader())


@functools.cache
def utc_loader():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class UTCTimestampLoader(BaseTzLoader):
        timezone = dt.UTC  # Django compares its connection's zone with this attribute

        def load(self, data):
            try:
                value = dt.datetime.fromisoformat(str(data, "ascii"))
            except ValueError:
                return super().load(data)
            if value.tzinfo is not dt.UTC:  # "+00" parses to UTC itself; another offset
                return super().load(data)  # means another session zone: Django converts
            return value

    return UTCTimestampLoader
