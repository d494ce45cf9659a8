"""export_archive / import_archive: the whole content moves between databases, nothing lost.

The round trip runs the real commands in subprocesses against other databases: this test's
database → a scratch PostgreSQL database → a scratch SQLite file, archiving after each load;
the three archives must be identical (apart from their header line: date and vendor).
"""

import gzip
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from annotations import services
from annotations.models import Claim, Entity, EntityAlias, Span, SpanKind, SpanStatus, Verdict
from articles.models import Article
from articles.services import article_import
from newsdesk import archive
from newsdesk.archive import ArchiveError, archive_export, archive_import
from newsdesk.roles import EDITORS, REVIEWERS, VIEWERS
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("ARCHIVE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def roles(transactional_db):
    """The role groups a data migration made (a transactional test's flush deletes them)."""
    for name in (EDITORS, VIEWERS, REVIEWERS):
        Group.objects.get_or_create(name=name)


def transactional(test):
    """Real commits: the commands run in other processes, the import is one transaction."""
    return pytest.mark.django_db(transaction=True)(pytest.mark.usefixtures("roles")(test))


ARTICLE_ONE = (
    "Bridge 🌉 to reopen in May\n\n"
    "Jane Doe said on Monday that the bridge would reopen. “We will have it open by May,” "
    "she told reporters in Springfield.\n\nAdvertisement\n\n"
    "The council said 1,200\u00a0people use it daily — a claim ‘’nobody checked”.\n"
)
ARTICLE_TWO = "Council: budget\n\nSpringfield's council approved the budget, Jane Doe said.\n"


def make_content():
    """Every kind of row, written through the services (so history rows appear too)."""
    editor = factories.EditorFactory(
        username="zoë", first_name="Zoë", last_name="Ørsted", email="zoe@example.org"
    )
    factories.ViewerFactory(username="viewer", is_active=False)
    factories.UserFactory(username="admin", is_staff=True, is_superuser=True, groups=[EDITORS])
    Token.objects.create(user=editor)
    one = Article.objects.get(
        pk=article_import(name="one.txt", data=ARTICLE_ONE.encode(), imported_by=editor).article_id
    )
    two = Article.objects.get(
        pk=article_import(name="two.txt", data=ARTICLE_TWO.encode()).article_id
    )
    jane = services.entity_create(
        name="Jane Doe", kind="PERSON", aliases=["J. Doe", "Doe"], user=editor
    )
    town = services.entity_create(
        name="Springfield", kind="GPE", description="A town", external_id="Q1", user=editor
    )
    services.span_create(article=one, kind=SpanKind.MENTION, text="Jane Doe", entity=jane)
    services.span_create(article=one, kind=SpanKind.MENTION, text="Springfield", entity=town)
    quote, _ = services.span_create(
        article=one,
        kind=SpanKind.QUOTE,
        text="“We will have it open by May,”",
        speaker=jane,
        note="on the record",
        user=editor,
    )
    services.span_update(span=quote, version=quote.version, user=editor, note="checked twice")
    services.span_create(
        article=one,
        kind=SpanKind.CLAIM,
        text="1,200\u00a0people use it daily",
        claim_text="1,200 people use the bridge daily",
        claimant=town,
        verdict=Verdict.FALSE,
        user=editor,
    )
    suggestion, _ = services.span_create(
        article=two,
        kind=SpanKind.MENTION,
        text="Jane Doe",
        status=SpanStatus.SUGGESTED,
        origin="gazetteer",
        confidence=0.8125,
    )
    services.span_reject(span=suggestion, user=editor)
    services.claim_create(text="An unattached claim", verdict=Verdict.MOSTLY_TRUE, user=editor)
    return editor


def body_lines(text: str) -> list[str]:
    """The archive without its header (which names the date and the database vendor)."""
    lines = text.splitlines()
    assert json.loads(lines[0])["format"] == "newsdesk-archive"
    assert json.loads(lines[-1])["end"] is True
    return lines[1:]


def export_here() -> str:
    out = io.StringIO()
    archive_export(out=out)
    return out.getvalue()


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def read_archive(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def load_and_dump(database_url: str, archive_path: Path, out_path: Path) -> str:
    manage(database_url, "migrate", "--no-input", "-v0")
    manage(database_url, "import_archive", str(archive_path))
    manage(database_url, "export_archive", str(out_path))
    return read_archive(out_path)


@pytest.fixture
def scratch_postgres():
    """A throw-away PostgreSQL database archive_rt_<random>, dropped afterwards."""
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL is unreachable: {error}")
    name = f"archive_rt_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield PG_SERVER.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@transactional
def test_round_trip_here_to_postgresql_to_sqlite_keeps_everything(tmp_path, scratch_postgres):
    make_content()
    first = export_here()
    (tmp_path / "first.jsonl").write_text(first, encoding="utf-8")

    # here → PostgreSQL (archive written gzipped) → SQLite
    second = load_and_dump(scratch_postgres, tmp_path / "first.jsonl", tmp_path / "second.jsonl.gz")
    third = load_and_dump(
        f"sqlite:///{tmp_path / 'moved.sqlite3'}", tmp_path / "second.jsonl.gz", tmp_path / "third"
    )

    assert body_lines(second) == body_lines(first)
    assert body_lines(third) == body_lines(first)
    assert json.loads(second.splitlines()[0])["vendor"] == "postgresql"
    assert json.loads(third.splitlines()[0])["vendor"] == "sqlite"
    # The content really was there to lose: every model, every kind of value.
    counts = json.loads(first.splitlines()[-1])["counts"]
    assert counts["auth.user"] == 3
    assert counts["articles.article"] == 2
    assert counts["annotations.entity"] == 2
    assert counts["annotations.entityalias"] == 2
    assert counts["annotations.span"] == 5
    assert counts["annotations.claim"] == 2
    assert "🌉" in first
    assert "\u00a0" in first


@transactional
def test_archive_holds_no_password_and_no_token_and_imported_users_cannot_log_in():
    editor = make_content()
    token = Token.objects.get(user=editor).key
    text = export_here()
    assert "pbkdf2" not in text
    assert '"password"' not in text
    assert token not in text

    counts = archive_import(lines=io.StringIO(text), replace=True)

    assert counts["auth.user"] == 3
    user = get_user_model().objects.get(username="zoë")
    assert (user.first_name, user.last_name, user.email) == ("Zoë", "Ørsted", "zoe@example.org")
    assert set(user.groups.values_list("name", flat=True)) == {EDITORS}
    assert not get_user_model().objects.get(username="viewer").is_active
    assert get_user_model().objects.get(username="admin").is_superuser
    assert not user.has_usable_password()
    assert not user.check_password("correct horse battery staple")
    assert not Token.objects.exists()


@transactional
def test_import_refuses_a_database_with_content_and_changes_nothing():
    make_content()
    text = export_here()
    Span.objects.all().delete()
    Claim.objects.all().delete()

    with pytest.raises(ArchiveError, match="not empty"):
        archive_import(lines=io.StringIO(text))

    assert not Span.objects.exists()
    assert not Claim.objects.exists()


@transactional
def test_replace_deletes_everything_first_including_sessions_of_replaced_users():
    make_content()
    text = export_here()
    stranger = factories.UserFactory(username="stranger")
    factories.ArticleFactory(title="Not in the archive")
    session = SessionStore()
    session["_auth_user_id"] = str(stranger.pk)
    session.create()

    archive_import(lines=io.StringIO(text), replace=True)

    assert not get_user_model().objects.filter(username="stranger").exists()
    assert not Article.objects.filter(title="Not in the archive").exists()
    assert not Session.objects.exists()
    assert body_lines(export_here()) == body_lines(text)


@transactional
def test_ids_are_kept_and_new_rows_get_fresh_ids_after_import():
    make_content()
    text = export_here()
    top = {
        model: model.objects.order_by("-pk").values_list("pk", flat=True)[0]
        for model in (Article, Span, Entity, Claim, EntityAlias, get_user_model())
    }
    # Ids with gaps, as after deletions: the import must not renumber.
    Span.objects.order_by("pk").first().delete()
    text = export_here()

    archive_import(lines=io.StringIO(text), replace=True)

    archived = [json.loads(line) for line in body_lines(text)]
    span_ids = {record["pk"] for record in archived if record.get("model") == "annotations.span"}
    assert len(span_ids) == 4
    assert set(Span.objects.values_list("pk", flat=True)) == span_ids
    # The sequences moved past the imported ids (PostgreSQL needs an explicit reset).
    new_article = factories.ArticleFactory()
    new_entity = services.entity_create(name="Someone New", kind="PERSON")
    assert new_article.pk > top[Article]
    assert new_entity.pk > top[Entity]


@transactional
@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        pytest.param(lambda lines: lines[:-1], "cut short", id="no-last-line"),
        pytest.param(lambda lines: lines[:-3] + lines[-1:], "do not match", id="rows-missing"),
        pytest.param(lambda lines: lines[1:], "not a newsdesk archive", id="no-header"),
        pytest.param(
            lambda lines: [lines[0].replace('"version": 1', '"version": 99'), *lines[1:]],
            "format version 99",
            id="future-version",
        ),
        pytest.param(
            lambda lines: [*lines[:-1], "{not json", lines[-1]], "not JSON", id="garbage-line"
        ),
        pytest.param(
            lambda lines: [
                *lines[:-1],
                lines[-2].replace('"fields": {', '"fields": {"colour": "red", '),
                lines[-1],
            ],
            "no field",
            id="unknown-field",
        ),
        pytest.param(lambda lines: [], "empty", id="empty"),
    ],
)
def test_a_broken_archive_is_refused_and_nothing_is_written(mangle, message):
    make_content()
    text = export_here()
    archive_import(lines=io.StringIO(text), replace=True)  # proves the unmangled one loads
    archive.archive_clear()
    assert archive.database_is_empty()

    with pytest.raises(ArchiveError, match=message):
        archive_import(lines=mangle(text.splitlines(keepends=True)))

    assert archive.database_is_empty()


