"""Review views: Suggest, accept/reject (one or a kind), re-place orphans, quote matches,
duplicate entities and merge, history and restore. Each with and without htmx, 422, 409,
the role matrix, and bounded queries."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services, suggesting
from annotations.models import (
    Entity,
    HistoryAction,
    HistoryEntry,
    Span,
    SpanKind,
    SpanStatus,
)
from articles.services import article_revise
from tests.factories import ArticleFactory, EntityAliasFactory, EntityFactory, SpanFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}

# Sentences the quote, entity and claim suggesters all find something in.
NEWS = (
    "Jane Doe, the mayor of Springfield, spoke on Monday.\n\n"
    "“We will have the bridge open by May,” Doe said. “Nobody will wait longer.”\n\n"
    "The council said 1,200 people use it daily, up 40% from 2020.\n\n"
    "Officials in Shelbyville said the toll would rise to $4 next year."
)


@pytest.fixture
def news(db):
    return ArticleFactory(body=NEWS, title="Bridge to reopen")


def suggested(article, kind=None):
    spans = Span.objects.filter(article=article, status=SpanStatus.SUGGESTED)
    return spans.filter(kind=kind) if kind else spans


def orphan_of(article, quote="Jane Doe", **extra) -> Span:
    """A span whose text a revision of the article removed."""
    span = SpanFactory(article=article, quote=quote, **extra)
    article_revise(article=article, text=f"{article.title}\n\nThe bridge reopened in May.\n")
    span.refresh_from_db()
    assert span.status == SpanStatus.ORPHANED
    return span


# --- who may write ---------------------------------------------------------------------------

WHO = [
    pytest.param("anonymous", id="anonymous"),
    pytest.param("no-role", id="no-role"),
    pytest.param("viewer", id="viewer"),
    pytest.param("editor", id="editor"),
]


@pytest.mark.parametrize("who", WHO)
def test_every_review_write_needs_an_editor(client, editor, viewer, news, who):
    from tests.factories import UserFactory

    users = {"editor": editor, "viewer": viewer, "no-role": UserFactory()}
    if who in users:
        client.force_login(users[who])
    quote = SpanFactory(
        article=news, kind=SpanKind.QUOTE, quote="Nobody will wait longer.", entity=None
    )
    gone = SpanFactory(article=news, quote="Springfield")
    services.span_delete(span=gone)
    entry = HistoryEntry.objects.get(action=HistoryAction.DELETED)
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    start = news.body.index("Springfield")
    writes = [
        (f"/history/{entry.pk}/restore/", {}),
        (f"/articles/{news.pk}/suggest/", {}),
        (f"/articles/{news.pk}/suggestions/quote/accept/", {}),
        (f"/articles/{news.pk}/suggestions/claim/reject/", {}),
        (
            f"/spans/{quote.pk}/replace/",
            {"version": 1, "start": start, "end": start + 11, "text": "Springfield"},
        ),
        (
            "/entities/merge/",
            {"first": a.pk, "second": b.pk, "first_version": 1, "second_version": 1, "keep": a.pk},
        ),
    ]
    for url, data in writes:
        response = client.post(url, data)
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        elif who in ("viewer", "no-role"):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, url
    changed = who == "editor"
    assert suggested(news).exists() is changed
    assert not suggested(news, SpanKind.QUOTE).exists()  # all decided, or never suggested
    assert Span.objects.filter(article=news, status=SpanStatus.REJECTED).exists() is changed
    assert Span.objects.filter(pk=gone.pk).exists() is changed  # restored
    assert Entity.objects.filter(pk=b.pk).exists() is not changed  # merged away
    quote.refresh_from_db()
    assert (quote.text == "Springfield") is changed
    if not changed:
        assert not HistoryEntry.objects.exclude(action=HistoryAction.DELETED).exists()


def test_merge_page_and_duplicates_are_for_editors_only(client, viewer, editor):
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    client.force_login(viewer)
    assert client.get("/entities/merge/", {"first": a.pk, "second": b.pk}).status_code == 403
    assert client.get("/entities/duplicates/").status_code == 403
    listing = client.get("/entities/")
    assert b"Possible duplicates" not in listing.content
    client.force_login(editor)
    listing = client.get("/entities/")
    assert b"Possible duplicates" in listing.content
    assert f"first={a.pk}&amp;second={b.pk}" in listing.content.decode()


# --- suggest -----------------------------------------------------------------------------------


def test_suggest_htmx_renders_dashed_suggestions_and_says_what_it_found(editor_client, news):
    response = editor_client.post(f"/articles/{news.pk}/suggest/", **HX)
    assert response.status_code == 200
    spans = list(suggested(news))
    assert {s.kind for s in spans} == {"quote", "mention", "claim"}
    content = response.content.decode()
    assert content.startswith('<div id="article-text"')
    for span in spans:
        assert re.search(
            rf'class="hl hl-{span.kind} is-suggested[^"]*" data-span-id="{span.pk}"', content
        )
    status = re.search(r'<p id="workspace-status"[^>]*hx-swap-oob="true">([^<]*)</p>', content)
    assert status.group(1).startswith(f"{len(spans)} new suggestions: ")
    assert "spans-changed" in json.loads(response["HX-Trigger"])


def test_suggest_without_htmx_redirects_with_a_message(editor_client, news):
    response = editor_client.post(f"/articles/{news.pk}/suggest/", follow=True)
    assert response.redirect_chain == [(f"/articles/{news.pk}/", 302)]
    assert "new suggestions" in response.content.decode()
    again = editor_client.post(f"/articles/{news.pk}/suggest/", follow=True)
    assert "0 new suggestions." in again.content.decode()


def test_a_rejected_suggestion_does_not_come_back(editor_client, news):
    editor_client.post(f"/articles/{news.pk}/suggest/", **HX)
    quote = suggested(news, SpanKind.QUOTE).first()
    response = editor_client.post(f"/spans/{quote.pk}/reject/", {"version": 1}, **HX)
    assert response.status_code == 200
    again = editor_client.post(f"/articles/{news.pk}/suggest/", **HX)
    assert "rejected before, not offered again" in again.content.decode()
    assert not suggested(news).filter(start=quote.start, end=quote.end, kind="quote").exists()


def test_suggestions_panel_groups_by_kind_in_a_fixed_number_of_queries(
    viewer_client, django_assert_max_num_queries
):
    few, many = ArticleFactory(body=NEWS), ArticleFactory(body=(NEWS + "\n\n") * 12)
    suggesting.article_suggest(article=few)
    suggesting.article_suggest(article=many)
    assert suggested(many).count() > 10 * suggested(few).count() > 0
    viewer_client.get(f"/articles/{few.pk}/panel/", **HX)  # warm the session
    with CaptureQueriesContext(connection) as small:
        viewer_client.get(f"/articles/{few.pk}/panel/", **HX)
    with django_assert_max_num_queries(len(small)):
        response = viewer_client.get(f"/articles/{many.pk}/panel/", **HX)
    content = response.content.decode()
    groups = re.findall(r'<details class="suggestion-group" data-kind="(\w+)"', content)
    assert groups == ["quote", "mention", "claim"]
    assert f'Suggestions <span class="count">{suggested(many).count()}</span>' in content
    # Quotes and claims one row each; mentions one row per entity, "Israel ×12".
    mentions = suggested(many, SpanKind.MENTION).count()
    assert content.count('class="suggestion"') == suggested(many).count() - mentions
    counts = re.findall(r'<span class="count">×(\d+)</span>', content)
    assert sum(map(int, counts)) == mentions > len(counts) > 0
    assert b"Accept all" not in response.content  # viewers read only
    with django_assert_max_num_queries(len(small)):
        viewer_client.get(f"/articles/{many.pk}/")


def test_suggestion_rows_show_the_proposed_speaker_and_entity(editor_client, news):
    editor_client.post(f"/articles/{news.pk}/suggest/", **HX)
    content = editor_client.get(f"/articles/{news.pk}/").content.decode()
    assert "— Jane Doe" in content  # the quote's speaker, from the proposal
    # Mentions by entity: "Doe" alone counts under the name it stands for.
    assert re.search(r'>Jane Doe <span class="count">×\d+</span>', content)
    assert re.search(
        r'>Springfield <span class="count">×\d+</span></button>\s*'
        r'<div class="suggestion-meta"> <span class="kind-tag">[A-Z]+</span>',
        content,
    )
    assert "Accept all" in content
    assert "Reject all" in content


# --- accept and reject -------------------------------------------------------------------------


def test_accept_a_quote_with_its_suggested_speaker(editor_client, editor, news):
    suggesting.article_suggest(article=news)
    quote = suggested(news, SpanKind.QUOTE).get(text__startswith="We will have")
    assert (quote.proposal["speaker"], quote.note) == ("Jane Doe", "")
    form = editor_client.get(f"/spans/{quote.pk}/", **HX).content.decode()
    assert 'value="Jane Doe"' in form  # the speaker field offers the proposal
    assert "Suggested speaker: <strong>Jane Doe</strong>" in form
    response = editor_client.post(f"/spans/{quote.pk}/accept/", {"version": 1}, **HX)
    assert response.status_code == 200
    assert "Accepted quote — Jane Doe." in response.content.decode()
    quote.refresh_from_db()
    assert (quote.status, quote.speaker.name, quote.speaker.kind) == (
        "accepted",
        "Jane Doe",
        "PERSON",
    )


def test_accept_a_quote_with_another_speaker(editor_client, news):
    suggesting.article_suggest(article=news)
    quote = suggested(news, SpanKind.QUOTE).get(text__startswith="We will have")
    chosen = EntityFactory(name="John Roe")
    EntityAliasFactory(entity=chosen, name="Mayor Roe")
    data = {"version": 1, "speaker_name": "mayor roe"}  # typed, no radio: the alias picks it
    editor_client.post(f"/spans/{quote.pk}/accept/", data, **HX)
    quote.refresh_from_db()
    assert (quote.status, quote.speaker) == ("accepted", chosen)
    other = suggested(news, SpanKind.QUOTE).exclude(pk=quote.pk).first()
    data = {"version": other.version, "speaker": "new", "speaker_name": "Ann Smith"}
    editor_client.post(f"/spans/{other.pk}/accept/", data)
    other.refresh_from_db()
    assert other.speaker.name == "Ann Smith"


def test_accept_a_mention_picking_an_existing_entity(editor_client, news):
    suggesting.article_suggest(article=news)
    mention = suggested(news, SpanKind.MENTION).get(text="Springfield")
    town = EntityFactory(name="Springfield, Illinois", kind="GPE")
    editor_client.post(f"/spans/{mention.pk}/accept/", {"version": 1, "entity": town.pk}, **HX)
    mention.refresh_from_db()
    assert (mention.status, mention.entity) == ("accepted", town)


def test_accept_or_reject_a_stale_suggestion_is_409(editor_client, news):
    suggesting.article_suggest(article=news)
    quote = suggested(news, SpanKind.QUOTE).first()
    services.span_update(span=quote, note="someone else's note")
    for action in ("accept", "reject"):
        response = editor_client.post(f"/spans/{quote.pk}/{action}/", {"version": 1}, **HX)
        assert response.status_code == 409
        assert "changed by someone else meanwhile" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == SpanStatus.SUGGESTED


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_accept_all_and_reject_all_of_a_kind(
    editor_client, news, htmx, django_assert_max_num_queries
):
    suggesting.article_suggest(article=news)
    mentions = suggested(news, SpanKind.MENTION).count()
    headers = HX if htmx else {}
    with django_assert_max_num_queries(25):
        response = editor_client.post(f"/articles/{news.pk}/suggestions/mention/accept/", **headers)
    assert response.status_code == (200 if htmx else 302)
    accepted = Span.objects.filter(article=news, kind="mention", status="accepted")
    assert accepted.count() == mentions > 1
    assert all(span.entity_id for span in accepted)
    if htmx:
        assert f"Accepted {mentions} mention suggestions." in response.content.decode()
    claims = suggested(news, SpanKind.CLAIM).count()
    editor_client.post(f"/articles/{news.pk}/suggestions/claim/reject/", **headers)
    assert Span.objects.filter(article=news, kind="claim", status="rejected").count() == claims
    assert suggested(news, SpanKind.QUOTE).exists()  # other kinds untouched


def test_accept_all_of_an_unknown_kind_is_422(editor_client, news):
    response = editor_client.post(f"/articles/{news.pk}/suggestions/poem/accept/", **HX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#workspace-status"
    assert "Unknown kind" in response.content.decode()


# --- orphans: re-place ---------------------------------------------------------------------------


def test_orphans_are_listed_with_re_place_and_delete(editor_client, article):
    span = orphan_of(article, entity=EntityFactory(name="Jane Doe"))
    content = editor_client.get(f"/articles/{article.pk}/").content.decode()
    assert "Orphaned annotations" in content
    assert f'data-replace-url="/spans/{span.pk}/replace/"' in content
    assert "Yes, delete" in content
    assert content.count("data-span-id=") == 0  # an orphan has no highlight
    assert "revision 2" in content


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_re_place_an_orphan_on_new_text(editor_client, article, htmx):
    span = orphan_of(article)
    article.refresh_from_db()
    start = article.body.index("bridge")
    data = {"version": span.version, "start": start, "end": start + 6, "text": "bridge"}
    response = editor_client.post(f"/spans/{span.pk}/replace/", data, **(HX if htmx else {}))
    assert response.status_code == (200 if htmx else 302)
    span.refresh_from_db()
    assert (span.status, span.start, span.text) == ("accepted", start, "bridge")
    if htmx:
        assert "Re-placed the mention." in response.content.decode()


def test_re_place_with_text_that_is_not_there_is_422_and_stale_is_409(editor_client, article):
    span = orphan_of(article)
    data = {"version": span.version, "start": 0, "end": 3, "text": "xyz"}
    response = editor_client.post(f"/spans/{span.pk}/replace/", data, **HX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#annotation-form"
    assert "not the text sent" in response.content.decode()
    article.refresh_from_db()
    data = {"version": span.version - 1, "start": 4, "end": 10, "text": article.body[4:10]}
    response = editor_client.post(f"/spans/{span.pk}/replace/", data, **HX)
    assert response.status_code == 409
    span.refresh_from_db()
    assert span.status == SpanStatus.ORPHANED


# --- same quote elsewhere ------------------------------------------------------------------------


def test_quote_matches_partial_and_page(viewer_client, django_assert_max_num_queries):
    ours = ArticleFactory(body="He said: “We have their back today, we’ll have it tomorrow.”")
    theirs = ArticleFactory(
        title="<b>Other outlet</b>", body="“We have their back today. We’ll have it tomorrow.”"
    )
    mine = SpanFactory(
        article=ours,
        kind=SpanKind.QUOTE,
        entity=None,
        quote="We have their back today, we’ll have it tomorrow.",
    )
    speaker = EntityFactory(name="Antony Blinken")
    other = SpanFactory(
        article=theirs,
        kind=SpanKind.QUOTE,
        entity=None,
        speaker=speaker,
        quote="We have their back today. We’ll have it tomorrow.",
    )
    viewer_client.get("/claims/")  # warm the session
    with django_assert_max_num_queries(9):  # PostgreSQL reads the candidate articles first
        response = viewer_client.get(f"/spans/{mine.pk}/matches/", **HX)
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="matches" id="quote-matches"')
    assert f'href="/articles/{theirs.pk}/#span-{other.pk}"' in content
    assert "&lt;b&gt;Other outlet&lt;/b&gt;" in content
    assert "<b>" not in content
    assert "Antony Blinken" in content
    assert re.search(r"\d+%</span>", content)
    page = viewer_client.get(f"/spans/{mine.pk}/matches/")
    assert b"<html" in page.content
    assert b"Same quote elsewhere" in page.content


def test_quote_diff_marks_insertions_and_deletions(viewer_client):
    said = "We have their back today, and we will always stand resolutely against terrorism."
    printed = "We have their back today and we will always stand firmly against all terrorism."
    mine = SpanFactory(
        article=ArticleFactory(body=f"“{said}” he said."),
        kind=SpanKind.QUOTE,
        entity=None,
        quote=said,
    )
    SpanFactory(
        article=ArticleFactory(body=f"He said: “{printed}”"),
        kind=SpanKind.QUOTE,
        entity=None,
        quote=printed,
    )
    content = viewer_client.get(f"/spans/{mine.pk}/matches/", **HX).content.decode()
    assert '<del title="Only in this article">resolutely</del>' in content
    assert '<ins title="Only in the other article">firmly</ins>' in content
    assert re.search(r"<span>against</span> <ins[^>]*>all</ins> <span>terrorism</span>", content)
    assert "<span>we have their back today and we will always stand</span>" in content


def test_the_quote_panel_loads_its_matches(viewer_client, article):
    quote = SpanFactory(article=article, kind=SpanKind.QUOTE, quote="We will", entity=None)
    mention = SpanFactory(article=article)
    assert (
        f'hx-get="/spans/{quote.pk}/matches/"'
        in viewer_client.get(f"/spans/{quote.pk}/", **HX).content.decode()
    )
    assert b"/matches/" not in viewer_client.get(f"/spans/{mention.pk}/", **HX).content


# --- duplicate entities and merge ---------------------------------------------------------------


def test_entities_page_offers_likely_duplicates(editor_client, django_assert_max_num_queries):
    a = EntityFactory(name="Antony Blinken")
    b = EntityFactory(name="Anthony Blinken")
    for _ in range(3):
        SpanFactory(entity=a)
    editor_client.get("/claims/")  # warm the session
    with django_assert_max_num_queries(9):  # the entities marker is two aggregates
        response = editor_client.get("/entities/")
    [pair] = response.context["duplicates"]
    assert (pair.keep, pair.drop) == (a, b)  # the more used one is kept by default
    assert "Merge…" in response.content.decode()


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_merge_confirmation_then_merge(editor_client, htmx, django_assert_max_num_queries):
    a = EntityFactory(name="Antony Blinken")
    b = EntityFactory(name="Anthony Blinken")
    moved = [SpanFactory(entity=b) for _ in range(2)]
    headers = HX if htmx else {}
    with django_assert_max_num_queries(6):
        confirm = editor_client.get("/entities/merge/", {"first": a.pk, "second": b.pk}, **headers)
    content = confirm.content.decode()
    assert confirm.status_code == 200
    assert (b"<html" in confirm.content) is not htmx
    assert f'name="keep" value="{a.pk}" checked' in content
    assert "2 annotations" in content
    assert Entity.objects.filter(pk=b.pk).exists()  # nothing happens before the confirmation

    data = {"first": a.pk, "second": b.pk, "first_version": 1, "second_version": 1, "keep": a.pk}
    response = editor_client.post("/entities/merge/", data, **headers)
    if htmx:
        assert response.status_code == 200
        assert response.content.lstrip().startswith(b'<section id="duplicates"')
        assert "Merged “Anthony Blinken” into" in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == f"/entities/{a.pk}/"
    assert not Entity.objects.filter(pk=b.pk).exists()
    assert all(Span.objects.get(pk=s.pk).entity_id == a.pk for s in moved)
    assert list(a.aliases.values_list("name", flat=True)) == ["Anthony Blinken"]


def test_merge_keeping_the_second_one(editor_client):
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    data = {"first": a.pk, "second": b.pk, "first_version": 1, "second_version": 1, "keep": b.pk}
    editor_client.post("/entities/merge/", data, **HX)
    assert list(Entity.objects.values_list("name", flat=True)) == ["Issac Herzog"]


def test_merge_invalid_is_422_and_stale_is_409(editor_client):
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    base = {"first": a.pk, "second": b.pk, "first_version": 1, "second_version": 1}
    response = editor_client.post("/entities/merge/", {**base, "keep": 999999}, **HX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#duplicates"
    assert "Choose one of the two" in response.content.decode()
    same = {**base, "second": a.pk, "keep": a.pk}
    assert editor_client.post("/entities/merge/", same, **HX).status_code == 422
    services.entity_update(entity=b, description="changed meanwhile")
    response = editor_client.post("/entities/merge/", {**base, "keep": a.pk}, **HX)
    assert response.status_code == 409
    assert "changed by someone else meanwhile" in response.content.decode()
    assert Entity.objects.count() == 2


# --- history and restore -------------------------------------------------------------------------


def test_article_history_shows_who_did_what_with_previous_values(
    editor_client, editor, article, django_assert_max_num_queries
):
    speaker = EntityFactory(name="Jane Doe")
    span, _ = services.span_create(
        article=article, kind="quote", text="We will have it open by May,", user=editor
    )
    services.span_update(span=span, speaker=speaker, user=editor)
    services.span_delete(span=Span.objects.get(pk=span.pk), user=editor)
    mention = SpanFactory(article=article, quote="Springfield")
    for i in range(30):
        mention = services.span_update(span=mention, note=f"note {i}", user=editor)
    editor_client.get("/claims/")  # warm the session
    # One of them reads the threads of deleted spans (issue 16), however many there are.
    with django_assert_max_num_queries(10):
        response = editor_client.get(f"/articles/{article.pk}/history/")
    content = response.content.decode()
    rows = response.context["rows"]
    assert len(rows) == 33  # the quote created, changed, deleted; 30 updates of the mention
    deleted = next(r for r in rows if r.entry.action == "deleted")
    assert deleted.restorable
    assert deleted.what == "Quote"
    assert ("Speaker", "Jane Doe", "") in [(c.label, c.before, c.after) for c in deleted.changes]
    updated = next(r for r in rows if r.entry.action == "updated" and r.what == "Quote")
    assert [(c.label, c.before, c.after) for c in updated.changes] == [("Speaker", "—", "Jane Doe")]
    assert "Restore" in content
    assert editor.get_username() in content
    assert "Revision 1" in content


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_restore_a_deleted_span_from_history(editor_client, editor, article, htmx):
    span = SpanFactory(article=article, quote="Springfield")
    services.span_delete(span=span, user=editor)
    entry = HistoryEntry.objects.get(action=HistoryAction.DELETED)
    response = editor_client.post(f"/history/{entry.pk}/restore/", **(HX if htmx else {}))
    restored = Span.objects.get(pk=span.pk)
    assert (restored.text, restored.entity_id) == ("Springfield", span.entity_id)
    if htmx:
        assert response.status_code == 200
        assert response.content.lstrip().startswith(b'<li class="history-row"')
        assert b"Restored" in response.content
    else:
        assert response.status_code == 302
        assert response["Location"] == f"/articles/{article.pk}/#span-{span.pk}"
    again = editor_client.post(f"/history/{entry.pk}/restore/", **(HX if htmx else {}))
    assert again.status_code == 422
    assert "restored already" in again.content.decode()


def test_restore_is_only_for_deleted_spans(editor_client, editor, article):
    span = SpanFactory(article=article)
    services.span_update(span=span, note="x", user=editor)
    entry = HistoryEntry.objects.get(action=HistoryAction.UPDATED)
    assert editor_client.post(f"/history/{entry.pk}/restore/", **HX).status_code == 422


def test_entity_history_page(viewer_client, editor, django_assert_max_num_queries):
    keep = EntityFactory(name="Antony Blinken")
    drop = EntityFactory(name="Anthony Blinken")
    SpanFactory(entity=drop)
    services.entity_merge(keep=keep, drop=drop, user=editor)
    viewer_client.get("/claims/")  # warm the session
    with django_assert_max_num_queries(10):
        response = viewer_client.get(f"/entities/{keep.pk}/history/")
    content = response.content.decode()
    assert "Merged" in content
    assert "Anthony Blinken (merged)" in content  # the moved span's old entity, by name
    assert "Restore" not in content


def test_entity_directory_lists_entities_a_to_z_before_any_search(viewer_client):
    for name in ("Zed Org", "anne Smith", "Bob Jones"):
        EntityFactory(name=name)
    EntityFactory(name="Paris", kind="GPE")
    names = [e.name for e in viewer_client.get("/entities/").context["entities"]]
    assert names == ["anne Smith", "Bob Jones", "Paris", "Zed Org"]
    places = viewer_client.get("/entities/", {"kind": "GPE"}).context["entities"]
    assert [e.name for e in places] == ["Paris"]


def test_review_writes_cost_a_bounded_number_of_queries(
    editor_client, editor, django_assert_max_num_queries
):
    """Every write of these views, each in a fixed number of queries (measured on SQLite and
    PostgreSQL, a little room for the backends' differences)."""
    news = ArticleFactory(body=(NEWS + "\n\n") * 4)
    editor_client.get("/claims/")  # warm the session
    # Suggest: the known entities' and editors' decisions' cache keys, the entities built
    # when this process has not yet (3), the quote wordings (3); SQLite one INSERT more.
    with django_assert_max_num_queries(23):
        editor_client.post(f"/articles/{news.pk}/suggest/", **HX)
    assert suggested(news).count() > 20
    quote = suggested(news, SpanKind.QUOTE).first()
    with django_assert_max_num_queries(26):  # the speaker is created, the quote accepted
        editor_client.post(f"/spans/{quote.pk}/accept/", {"version": 1}, **HX)
    other = suggested(news, SpanKind.QUOTE).first()
    with django_assert_max_num_queries(16):
        editor_client.post(f"/spans/{other.pk}/reject/", {"version": 1}, **HX)
    with django_assert_max_num_queries(16):
        editor_client.post(f"/articles/{news.pk}/suggestions/mention/accept/", **HX)
    with django_assert_max_num_queries(13):
        editor_client.post(f"/articles/{news.pk}/suggestions/claim/reject/", **HX)
    article = ArticleFactory()
    orphan = orphan_of(article)
    article.refresh_from_db()
    start = article.body.index("bridge")
    data = {"version": orphan.version, "start": start, "end": start + 6, "text": "bridge"}
    with django_assert_max_num_queries(20):
        editor_client.post(f"/spans/{orphan.pk}/replace/", data, **HX)
    gone = SpanFactory(article=article, quote="May")
    services.span_delete(span=gone, user=editor)
    entry = HistoryEntry.objects.get(action=HistoryAction.DELETED, object_id=gone.pk)
    with django_assert_max_num_queries(20):
        editor_client.post(f"/history/{entry.pk}/restore/", **HX)
    keep, drop = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    for _ in range(5):
        SpanFactory(entity=drop)
    data = {"first": keep.pk, "second": drop.pk, "first_version": 1, "second_version": 1}
    with django_assert_max_num_queries(34):
        editor_client.post("/entities/merge/", {**data, "keep": keep.pk}, **HX)
    assert Span.objects.filter(entity=keep).count() == 5


def test_duplicates_list_alone_and_as_a_page(editor_client):
    EntityFactory(name="Isaac Herzog")
    EntityFactory(name="Issac Herzog")
    partial = editor_client.get("/entities/duplicates/", **HX)
    assert partial.content.lstrip().startswith(b'<section id="duplicates"')
    assert b"Issac Herzog" in partial.content
    page = editor_client.get("/entities/duplicates/")
    assert b"<html" in page.content
    assert b'id="duplicates"' in page.content
    gone = editor_client.get("/entities/merge/", {"first": 999998, "second": 999999}, **HX)
    assert gone.status_code == 409
    assert "no longer exists" in gone.content.decode()
