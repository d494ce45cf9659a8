import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Claim, Entity, Span, SpanKind, SpanStatus
from tests.factories import (
    ClaimFactory,
    EntityAliasFactory,
    EntityFactory,
    SpanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def selection(article, text: str) -> dict:
    start = article.body.index(text)
    return {"start": start, "end": start + len(text), "text": text}


@pytest.fixture
def as_user(client, editor, viewer):
    def login(who: str):
        if who == "editor":
            client.force_login(editor)
        elif who == "viewer":
            client.force_login(viewer)
        elif who == "no-role":
            client.force_login(UserFactory())
        return client

    return login


WHO = [
    pytest.param("anonymous", id="anonymous"),
    pytest.param("no-role", id="no-role"),
    pytest.param("viewer", id="viewer"),
    pytest.param("editor", id="editor"),
]


def expect_write(response, who: str, ok_status: int = 302):
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif who in ("viewer", "no-role"):
        assert response.status_code == 403
    else:
        assert response.status_code == ok_status


# --- permission matrix over every write ------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_every_write_needs_an_editor(as_user, article, who):
    client = as_user(who)
    entity = EntityFactory(name="Jane Doe")
    alias = EntityAliasFactory(entity=entity, name="J. Doe")
    span = SpanFactory(
        article=article, quote="Jane Doe", entity=entity, status=SpanStatus.SUGGESTED
    )
    claim = ClaimFactory()
    writes = [
        (f"/articles/{article.pk}/spans/new/", {"kind": "quote", **selection(article, "We will")}),
        (f"/spans/{span.pk}/", {"version": span.version, "entity": entity.pk}),
        (f"/articles/{article.pk}/entities/{entity.pk}/tag-all/", {}),
        (f"/entities/{entity.pk}/aliases/", {"name": "Doe"}),
        (f"/entities/{entity.pk}/aliases/{alias.pk}/delete/", {}),
        (f"/entities/{entity.pk}/edit/", {"name": "Jane Doe", "kind": "PERSON", "version": 1}),
        (f"/claims/{claim.pk}/", {"verdict": "false", "version": claim.version}),
        (f"/spans/{span.pk}/accept/", {"version": span.version}),
        (f"/spans/{span.pk}/delete/", {"version": span.version + 1}),  # accepted: version 2
    ]
    for url, data in writes:
        expect_write(client.post(url, data), who)
    if who != "editor":
        assert Span.objects.count() == 1
        assert not Span.objects.filter(kind=SpanKind.QUOTE).exists()
        assert Claim.objects.get().verdict == "unreviewed"
        assert list(entity.aliases.values_list("name", flat=True)) == ["J. Doe"]
    else:
        assert not Span.objects.filter(pk=span.pk).exists()
        assert Span.objects.filter(kind=SpanKind.QUOTE).count() == 1


@pytest.mark.parametrize("who", WHO)
def test_forms_are_for_editors_but_span_details_for_readers(as_user, article, who):
    client = as_user(who)
    span = SpanFactory(article=article)
    form = client.get(f"/articles/{article.pk}/spans/new/", {"kind": "quote", "start": 0})
    detail = client.get(f"/spans/{span.pk}/", **HX)
    expect_write(form, who, ok_status=422)  # start without end: the form says so
    if who == "anonymous":
        assert detail["HX-Redirect"].startswith("/accounts/login/")
    elif who == "no-role":
        assert detail.status_code == 403
    else:
        assert detail.status_code == 200
        assert (b'name="version"' in detail.content) is (who == "editor")


# --- create ------------------------------------------------------------------------------------


def test_new_span_form_partial_and_page(editor_client, article):
    query = {"kind": "claim", **selection(article, "1,200 people use it daily")}
    partial = editor_client.get(f"/articles/{article.pk}/spans/new/", query, **HX)
    assert partial.status_code == 200
    assert partial.content.startswith(b'<div id="annotation-form"')
    assert b"1,200 people use it daily</textarea>" in partial.content  # statement prefilled
    page = editor_client.get(f"/articles/{article.pk}/spans/new/", query)
    assert b"<html" in page.content
    assert b'id="annotation-form"' in page.content


def test_new_span_form_reports_a_selection_that_is_not_the_text(editor_client, article):
    query = {"kind": "quote", "start": 0, "end": 8, "text": "John Roe"}
    response = editor_client.get(f"/articles/{article.pk}/spans/new/", query, **HX)
    assert response.status_code == 422
    assert "not the text sent" in response.content.decode()


def test_create_quote_with_new_speaker_htmx(editor_client, editor, article):
    data = {"kind": "quote", **selection(article, "We will have it open by May,")}
    data["speaker_name"] = "Jane  Doe"
    data["speaker"] = "new"
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 200
    span = Span.objects.get()
    assert (span.kind, span.text, span.speaker.name, span.created_by) == (
        "quote",
        "We will have it open by May,",
        "Jane Doe",
        editor,
    )
    content = response.content.decode()
    assert content.startswith('<div id="article-text"')
    assert f'data-span-id="{span.pk}" data-kind="quote"' in content
    assert 'id="annotation-form" class="annotation-form" data-state="closed" hx-swap-oob' in content
    # Fired at <body>: the requesting element may be gone by the time the answer arrives.
    assert json.loads(response["HX-Trigger"]) == {"spans-changed": {"target": "body"}}


def test_create_without_htmx_redirects_to_the_workspace(editor_client, article):
    data = {"kind": "quote", **selection(article, "We will")}
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.pk}/"
    assert Span.objects.get().speaker is None


