"""Django's database sessions, read with one plain query.

Every signed-in page and htmx request loads its session first; the ORM spent ~0.5 ms of CPU
building that one-table SELECT, more than running it (bench). Everything else (saving,
expiry, cycling keys, ``clearsessions``) is Django's own.
"""

from functools import cache

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        alias, sql = _load_sql(self.model)
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django does: a new key when the session is saved
            return None
        return self.model(session_key=self.session_key, session_data=row[0])


@cache
def _load_sql(model) -> tuple[str, str]:
    alias = router.db_for_read(model)
    qn = connections[alias].ops.quote_name
    meta = model._meta
    column = meta.get_field
    return alias, (
        f"SELECT {qn(column('session_data').column)} FROM {qn(meta.db_table)} "
        f"WHERE {qn(column('session_key').column)} = %s "
        f"AND {qn(column('expire_date').column)} > %s"
    )
