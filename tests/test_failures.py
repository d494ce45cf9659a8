"""When PostgreSQL goes away in the middle of a write, the write fails cleanly, leaves nothing
half-written, and the app recovers as soon as the database answers again.

The fault is real: a second connection runs ``pg_terminate_backend`` on the backend serving
this test, in the middle of the service's transaction (right after its first write
statement), exactly what a PostgreSQL restart or a killed server process does to it. The
server itself keeps running (other tests and engineers share it).

"Nothing half-written" is checked on the whole database: an archive of it (every row of
every model) before the failed write equals one after.
"""

import io
import re
import time
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from annotations import services
from annotations.models import Span, SpanKind, SpanStatus
from articles.models import Article
from articles.services import article_import
from newsdesk import archive
from newsdesk.roles import EDITORS, VIEWERS
from tests import factories

BODY_ONE = "Bridge to reopen\n\nJane Doe said the bridge would reopen in May, the council said.\n"
BODY_TWO = (
    "Bridge to reopen\n\nA new first paragraph.\n\n"
    "Jane Doe said the bridge would reopen in May, the council said.\n"
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # real commits


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("kills a PostgreSQL backend; needs PostgreSQL")


@pytest.fixture(autouse=True)
def _roles(_postgres_only):
    """The role groups a data migration made (a transactional test's flush deletes them)."""
    for name in (EDITORS, VIEWERS):
        Group.objects.get_or_create(name=name)


def snapshot() -> list[str]:
    out = io.StringIO()
    archive.archive_export(out=out)
    return out.getvalue().splitlines()[1:]  # the header holds the time


def other_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        autocommit=True,
    )


def terminate(pid: int) -> None:
    """Kill backend `pid` from another connection and wait until it is gone."""
    with other_connection() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} survived pg_terminate_backend")


class KillAfterFirstWrite:
    """execute_wrapper: inside a transaction, after the first statement matching `pattern`
    has run, terminate this connection's backend. Everything after it fails."""

    def __init__(self, pattern: str = r"\s*(INSERT|UPDATE|DELETE)\b"):
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.fired = False
        self.statement = ""

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.fired and connection.in_atomic_block and self.pattern.match(sql):
            self.fired = True
            self.statement = sql
            terminate(connection.connection.info.backend_pid)
        return result


@pytest.fixture
def annotated(db):
    editor = factories.EditorFactory(username="ed")
    report = article_import(name="bridge.txt", data=BODY_ONE.encode(), imported_by=editor)
    article = Article.objects.get(pk=report.article_id)
    jane = services.entity_create(name="Jane Doe", kind="PERSON", user=editor)
    span, _ = services.span_create(
        article=article, kind=SpanKind.MENTION, text="Jane Doe", entity=jane, user=editor
    )
    suggestion, _ = services.span_create(
        article=article,
        kind=SpanKind.QUOTE,
        text="the bridge would reopen in May",
        status=SpanStatus.SUGGESTED,
        origin="quotes",
    )
    return editor, article, span, suggestion


# --- through the services ------------------------------------------------------------------


def test_a_span_edit_killed_midway_leaves_nothing_and_the_next_edit_works(annotated):
    editor, _, span, _ = annotated
    before = snapshot()

    with connection.execute_wrapper(killer := KillAfterFirstWrite()):  # noqa: SIM117
        with pytest.raises((OperationalError, InterfaceError)):
            services.span_update(span=span, version=span.version, user=editor, note="lost")
    assert killer.fired

    assert snapshot() == before  # reconnects by itself; nothing of the edit remains
    span.refresh_from_db()
    services.span_update(span=span, version=span.version, user=editor, note="kept")
    assert Span.objects.get(pk=span.pk).note == "kept"


def test_a_revision_import_killed_midway_keeps_the_old_text_and_every_span(annotated):
    editor, article, *_ = annotated
    before = snapshot()

    with connection.execute_wrapper(killer := KillAfterFirstWrite()):  # noqa: SIM117
        with pytest.raises((OperationalError, InterfaceError)):
            article_import(name="bridge.txt", data=BODY_TWO.encode(), imported_by=editor)
    assert killer.fired

    assert snapshot() == before
    # The database is back: the same import now lands whole, spans moved with the text.
    report = article_import(name="bridge.txt", data=BODY_TWO.encode(), imported_by=editor)
    assert report.article_id == article.pk
    article.refresh_from_db()
    assert article.revision == 2
    for span in Span.objects.filter(article=article):
        assert article.body[span.start : span.end] == span.text