def test_typed_name_picks_the_entity_with_that_alias(editor_client, article):
    blinken = EntityFactory(name="Antony Blinken")
    EntityAliasFactory(entity=blinken, name="Anthony Blinken")
    data = {"kind": "quote", **selection(article, "We will"), "speaker_name": "anthony blinken"}
    editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert Span.objects.get().speaker == blinken
    assert Entity.objects.count() == 1


def test_create_mention_offers_tag_all(editor_client, article):
    data = {
        "kind": "mention",
        **selection(article, "Springfield"),
        "entity_name": "Springfield",
        "entity": "new",
        "entity_kind": "GPE",
    }
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    entity = Entity.objects.get()
    assert entity.kind == "GPE"
    assert f"/articles/{article.pk}/entities/{entity.pk}/tag-all/" in response.content.decode()


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_invalid_create_is_422_with_the_form_and_writes_nothing(editor_client, article, htmx):
    data = {
        "kind": "mention",
        **selection(article, "Springfield"),
        "entity_name": "",
    }
    headers = HX if htmx else {}
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **headers)
    assert response.status_code == 422
    assert "Pick the entity this mentions" in response.content.decode()
    if htmx:
        assert response["HX-Retarget"] == "#annotation-form"
        assert response.content.startswith(b'<div id="annotation-form"')
    else:
        assert b"<html" in response.content
    assert not Span.objects.exists()


def test_mismatched_text_is_422_and_a_new_entity_is_rolled_back(editor_client, article):
    data = {
        "kind": "quote",
        "start": 0,
        "end": 8,
        "text": "John Roe",
        "speaker_name": "Nobody",
        "speaker": "new",
    }
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 422
    assert "not the text sent" in response.content.decode()
    assert not Entity.objects.exists()


def test_a_span_write_that_fails_rolls_back_the_new_entity(editor_client, article, monkeypatch):
    def refuse(**kwargs):
        assert Entity.objects.filter(name="Nobody").exists()  # created first, in the transaction
        raise ValidationError("The article was deleted meanwhile.", code="gone")

    monkeypatch.setattr(services, "span_create", refuse)
    data = {"kind": "quote", **selection(article, "We will"), "speaker_name": "Nobody"}
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 422
    assert "deleted meanwhile" in response.content.decode()
    assert not Entity.objects.exists()


