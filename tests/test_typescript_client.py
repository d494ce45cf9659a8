"""A TypeScript client (openapi-typescript types, openapi-fetch calls) works against a live server.

clients/typescript/ is a small npm project with a lock file; `npm ci` installs it into its
node_modules (again only when the lock file changed). The test then does what the README's
"Clients" section says: generates newsdesk.d.ts from /api/schema/?format=json, type-checks
it and the example strictly, and runs the example, which signs in with a token, lists quotes
with filters, creates a span, gets 409 on a stale version and streams the JSONL export,
printing one JSON line per step. The README shows example.ts as it is (checked below).

Without node or npm the test skips locally and FAILS in CI (CI=true), like the browser tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from annotations.models import Span
from newsdesk.roles import EDITORS, VIEWERS
from tests.factories import ArticleFactory, EditorFactory, EntityFactory, SpanFactory

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "clients" / "typescript"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
INSTALLED = PROJECT / "node_modules" / ".installed-lock"  # the lock file's hash after npm ci


def npm(*args: str, env: dict[str, str] | None = None) -> str:
    """Runs `npm ARGS` in clients/typescript; its stdout, or a failure that shows its output."""
    result = subprocess.run(
        ["npm", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
    if result.returncode:
        pytest.fail(
            f"npm {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


@pytest.fixture(scope="session")
def typescript_project() -> Path:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not found (apt-get install nodejs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    lock = hashlib.sha256((PROJECT / "package-lock.json").read_bytes()).hexdigest()
    if not INSTALLED.exists() or INSTALLED.read_text() != lock:
        npm("ci", "--no-audit", "--no-fund", "--prefer-offline")
        INSTALLED.write_text(lock)
    return PROJECT


def readme_block(language: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**TypeScript**") : readme.index("## Who is quoted")]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_readme_shows_the_example_as_it_is():
    assert readme_block("ts") == (PROJECT / "example.ts").read_text(encoding="utf-8")
    commands = readme_block("sh")
    for command in ("npm ci", "npm run types", "npm run --silent example"):
        assert command in commands


@pytest.mark.django_db(transaction=True)
def test_the_typescript_client_works_against_a_live_server(
    typescript_project, live_server, settings
):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    for name in (EDITORS, VIEWERS):  # a transactional test's flush removed the migration's
        Group.objects.get_or_create(name=name)
    editor = EditorFactory(username="ada")
    article = ArticleFactory(body="Jane Doe said the bridge reopens in May. Bob Roe said no.")
    jane = EntityFactory(name="Jane Doe")
    bob = EntityFactory(name="Bob Roe")
    SpanFactory(article=article, kind="quote", start=18, end=39, entity=None, speaker=jane)
    SpanFactory(article=article, kind="quote", start=54, end=56, entity=None, speaker=bob)
    env = {
        "NEWSDESK_URL": live_server.url,
        "NEWSDESK_USER": "ada",
        "NEWSDESK_PASSWORD": PASSWORD,
        "NEWSDESK_ARTICLE": str(article.pk),
        "NEWSDESK_SPEAKER": str(jane.pk),
    }

    npm("run", "types", env=env)  # openapi-typescript, then tsc --noEmit --strict on its output
    types = (typescript_project / "newsdesk.d.ts").read_text(encoding="utf-8")
    assert '"/api/spans/{id}/"' in types
    assert '"application/jsonl": string' in types
    printed = npm("run", "--silent", "example", env=env)  # tsc --strict, then node

    steps = [json.loads(line) for line in printed.splitlines()]  # nothing but JSON lines
    assert steps[0] == {"quotes": ["bridge reopens in May"]}  # Bob's quote filtered out

    created = Span.objects.get(pk=steps[1]["created"])
    assert (created.article, created.kind, created.text) == (article, "mention", "Jane Doe")
    assert (created.entity, created.created_by) == (jane, editor)
    first_version = steps[1]["version"]
    assert steps[1]["text"] == "Jane Doe"
    assert steps[2] == {"updated": first_version + 1}

    # The stale PATCH changed nothing; the 409 carried the span as it is now.
    assert steps[3]["stale"] == 409
    assert (created.note, created.version) == ("checked", first_version + 1)
    assert steps[3]["current"]["note"] == "checked"
    assert steps[3]["current"]["version"] == created.version

    exported = [step["exported"] for step in steps[4:]]
    assert sorted(span["id"] for span in exported) == sorted(
        Span.objects.filter(article=article).values_list("pk", flat=True)
    )
    for span in exported:
        assert span["text"] == article.body[span["start"] : span["end"]]