def test_an_archive_import_killed_midway_leaves_an_empty_database(annotated):
    text = io.StringIO()
    archive.archive_export(out=text)
    archive.archive_clear()
    killer = KillAfterFirstWrite(r'\s*INSERT INTO "annotations_span"')

    with connection.execute_wrapper(killer), pytest.raises((OperationalError, InterfaceError)):
        archive.archive_import(lines=io.StringIO(text.getvalue()))
    assert killer.fired

    assert archive.database_is_empty()
    archive.archive_import(lines=io.StringIO(text.getvalue()))
    assert Span.objects.count() == 2


# --- through the views ---------------------------------------------------------------------


def test_an_api_edit_killed_midway_is_a_503_and_the_next_request_succeeds(annotated, client):
    editor, _, span, _ = annotated
    client.force_login(editor)
    before = snapshot()
    url = f"/api/spans/{span.pk}/"

    with connection.execute_wrapper(killer := KillAfterFirstWrite()):
        response = client.patch(
            url, {"note": "lost", "version": span.version}, content_type="application/json"
        )
    assert killer.fired

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"]
    assert snapshot() == before
    again = client.patch(
        url, {"note": "kept", "version": span.version}, content_type="application/json"
    )
    assert again.status_code == 200, again.content
    assert again.json()["note"] == "kept"


def test_an_htmx_reject_killed_midway_is_a_503_and_changes_nothing(annotated, client):
    editor, _, _, suggestion = annotated
    client.force_login(editor)
    before = snapshot()
    url = reverse("span-reject", args=[suggestion.pk])

    with connection.execute_wrapper(killer := KillAfterFirstWrite()):
        response = client.post(url, {"version": suggestion.version}, headers={"hx-request": "true"})
    assert killer.fired

    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()
    assert "newsdesk:error" in response.headers["HX-Trigger"]
    assert snapshot() == before
    again = client.post(url, {"version": suggestion.version}, headers={"hx-request": "true"})
    assert again.status_code == 200
    assert Span.objects.get(pk=suggestion.pk).status == SpanStatus.REJECTED


def test_an_admin_upload_killed_midway_is_a_503_page_and_imports_nothing(client):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    upload = io.BytesIO(BODY_ONE.encode())
    upload.name = "bridge.txt"
    url = reverse("admin:articles_article_import")

    with connection.execute_wrapper(killer := KillAfterFirstWrite()):
        response = client.post(url, {"files": [upload]})
    assert killer.fired

    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert not Article.objects.exists()
    upload.seek(0)
    assert client.post(url, {"files": [upload]}).status_code == 200
    assert Article.objects.count() == 1


def _wsgi_get(token: str):
    """GET through Django's real request cycle (request_started / request_finished and the
    connection bookkeeping they do), not the test client's."""
    handler = WSGIHandler()

    def get(path: str) -> tuple[str, bytes]:
        environ = {
            "PATH_INFO": path,
            "HTTP_HOST": "testserver",
            "HTTP_AUTHORIZATION": f"Token {token}",
        }
        setup_testing_defaults(environ)
        status = []
        response = handler(environ, lambda s, h, *a: status.append(s))
        try:
            body = b"".join(response)
        finally:
            response.close()  # as a WSGI server does: request_finished
        return status[0], body

    return get


def test_a_connection_killed_while_idle_is_replaced_on_the_next_request(annotated):
    """Between requests (PostgreSQL restarted overnight): the health check reconnects and the
    request succeeds."""
    editor, article, *_ = annotated
    get = _wsgi_get(Token.objects.create(user=editor).key)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # persistent: the one being killed

    assert get(f"/api/articles/{article.pk}/")[0].startswith("200")
    pid = connection.connection.info.backend_pid  # the persistent connection, now idle
    terminate(pid)

    status, body = get(f"/api/articles/{article.pk}/")

    assert status.startswith("200"), body
    assert connection.connection.info.backend_pid != pid