def test_create_with_a_known_entity_writes_in_one_transaction_and_reads_the_text_once(
    editor_client, article
):
    entity = EntityFactory(name="Springfield", kind="GPE")
    SpanFactory(article=article, kind="quote", **selection(article, "We will"))
    data = {"kind": "mention", **selection(article, "Springfield"), "entity": str(entity.pk)}
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 200
    assert Span.objects.filter(kind="mention", entity=entity).exists()
    sql = [query["sql"] for query in queries]
    # span_create's transaction (a savepoint inside the test's) and the savepoint around its
    # insert; the form opens none around them.
    assert sum(statement.startswith("SAVEPOINT") for statement in sql) == 2
    # After the write, the spans once (for the text) and nothing for the side panel.
    after = sql[[i for i, s in enumerate(sql) if s.startswith("INSERT")][-1] + 1 :]
    reads = [s for s in after if s.startswith("SELECT")]
    assert len(reads) == 1
    assert "annotations_span" in reads[0]


def test_create_claim_with_statement_and_verdict(editor_client, article):
    data = {
        "kind": "claim",
        **selection(article, "1,200 people use it daily"),
        "claim_text": "  1,200 people use the bridge every day ",
        "verdict": "mostly_true",
        "claimant_name": "The council",
        "claimant": "new",
    }
    editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    claim = Span.objects.get().claim
    assert claim.text == "1,200 people use the bridge every day"
    assert claim.verdict == "mostly_true"
    assert claim.claimant.name == "The council"


def test_crlf_from_a_form_still_matches_the_body(editor_client):
    from tests.factories import ArticleFactory

    article = ArticleFactory(body="First paragraph ends.\nSecond one starts.")
    data = {"kind": "quote", "start": 6, "end": 28, "text": "paragraph ends.\r\nSecond"}
    editor_client.post(f"/articles/{article.pk}/spans/new/", data)
    assert Span.objects.get().text == "paragraph ends.\nSecond"


# --- edit, delete, accept ----------------------------------------------------------------------


def test_edit_changes_speaker_and_note(editor_client, article):
    span = SpanFactory(article=article, kind=SpanKind.QUOTE, quote="We will", entity=None)
    speaker = EntityFactory(name="Jane Doe")
    data = {"version": span.version, "speaker": speaker.pk, "note": "checked on tape"}
    response = editor_client.post(f"/spans/{span.pk}/", data, **HX)
    assert response.status_code == 200
    span.refresh_from_db()
    assert (span.speaker, span.note, span.version) == (speaker, "checked on tape", 2)
    assert "spans-changed" in response["HX-Trigger"]


def test_edit_with_a_stale_version_says_someone_else_changed_it(editor_client, article):
    span = SpanFactory(article=article, kind=SpanKind.QUOTE, quote="We will", entity=None)
    services.span_update(span=span, note="theirs")
    data = {"version": 1, "note": "mine"}
    response = editor_client.post(f"/spans/{span.pk}/", data, **HX)
    assert response.status_code == 409
    assert "changed it meanwhile" in response.content.decode()
    assert response["HX-Retarget"] == "#annotation-form"
    span.refresh_from_db()
    assert span.note == "theirs"
    # Both versions stay: theirs beside the note this editor typed, which "Keep mine" saves.
    html = response.content.decode()
    assert '<dd class="their-note">theirs</dd>' in html
    assert f'name="version" value="{span.version}"' in html
    assert ">\nmine</textarea>" in html
    assert "Keep mine" in html
    assert "Take theirs" in html

    keep = editor_client.post(f"/spans/{span.pk}/", {"version": span.version, "note": "mine"}, **HX)
    assert keep.status_code == 200
    span.refresh_from_db()
    assert span.note == "mine"


def test_edit_claim_verdict_through_the_span(editor_client, editor, article):
    span, _ = services.span_create(article=article, kind="claim", text="1,200 people")
    claim = span.claim
    data = {
        "version": span.version,
        "claim_version": claim.version,
        "claim_text": claim.text,
        "verdict": "false",
        "verdict_note": "The count was 800.",
        "note": "",
    }
    response = editor_client.post(f"/spans/{span.pk}/", data, **HX)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_note, claim.reviewed_by) == (
        "false",
        "The count was 800.",
        editor,
    )


