"""A Python client generated from the live schema by openapi-python-client works as it is.

The generator runs offline (it reads the schema from a file); the client is imported and used
unpatched against a live server: it signs in with a token, lists spans and quotes with
filters, creates a span, gets 409 on a stale version, and reads and streams the JSONL export.
The README's "Clients" snippet is this flow.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from annotations.models import Span
from newsdesk.roles import EDITORS, VIEWERS
from tests.factories import ArticleFactory, EditorFactory, EntityFactory, SpanFactory

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


@pytest.fixture
def generated_client(live_server, tmp_path, settings, monkeypatch):
    """The client package `newsdesk_client`, generated from /api/schema/?format=json."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    for name in (EDITORS, VIEWERS):  # a transactional test's flush removed the migration's
        Group.objects.get_or_create(name=name)
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as response:
        schema = json.load(response)
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "newsdesk_client"),
            "--config",
            str(ROOT / "clients" / "openapi-python-client.yaml"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={"PATH": str(GENERATOR.parent), "HOME": str(tmp_path)},  # no network needed
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("newsdesk_client")
    for name in [m for m in sys.modules if m.split(".")[0] == "newsdesk_client"]:
        del sys.modules[name]


@pytest.mark.django_db(transaction=True)
def test_every_generated_module_imports(generated_client):
    names = [
        module.name
        for module in pkgutil.walk_packages(generated_client.__path__, "newsdesk_client.")
    ]
    for name in names:
        importlib.import_module(name)  # NameError: Unset was the bug of issue 20
    assert "newsdesk_client.api.auth.auth_token_create" in names
    assert len(names) > 100


@pytest.mark.django_db(transaction=True)
def test_the_generated_client_works_unpatched(generated_client, live_server):
    editor = EditorFactory(username="ada")
    article = ArticleFactory(body="Jane Doe said the bridge reopens in May.")
    jane = EntityFactory(name="Jane Doe")
    SpanFactory(article=article, kind="quote", start=18, end=39, entity=None, speaker=jane)

    from newsdesk_client import AuthenticatedClient, Client
    from newsdesk_client.api.auth import auth_token_create
    from newsdesk_client.api.spans import (
        spans_create,
        spans_export_retrieve,
        spans_list,
        spans_partial_update,
    )
    from newsdesk_client.models import (
        AuthTokenRequest,
        Conflict,
        PatchedSpanRequest,
        SpanKindEnum,
        SpanRequest,
        SpansListKindItem,
    )

    # Sign in: the token request goes out as JSON.
    anonymous = Client(base_url=live_server.url, raise_on_unexpected_status=True)
    token = auth_token_create.sync(
        client=anonymous, body=AuthTokenRequest(username="ada", password=PASSWORD)
    ).token
    client = AuthenticatedClient(
        base_url=live_server.url, token=token, prefix="Token", raise_on_unexpected_status=True
    )

    quotes = spans_list.sync(client=client, kind=[SpansListKindItem.QUOTE], speaker=jane.pk)
    assert [span.text for span in quotes.results] == ["bridge reopens in May"]

    answer = spans_create.sync_detailed(
        client=client,
        body=SpanRequest(
            article=article.pk, kind=SpanKindEnum.MENTION, start=0, end=8, entity=jane.pk
        ),
    )
    assert answer.status_code == 201, answer.content
    created = answer.parsed
    assert created.text == "Jane Doe"
    assert Span.objects.get(pk=created.id).created_by == editor

    changed = spans_partial_update.sync(
        client=client,
        id=str(created.id),
        body=PatchedSpanRequest(note="x", version=created.version),
    )
    assert changed.version == created.version + 1
    stale = spans_partial_update.sync_detailed(
        client=client,
        id=str(created.id),
        body=PatchedSpanRequest(note="y", version=created.version),
    )
    assert stale.status_code == 409
    assert isinstance(stale.parsed, Conflict)
    assert stale.parsed.current["note"] == "x"

    # The JSONL export: whole (as bytes) through the generated function, or streamed line by
    # line through the client's own httpx client (its token header included).
    export = spans_export_retrieve.sync(client=client, article=article.pk)
    lines = export.decode().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        Span.objects.filter(article=article).values_list("pk", flat=True)
    )
    with client.get_httpx_client().stream(
        "GET", "/api/spans/export/", params={"article": article.pk, "kind": "mention"}
    ) as response:
        streamed = [json.loads(line) for line in response.iter_lines() if line]
    assert [span["text"] for span in streamed] == ["Jane Doe"]


def readme_python_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Clients") :]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_readme_snippet_runs(generated_client, live_server, capsys):
    EditorFactory(username="editor")
    article = ArticleFactory(body="Jane Doe said the bridge reopens in May.")
    jane = EntityFactory(name="Jane Doe")
    SpanFactory(article=article, kind="quote", start=18, end=39, entity=None, speaker=jane)
    code = (
        readme_python_snippet()
        .replace("newsdesk_client", generated_client.__name__)
        .replace('"http://127.0.0.1:8000"', repr(live_server.url))
        .replace('password="…"', f"password={PASSWORD!r}")
        .replace("speaker=7", f"speaker={jane.pk}")
        .replace("entity=7", f"entity={jane.pk}")
        .replace("article=1", f"article={article.pk}")
        .replace('{"article": 1}', f'{{"article": {article.pk}}}')
    )

    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README's snippet

    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == ["Jane Doe", "bridge reopens in May"]
