"""Freshness: the workspace's poll answers 304 until what the user's page shows changes (in the
one layer they see), names who changed it, and lists who else has the article open; its
state lives in the database and the shared cache, so any process answers the same."""

import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from annotations import freshness, services
from annotations.models import HistoryEntry, Span, SpanKind, SpanStatus
from annotations.workspace import workspace_page
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

ROOT = Path(__file__).resolve().parents[2]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _poll(client, article, etag: str = ""):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(reverse("article-fresh", args=[article.pk]), headers=headers)


def _version(response) -> str:
    return re.search(r'data-spans-version="([^"]*)"', response.content.decode()).group(1)


def _changed_by(response) -> str:
    return re.search(r'data-changed-by="([^"]*)"', response.content.decode()).group(1)


def _others(response) -> list[str]:
    return re.findall(r'<span class="presence-name">([^<]*)</span>', response.content.decode())


def _create(article, user, text, layer=None, status=SpanStatus.ACCEPTED):
    span, _ = services.span_create(
        article=article,
        kind=SpanKind.CLAIM,
        text=text,
        user=user,
        layer=layer,
        status=status,
    )
    return span


@pytest.fixture
def team():
    article = factories.ArticleFactory()
    return {
        "article": article,
        "alice": factories.EditorFactory(username="alice"),
        "bob": factories.EditorFactory(username="bob"),
    }


# --- the version -------------------------------------------------------------------------------


def test_the_drawn_version_is_the_polled_version_in_either_layer(team):
    article, alice, bob = team["article"], team["alice"], team["bob"]
    _create(article, bob, "the bridge would reopen")
    _create(article, bob, "1,200 people use it daily", status=SpanStatus.SUGGESTED)
    rejected = _create(article, bob, "she told reporters")
    services.span_reject(span=rejected, user=bob)
    blind = factories.AssignmentFactory(article=article, assignee=alice, blind=True)
    _create(article, alice, "said on Monday", layer=blind)

    shared = workspace_page(article=article, can_edit=True)["spans_version"]
    private = workspace_page(article=article, can_edit=True, layer_id=blind.pk)["spans_version"]
    assert shared == freshness.spans_version(article_id=article.pk, layer_id=None)
    assert private == freshness.spans_version(article_id=article.pk, layer_id=blind.pk)
    assert shared != private
    assert freshness.spans_version(article_id=article.pk + 1000, layer_id=None) is None


def test_the_workspace_text_carries_the_version_it_was_drawn_at(team):
    article, alice, bob = team["article"], team["alice"], team["bob"]
    client = _client(alice)
    page = client.get(reverse("article-workspace", args=[article.pk]))
    before = _version(page)
    assert (
        f'data-fresh-url="{reverse("article-fresh", args=[article.pk])}"' in page.content.decode()
    )
    assert before == freshness.spans_version(article_id=article.pk, layer_id=None)

    _create(article, bob, "the bridge would reopen")
    after = _version(client.get(reverse("article-workspace", args=[article.pk])))
    assert after != before
    assert after == freshness.spans_version(article_id=article.pk, layer_id=None)


@pytest.mark.parametrize("change", ["create", "edit", "accept", "reject", "delete", "revise"])
def test_every_kind_of_change_by_another_user_changes_the_etag(team, change):
    article, alice, bob = team["article"], team["alice"], team["bob"]
    span = _create(article, bob, "the bridge would reopen", status=SpanStatus.SUGGESTED)
    client = _client(alice)
    first = _poll(client, article)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert _poll(client, article, etag).status_code == 304

    if change == "create":
        _create(article, bob, "1,200 people use it daily")
    elif change == "edit":
        services.span_update(span=span, note="Check the date.", user=bob)
    elif change == "accept":
        services.span_accept(span=span, user=bob)
    elif change == "reject":
        services.span_reject(span=span, user=bob)
    elif change == "delete":
        services.span_delete(span=span, user=bob)
    else:  # a new revision of the text: the page draws the new text
        from articles import services as article_services

        text = f"{article.title}\n\n{article.body} More.\n"
        article_services.article_revise(article=article, text=text, user=bob)

    second = _poll(client, article, etag)
    assert second.status_code == 200
    assert second.headers["ETag"] != etag
    assert _version(second) != _version(first)
    if change != "revise":
        assert _changed_by(second) == "bob"
    assert _poll(client, article, second.headers["ETag"]).status_code == 304