def test_invalid_edit_is_422(editor_client, article):
    span = SpanFactory(article=article)
    data = {"version": span.version, "entity": "", "entity_name": ""}
    response = editor_client.post(f"/spans/{span.pk}/", data, **HX)
    assert response.status_code == 422
    assert "Pick the entity" in response.content.decode()


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_delete(editor_client, article, htmx):
    span = SpanFactory(article=article)
    headers = HX if htmx else {}
    response = editor_client.post(f"/spans/{span.pk}/delete/", {"version": 1}, **headers)
    assert response.status_code == (200 if htmx else 302)
    assert not Span.objects.exists()


def test_delete_stale_and_gone(editor_client, article):
    span = SpanFactory(article=article)
    services.span_update(span=span, note="changed")
    response = editor_client.post(f"/spans/{span.pk}/delete/", {"version": 1}, **HX)
    assert response.status_code == 409
    assert Span.objects.exists()
    Span.objects.all().delete()
    response = editor_client.post(f"/spans/{span.pk}/delete/", {"version": 2}, **HX)
    assert response.status_code == 409
    assert "deleted by someone else" in response.content.decode()


def test_accept_and_reject_suggestions(editor_client, article):
    entity = EntityFactory()
    good = SpanFactory(article=article, status=SpanStatus.SUGGESTED, entity=entity)
    bad = SpanFactory(
        article=article,
        kind=SpanKind.QUOTE,
        quote="We will",
        entity=None,
        status=SpanStatus.SUGGESTED,
    )
    assert editor_client.post(f"/spans/{good.pk}/accept/", {"version": 1}, **HX).status_code == 200
    assert editor_client.post(f"/spans/{bad.pk}/reject/", {"version": 1}, **HX).status_code == 200
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == ("accepted", "rejected")


def test_accepting_a_mention_without_entity_links_the_candidate_of_its_proposal(
    editor_client, article
):
    span = SpanFactory(
        article=article,
        status=SpanStatus.SUGGESTED,
        entity=None,
        proposal={"candidate": {"name": "Jane Doe", "kind": "PERSON"}},
    )
    response = editor_client.post(f"/spans/{span.pk}/accept/", {"version": 1}, **HX)
    assert response.status_code == 200
    span.refresh_from_db()
    assert (span.status, span.entity.name, span.entity.kind) == ("accepted", "Jane Doe", "PERSON")


def test_accepting_with_a_new_entity_but_no_name_is_422(editor_client, article):
    span = SpanFactory(article=article, status=SpanStatus.SUGGESTED, entity=None)
    data = {"version": 1, "entity": "new", "entity_name": ""}
    response = editor_client.post(f"/spans/{span.pk}/accept/", data, **HX)
    assert response.status_code == 422
    assert "Type the name of the new entity" in response.content.decode()
    assert response["HX-Retarget"] == "#annotation-form"
    span.refresh_from_db()
    assert span.status == SpanStatus.SUGGESTED


def test_tag_all(editor_client):
    from tests.factories import ArticleFactory

    article = ArticleFactory(body="Israel said. Then Israel’s envoy and Israeli troops; Israel.")
    israel = EntityFactory(name="Israel", kind="GPE")
    SpanFactory(article=article, quote="Israel", entity=israel)
    response = editor_client.post(f"/articles/{article.pk}/entities/{israel.pk}/tag-all/", **HX)
    assert "Tagged 2 more mentions" in response.content.decode()
    assert Span.objects.filter(entity=israel).count() == 3
    editor_client.post(f"/articles/{article.pk}/entities/{israel.pk}/tag-all/", **HX)
    assert Span.objects.filter(entity=israel).count() == 3


# --- entities ----------------------------------------------------------------------------------


