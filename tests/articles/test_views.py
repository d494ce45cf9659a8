import html
import re

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import SpanKind, SpanStatus, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    SpanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def article_text(content: bytes) -> str:
    """The text content of #article-text, as a browser would see it."""
    match = re.search(r'<div id="article-text"[^>]*>(.*?)</div>', content.decode(), re.S)
    assert match, "no #article-text"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def annotate(article, spans: int):
    """`spans` annotations of every kind over the article."""
    body = article.body
    for i in range(spans):
        start = i % (len(body) - 10)
        kind = [SpanKind.QUOTE, SpanKind.MENTION, SpanKind.CLAIM][i % 3]
        extra = {"entity": EntityFactory()} if kind == SpanKind.MENTION else {}
        if kind == SpanKind.QUOTE:
            extra = {"speaker": EntityFactory()}
        services.span_create(article=article, kind=kind, start=start, end=start + 7, **extra)


# --- article list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("anonymous", 302, id="anonymous"),
        pytest.param("no-role", 403, id="no-role"),
        pytest.param("viewer", 200, id="viewer"),
        pytest.param("editor", 200, id="editor"),
    ],
)
def test_read_pages_need_a_role(client, article, editor, viewer, who, status):
    users = {"viewer": viewer, "editor": editor, "no-role": UserFactory()}
    if who in users:
        client.force_login(users[who])
    for url in ("/", f"/articles/{article.pk}/", "/claims/", "/entities/"):
        response = client.get(url)
        assert response.status_code == status, url
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")


