"""Django's PostgreSQL backend with two changes, each the same answers for less work.

Health checks
    With ``CONN_HEALTH_CHECKS`` Django pings a persistent connection (``SELECT 1``) before the
    first query of every request. Under load that round trip was 18 % of a worker's time
    (py-spy, ``make loadtest``), spent proving that a connection used a millisecond ago still
    works. As PgBouncer does (``server_check_delay``), the ping is skipped when the
    connection's previous request ended less than ``HEALTH_CHECK_IDLE`` seconds ago.
    A connection that died within that window fails its next request with the clean 503 of
    ``middleware.DatabaseUnavailableMiddleware``, which closes it; the request after that
    connects afresh.

Timestamps
    Django reads every ``timestamptz`` through a loader built on psycopg's pure-Python parser,
    even when psycopg's C extension is installed (it subclasses the Python class to set the
    time zone). A page of 50 claims holds 100 datetimes; parsing them cost a tenth of the
    request's CPU (bench). When the connection's time zone is UTC, as this project configures
    it, ``datetime.fromisoformat`` (C) reads PostgreSQL's ISO output to exactly the value
    Django's loader gives; what it cannot read (BC dates, infinity, another session time
    zone) goes to Django's loader, which gives the answer or the error it always gave.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

HEALTH_CHECK_IDLE = 5.0  # seconds


class UTCTimestampLoader(BaseTzLoader):
    timezone = dt.UTC  # Django compares its connection's zone with this attribute

    def load(self, data):
        try:
            value = dt.datetime.fromisoformat(str(data, "ascii"))
        except ValueError:
            return super().load(data)
        if value.tzinfo is not dt.UTC:  # "+00" parses to UTC itself; another offset means
            return super().load(data)  # another session time zone: Django converts
        return value


class DatabaseWrapper(base.DatabaseWrapper):
    request_ended_at = None  # time.monotonic() when the previous request ended

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.timezone is dt.UTC:
            connection.adapters.register_loader("timestamptz", UTCTimestampLoader)
        return connection

    def close_if_unusable_or_obsolete(self):
        # Django calls this when a request starts and when it ends (close_old_connections).
        now, ended = time.monotonic(), self.request_ended_at
        self.request_ended_at = now
        super().close_if_unusable_or_obsolete()  # resets health_check_done
        if self.connection is not None and ended is not None and now - ended < HEALTH_CHECK_IDLE:
            self.health_check_done = True