def test_autocomplete_matches_names_and_aliases(viewer_client):
    blinken = EntityFactory(name="Antony Blinken")
    EntityAliasFactory(entity=blinken, name="Secretary of State")
    EntityFactory(name="Benjamin Netanyahu")
    response = viewer_client.get("/entities/", {"field": "speaker", "speaker_name": "blin"}, **HX)
    content = response.content.decode()
    assert f'name="speaker" value="{blinken.pk}"' in content
    assert "Netanyahu" not in content
    # A candidate exists: it is preselected, "new" is never the default then.
    assert f'value="{blinken.pk}" checked' in content
    assert 'value="new" checked' not in content
    nobody = viewer_client.get("/entities/", {"field": "speaker", "speaker_name": "Zed"}, **HX)
    assert 'value="new" checked' in nobody.content.decode()
    response = viewer_client.get(
        "/entities/", {"field": "speaker", "speaker_name": "secretary"}, **HX
    )
    assert "“Secretary of State”" in response.content.decode()
    exact = viewer_client.get(
        "/entities/", {"field": "speaker", "speaker_name": "antony blinken"}, **HX
    )
    assert f'value="{blinken.pk}" checked' in exact.content.decode()


def test_close_names_are_offered_first_with_their_uses(
    viewer_client, django_assert_max_num_queries
):
    antony = EntityFactory(name="Antony Blinken")
    SpanFactory(kind=SpanKind.QUOTE, quote="We will", speaker=antony, entity=None)
    EntityFactory(name="Blinkenhof Group", kind="ORG")
    EntityFactory(name="Anthony Hopkins")

    with django_assert_max_num_queries(8):
        response = viewer_client.get(
            "/entities/", {"field": "speaker", "speaker_name": "Anthony Blinken"}, **HX
        )

    content = response.content.decode()
    # "Antony" for "Anthony": the close match comes first, preselected, with its use count.
    assert content.index("Antony Blinken") < content.index("Anthony Hopkins")
    assert f'value="{antony.pk}" checked' in content
    assert "used 1 time" in content
    surname = viewer_client.get("/entities/", {"field": "speaker", "speaker_name": "Blinken"}, **HX)
    assert f'value="{antony.pk}" checked' in surname.content.decode()


def test_a_typed_name_sent_before_the_choices_does_not_duplicate_a_close_match(
    editor_client, article
):
    antony = EntityFactory(name="Antony Blinken")
    data = {"kind": "quote", **selection(article, "We will")}

    response = editor_client.post(
        f"/articles/{article.pk}/spans/new/", {**data, "speaker_name": "Anthony Blinken"}, **HX
    )

    assert response.status_code == 422
    assert "Antony Blinken exists" in response.content.decode()
    assert Entity.objects.filter(name__icontains="blinken").get() == antony


def test_entity_directory_without_htmx(viewer_client):
    entity = EntityFactory(name="Antony Blinken")
    response = viewer_client.get("/entities/", {"q": "blinken"})
    assert b"<html" in response.content
    assert f'href="/entities/{entity.pk}/"' in response.content.decode()


def test_entity_page_lists_quotes_and_mentions(viewer_client, django_assert_max_num_queries):
    from tests.factories import ArticleFactory

    entity = EntityFactory(name="Jane Doe")
    for _ in range(5):
        article = ArticleFactory()
        SpanFactory(article=article, entity=entity)
        SpanFactory(
            article=article, kind=SpanKind.QUOTE, quote="We will", entity=None, speaker=entity
        )
    with django_assert_max_num_queries(10):
        response = viewer_client.get(f"/entities/{entity.pk}/")
    assert response.context["quotes"].paginator.count == 5
    assert response.context["mentions"].paginator.count == 5
    assert b"Add alias" not in response.content  # viewers read only


def test_the_entity_page_lists_suggested_quotes_apart_from_accepted_ones(viewer_client):
    entity = EntityFactory(name="Jane Doe")
    accepted = SpanFactory(kind=SpanKind.QUOTE, quote="We will", entity=None, speaker=entity)
    suggested = SpanFactory(
        kind=SpanKind.QUOTE,
        quote="We will",
        entity=None,
        speaker=entity,
        status=SpanStatus.SUGGESTED,
    )

    response = viewer_client.get(f"/entities/{entity.pk}/")

    assert list(response.context["quotes"]) == [accepted]
    assert list(response.context["suggested_quotes"]) == [suggested]
    assert b"Suggested, not yet reviewed" in response.content


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_alias_add_and_remove(editor_client, htmx):
    entity = EntityFactory(name="Antony Blinken")
    headers = HX if htmx else {}
    response = editor_client.post(f"/entities/{entity.pk}/aliases/", {"name": "Blinken"}, **headers)
    alias = entity.aliases.get()
    assert alias.name == "Blinken"
    if htmx:
        assert response.content.lstrip().startswith(b'<section id="aliases"')
    else:
        assert response.status_code == 302
    editor_client.post(f"/entities/{entity.pk}/aliases/{alias.pk}/delete/", **headers)
    assert not entity.aliases.exists()