@transactional
def test_import_is_one_transaction_a_failure_midway_leaves_nothing(monkeypatch):
    make_content()
    text = export_here()
    archive_import(lines=io.StringIO(text), replace=True)
    before = body_lines(export_here())
    real_flush = archive._Loader._flush

    def flush_then_fail(self):
        real_flush(self)
        if self.batch_model is Span:
            raise RuntimeError("disk full")

    monkeypatch.setattr(archive._Loader, "_flush", flush_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        archive_import(lines=io.StringIO(text), replace=True)

    assert body_lines(export_here()) == before


def test_every_model_of_the_content_apps_is_archived():
    labels = {model._meta.label_lower for model in archive.archived_models()}
    for app in archive.ARCHIVED_APPS:
        for model in apps.get_app_config(app).get_models():
            assert model._meta.label_lower in labels
    assert {"auth.user", "auth.group"} <= labels
    assert "authtoken.token" not in labels


@transactional
def test_export_archive_command_writes_no_file_when_it_fails(tmp_path, monkeypatch):
    def broken(**kwargs):
        kwargs["out"].write('{"format": "newsdesk-archive"}\n')
        raise ArchiveError("boom")

    monkeypatch.setattr("articles.management.commands.export_archive.archive_export", broken)
    with pytest.raises(CommandError, match="boom"):
        call_command("export_archive", str(tmp_path / "out.jsonl"))
    assert list(tmp_path.iterdir()) == []