def test_your_own_change_names_nobody(team):
    article, alice = team["article"], team["alice"]
    client = _client(alice)
    etag = _poll(client, article).headers["ETag"]
    _create(article, alice, "the bridge would reopen")
    response = _poll(client, article, etag)
    assert response.status_code == 200
    assert _changed_by(response) == ""


def test_the_poll_never_writes_spans_and_viewers_may_poll(team):
    article, bob = team["article"], team["bob"]
    _create(article, bob, "the bridge would reopen")
    rows = list(Span.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    entries = HistoryEntry.objects.count()
    viewer = _client(factories.ViewerFactory(username="vera"))
    response = _poll(viewer, article)
    assert response.status_code == 200
    assert _poll(viewer, article, response.headers["ETag"]).status_code == 304
    assert list(Span.objects.order_by("pk").values_list("pk", "version", "updated_at")) == rows
    assert HistoryEntry.objects.count() == entries
    assert response.headers["Cache-Control"].startswith("max-age=0")
    assert "private" in response.headers["Cache-Control"]


def test_bad_requests(team, client):
    article = team["article"]
    url = reverse("article-fresh", args=[article.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith(reverse("login"))
    alice = _client(team["alice"])
    assert alice.get(reverse("article-fresh", args=[article.pk + 1000])).status_code == 404
    assert alice.post(url).status_code == 405
    nobody = _client(factories.UserFactory(username="nobody"))  # no role
    assert nobody.get(url).status_code == 403


# --- private layers ----------------------------------------------------------------------------


def test_a_blind_poll_concerns_only_the_users_own_layer(team):
    """Alice works blind; Carol reads the shared layer; Bob writes shared spans, Dana in her
    own blind layer. Nobody's poll moves for a layer they may not see, or names its author."""
    article, alice, bob = team["article"], team["alice"], team["bob"]
    carol = factories.EditorFactory(username="carol")
    dana = factories.EditorFactory(username="dana")
    mine = factories.AssignmentFactory(article=article, assignee=alice, blind=True)
    hers = factories.AssignmentFactory(article=article, assignee=dana, blind=True)
    alice_client, carol_client = _client(alice), _client(carol)
    alice_etag = _poll(alice_client, article).headers["ETag"]
    carol_first = _poll(carol_client, article)
    # Carol's arrival changed Alice's presence list: take Alice's answer after it.
    alice_etag = _poll(alice_client, article, alice_etag).headers["ETag"]
    carol_etag = _poll(carol_client, article, carol_first.headers["ETag"]).headers["ETag"]
    assert _poll(alice_client, article, alice_etag).status_code == 304
    assert _poll(carol_client, article, carol_etag).status_code == 304

    _create(article, bob, "the bridge would reopen")  # shared
    _create(article, dana, "said on Monday", layer=hers)  # Dana's private layer, later
    assert _poll(alice_client, article, alice_etag).status_code == 304  # she works blind
    carol_second = _poll(carol_client, article, carol_etag)
    assert carol_second.status_code == 200
    assert _changed_by(carol_second) == "bob"  # the last shared change, not Dana's
    carol_etag = carol_second.headers["ETag"]

    _create(article, dana, "on Monday that", layer=hers)
    assert _poll(alice_client, article, alice_etag).status_code == 304
    assert _poll(carol_client, article, carol_etag).status_code == 304

    _create(article, alice, "she told reporters", layer=mine)  # Alice's own layer
    alice_second = _poll(alice_client, article, alice_etag)
    assert alice_second.status_code == 200
    assert _changed_by(alice_second) == ""
    assert _poll(carol_client, article, carol_etag).status_code == 304
    # A deletion in the shared layer names its author too (its entry has no "after").
    services.span_delete(span=Span.objects.get(layer__isnull=True), user=dana)
    carol_third = _poll(carol_client, article, carol_etag)
    assert _changed_by(carol_third) == "dana"


# --- presence ----------------------------------------------------------------------------------


def test_two_users_see_each_other_and_never_themselves(team):
    article, alice, bob = team["article"], team["alice"], team["bob"]
    alice_client, bob_client = _client(alice), _client(bob)
    alone = _poll(alice_client, article)
    assert _others(alone) == []
    assert "Also here" not in alone.content.decode()

    assert _others(_poll(bob_client, article)) == ["alice"]
    again = _poll(alice_client, article, alone.headers["ETag"])
    assert again.status_code == 200  # the list changed, not the spans
    assert _version(again) == _version(alone)
    assert _others(again) == ["bob"]
    assert "Also here:" in again.content.decode()
    other_article = factories.ArticleFactory()
    assert _others(_poll(_client(factories.EditorFactory()), other_article)) == []


def test_presence_expires_and_is_rewritten_only_every_heartbeat(team, django_assert_num_queries):
    article, alice, bob = team["article"], team["alice"], team["bob"]
    t0 = 1_000_000.0
    assert freshness.presence_seen(article_id=article.pk, user=alice, now=t0) == []
    assert freshness.presence_seen(article_id=article.pk, user=bob, now=t0 + 1) == ["alice"]
    # Alice polls again within the heartbeat: a read, no write.
    with django_assert_num_queries(1):
        freshness.presence_seen(article_id=article.pk, user=alice, now=t0 + 5)
    seen_at = cache.get(f"newsdesk:presence:{article.pk}")[alice.pk][1]
    assert seen_at == t0
    # Alice leaves: Bob still sees her just under PRESENCE_SECONDS after her last write...
    late = t0 + freshness.PRESENCE_SECONDS - 0.5
    assert freshness.presence_seen(article_id=article.pk, user=bob, now=late) == ["alice"]
    # ...and no longer after it.
    gone = t0 + freshness.PRESENCE_SECONDS + 0.5
    assert freshness.presence_seen(article_id=article.pk, user=bob, now=gone) == []
    # A poll every few seconds keeps her listed however long she stays.
    for tick in range(0, 90, freshness.POLL_SECONDS):
        freshness.presence_seen(article_id=article.pk, user=alice, now=gone + tick)
        seen = freshness.presence_seen(article_id=article.pk, user=bob, now=gone + tick)
        assert seen == ["alice"]


# --- cost --------------------------------------------------------------------------------------


@pytest.mark.parametrize("spans", [10, 100])
def test_the_poll_costs_the_same_few_queries_at_any_size(team, spans, django_assert_num_queries):
    article, alice, bob = team["article"], team["alice"], team["bob"]
    article.body = " ".join(f"w{n:03d}" for n in range(spans))  # word n at 5n
    article.save()
    Span.objects.bulk_create(
        Span(
            article=article,
            kind=SpanKind.MENTION,
            status=SpanStatus.SUGGESTED,
            start=5 * n,
            end=5 * n + 4,
            text=f"w{n:03d}",
            created_by=bob,
        )
        for n in range(spans)
    )
    client = _client(alice)
    first = _poll(client, article)  # writes Alice's presence
    services.span_reject(span=Span.objects.filter(article=article).first(), user=bob)
    etag = _poll(client, article).headers["ETag"]
    # Unchanged: session, user with roles, blind layer, the spans' version, presence (a read).
    with django_assert_num_queries(5):
        unchanged = _poll(client, article, etag)
    assert unchanged.status_code == 304
    # Changed: and who changed it.
    with django_assert_num_queries(6):
        changed = _poll(client, article, first.headers["ETag"])
    assert changed.status_code == 200


# --- across processes ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_the_same_presence_and_changes(team):
    """A second Python process (another app server) with the same settings: it sees who this
    one noted as present, and the span it writes moves this process's version."""
    if connection.vendor != "postgresql":
        pytest.skip("the other process needs the test database by URL (PostgreSQL)")
    article, alice, bob = team["article"], team["alice"], team["bob"]
    before = freshness.spans_version(article_id=article.pk, layer_id=None)
    freshness.presence_seen(article_id=article.pk, user=alice, now=time.time())
    settings = connection.settings_dict
    auth = urllib.parse.quote(settings["USER"] or "")
    if settings.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(settings["PASSWORD"])
    url = f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    code = (
        "from django.contrib.auth import get_user_model; "
        "from annotations import freshness, services; from articles.models import Article; "
        f"bob = get_user_model().objects.get(pk={bob.pk}); "
        f"print(*freshness.presence_seen(article_id={article.pk}, user=bob)); "
        f"services.span_create(article=Article.objects.get(pk={article.pk}), kind='claim', "
        "text='the bridge would reopen', user=bob)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    env |= {"DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "k" * 50}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alice"
    assert freshness.presence_seen(article_id=article.pk, user=alice) == ["bob"]
    assert freshness.spans_version(article_id=article.pk, layer_id=None) != before