def test_anonymous_htmx_request_is_sent_to_login(client, article):
    response = client.get(f"/articles/{article.pk}/panel/", **HX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_article_list_full_page_and_partial(viewer_client):
    ArticleFactory(title="Bridge news")
    full = viewer_client.get("/")
    assert full.status_code == 200
    assert b"<html" in full.content
    assert b'id="article-list"' in full.content
    partial = viewer_client.get("/", **HX)
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert partial.content.lstrip().startswith(b'<div id="article-list">')
    assert b"Bridge news" in partial.content
    assert "HX-Request" in partial["Vary"]


def test_article_list_counts_search_and_filters(viewer_client):
    a = ArticleFactory(title="Harbour reopens", source="Daily")
    b = ArticleFactory(title="Election night", source="Weekly", body="Votes were counted late.")
    SpanFactory(article=a, quote="Jane Doe")
    SpanFactory(article=a, kind=SpanKind.QUOTE, quote="We will have it open by May,", entity=None)
    SpanFactory(article=a, kind=SpanKind.QUOTE, quote="she told", entity=None)
    SpanFactory(
        article=b,
        kind=SpanKind.MENTION,
        quote="Votes",
        status=SpanStatus.SUGGESTED,
        entity=None,
    )
    SpanFactory(article=b, kind=SpanKind.QUOTE, quote="late", status=SpanStatus.REJECTED)

    page = viewer_client.get("/").context["page"]
    rows = {x.title: x for x in page}
    assert (rows["Harbour reopens"].quote_count, rows["Harbour reopens"].mention_count) == (2, 1)
    assert rows["Harbour reopens"].suggested_count == 0
    # Suggestions count as live; rejected spans count nowhere.
    assert (rows["Election night"].mention_count, rows["Election night"].quote_count) == (1, 0)
    assert rows["Election night"].suggested_count == 1

    def titles(query):
        return [x.title for x in viewer_client.get("/", query).context["page"]]

    assert titles({"q": "harbour"}) == ["Harbour reopens"]
    assert titles({"q": "counted late"}) == ["Election night"]  # body text
    assert titles({"source": "Weekly"}) == ["Election night"]
    assert titles({"unreviewed": "on"}) == ["Election night"]


def test_article_list_paginates_with_a_constant_number_of_queries(
    viewer_client, django_assert_max_num_queries
):
    for _ in range(30):
        annotate(ArticleFactory(), 3)
    with django_assert_max_num_queries(8):
        response = viewer_client.get("/")
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.count == 30
    second = viewer_client.get("/", {"page": 2}).context["page"]
    assert len(second) == 5


# --- workspace ------------------------------------------------------------------------------


def test_workspace_highlights_every_span_with_its_attributes(viewer_client, article):
    quote = SpanFactory(article=article, kind=SpanKind.QUOTE, quote="We will", entity=None)
    mention = SpanFactory(article=article, quote="Jane Doe")
    suggested = SpanFactory(
        article=article,
        kind=SpanKind.CLAIM,
        quote="1,200 people",
        entity=None,
        status=SpanStatus.SUGGESTED,
    )
    SpanFactory(article=article, kind=SpanKind.QUOTE, quote="council", status="rejected")
    content = viewer_client.get(f"/articles/{article.pk}/").content.decode()
    for span in (quote, mention, suggested):
        assert f'data-span-id="{span.pk}" data-kind="{span.kind}"' in content
    assert content.count("data-span-id=") == 3  # the rejected one is not shown
    assert re.search(r'class="hl hl-claim is-suggested[^"]*" data-span-id', content)


def test_workspace_text_is_exactly_the_body_and_escaped(viewer_client):
    body = "Tom said “<script>alert(1)</script>” &amp; left.\n🇺🇸 😀\u00a0Next   line."
    article = ArticleFactory(body=body, title="<b>Title</b>")
    SpanFactory(article=article, kind=SpanKind.QUOTE, quote="<script>alert(1)</script>")
    SpanFactory(article=article, quote="alert", entity=EntityFactory(name="<i>x</i>"))
    response = viewer_client.get(f"/articles/{article.pk}/")
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<b>Title</b>" not in content
    assert "<i>x</i>" not in content
    assert article_text(response.content) == body


def test_workspace_queries_do_not_grow_with_spans(viewer_client, django_assert_max_num_queries):
    few, many = ArticleFactory(), ArticleFactory()
    annotate(few, 3)
    annotate(many, 60)
    viewer_client.get(f"/articles/{few.pk}/")  # warm the session
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(f"/articles/{few.pk}/")
    with CaptureQueriesContext(connection) as large:
        response = viewer_client.get(f"/articles/{many.pk}/")
    assert response.content.count(b"data-span-id=") >= 60
    assert len(large) == len(small)
    with django_assert_max_num_queries(6):
        viewer_client.get(f"/articles/{many.pk}/")


def fragment(name: str, key: str) -> str | None:
    return caches["template_fragments"].get(make_template_fragment_key(name, [key]))


def test_workspace_fragments_are_cached_and_every_change_shows(viewer_client, article):
    """The text and the panel come from the cache while nothing they show changed; a change
    that touches no span row (an entity renamed, a verdict given) shows at once all the same."""
    speaker = EntityFactory(name="Jane Doe")
    place = EntityFactory(name="Springfield")
    SpanFactory(article=article, kind=SpanKind.QUOTE, quote="We will", entity=None, speaker=speaker)
    SpanFactory(article=article, quote="Springfield", entity=place)
    claim = ClaimFactory(text="1,200 people use the bridge daily.")
    stated = SpanFactory(
        article=article, kind=SpanKind.CLAIM, quote="1,200 people", entity=None, claim=claim
    )
    url = f"/articles/{article.pk}/"
    first = viewer_client.get(url)
    text_key, panel_key = first.context["text_key"], first.context["panel_key"]
    cached = fragment("article-text", text_key)
    assert cached is not None
    assert cached in first.content.decode()
    assert fragment("side-panel", panel_key) is not None
    again = viewer_client.get(url)
    assert again.context["text_key"] == text_key
    assert article_text(again.content) == article.body

    services.entity_update(entity=place, name="Springfield, Illinois")
    services.claim_update(claim=claim, verdict=Verdict.FALSE)
    content = viewer_client.get(url).content.decode()
    assert 'title="Mention — Springfield, Illinois (' in content
    assert 'title="Claim — False"' in content
    assert '<span class="verdict verdict-false">False</span>' in content
    panel = viewer_client.get(f"/articles/{article.pk}/panel/", **HX).content.decode()
    assert ">Springfield, Illinois</button>" in panel

    services.span_delete(span=stated)
    content = viewer_client.get(url).content.decode()
    assert f'data-span-id="{stated.pk}"' not in content
    assert "No claims yet." in content


def test_cached_workspace_is_still_escaped(viewer_client):
    article = ArticleFactory(body="Tom said “<script>alert(1)</script>” &amp; left.")
    SpanFactory(article=article, kind=SpanKind.QUOTE, quote="<script>alert(1)</script>")
    for _ in range(2):  # a render, then the cached fragments
        content = viewer_client.get(f"/articles/{article.pk}/").content.decode()
        assert "<script>alert(1)" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_workspace_shows_editor_tools_only_to_editors(client, article, editor, viewer):
    client.force_login(viewer)
    content = client.get(f"/articles/{article.pk}/").content
    assert b'data-can-edit="false"' in content
    assert b"Read-only" in content
    client.force_login(editor)
    content = client.get(f"/articles/{article.pk}/").content
    assert b'data-can-edit="true"' in content
    assert b"Read-only" not in content


def test_panel_partial_and_full_page(viewer_client, article):
    speaker = EntityFactory(name="Jane Doe")
    SpanFactory(article=article, kind=SpanKind.QUOTE, quote="We will", entity=None, speaker=speaker)
    partial = viewer_client.get(f"/articles/{article.pk}/panel/", **HX)
    assert partial.content.lstrip().startswith(b'<aside id="side-panel"')
    assert b"Jane Doe" in partial.content
    assert b"<html" not in partial.content
    full = viewer_client.get(f"/articles/{article.pk}/panel/")
    assert b"<html" in full.content
    assert b'id="article-text"' in full.content