def test_alias_add_invalid_is_422(editor_client):
    entity = EntityFactory()
    response = editor_client.post(f"/entities/{entity.pk}/aliases/", {"name": "  "}, **HX)
    assert response.status_code == 422
    assert b'<section id="aliases"' in response.content


def test_entity_edit_and_stale(editor_client):
    entity = EntityFactory(name="Anthony Blinken")
    data = {"name": "Antony Blinken", "kind": "PERSON", "version": 1}
    response = editor_client.post(f"/entities/{entity.pk}/edit/", data, **HX)
    assert response.status_code == 200
    entity.refresh_from_db()
    assert (entity.name, entity.version) == ("Antony Blinken", 2)
    data = {"name": "A. Blinken", "kind": "PERSON", "version": 1}
    response = editor_client.post(f"/entities/{entity.pk}/edit/", data, **HX)
    assert response.status_code == 409
    assert "changed by someone else meanwhile" in response.content.decode()
    response = editor_client.post(f"/entities/{entity.pk}/edit/", {"kind": "PERSON"}, **HX)
    assert response.status_code == 422


# --- claims ------------------------------------------------------------------------------------


def test_claims_queue_filters_by_verdict(viewer_client, django_assert_max_num_queries):
    for _ in range(6):
        ClaimFactory(text="open one")
    ClaimFactory(text="a false one", verdict="false")
    with django_assert_max_num_queries(8):
        response = viewer_client.get("/claims/")
    assert [c.text for c in response.context["page"]] == ["open one"] * 6
    false = viewer_client.get("/claims/", {"verdict": "false"}, **HX)
    assert false.content.lstrip().startswith(b'<div id="claim-list"')
    assert b"a false one" in false.content
    assert b"open one" not in false.content
    everything = viewer_client.get("/claims/", {"verdict": "all"})
    assert len(everything.context["page"]) == 7


def test_claims_open_on_the_first_tab_with_claims_and_the_tabs_show_counts(viewer_client):
    ClaimFactory(text="not proven", verdict="unproven")
    ClaimFactory(text="a false one", verdict="false")

    response = viewer_client.get("/claims/")

    assert response.context["verdict"] == "false"  # Unreviewed has none; False comes first
    assert [c.text for c in response.context["page"]] == ["a false one"]
    tabs = {value: count for value, _, count in response.context["tabs"]}
    assert (tabs["unreviewed"], tabs["false"], tabs["unproven"]) == (0, 1, 1)
    assert response.context["total"] == 2
    assert b'Unproven <span class="count">1</span>' in response.content


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_claim_review(editor_client, editor, htmx):
    claim = ClaimFactory()
    headers = HX if htmx else {}
    data = {"verdict": "misleading", "verdict_note": "Out of context.", "version": 1}
    response = editor_client.post(f"/claims/{claim.pk}/", data, **headers)
    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == ("misleading", editor)
    if htmx:
        assert response.status_code == 200
        assert b'class="claim-row"' in response.content
    else:
        assert response.status_code == 302


def test_claim_review_invalid_and_stale(editor_client):
    claim = ClaimFactory()
    response = editor_client.post(f"/claims/{claim.pk}/", {"verdict": "maybe", "version": 1}, **HX)
    assert response.status_code == 422
    services.claim_update(claim=claim, verdict="true")
    response = editor_client.post(f"/claims/{claim.pk}/", {"verdict": "false", "version": 1}, **HX)
    assert response.status_code == 409
    assert "changed by someone else meanwhile" in response.content.decode()
    claim.refresh_from_db()
    assert claim.verdict == "true"
