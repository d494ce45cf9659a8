"""Blind layers: a private layer is seen by its assignee (and reviewers) until submitted; the
assignee sees nothing else of that article while working. Every list, export and suggestion
path is checked with two users."""

import pytest
from rest_framework.test import APIClient

from annotations import services, suggesting
from annotations.models import Span, SpanKind
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def blind():
    """Alice and Bob annotate one article blind; a shared span exists; Carol is an editor
    with no assignment; Rita reviews."""
    article = factories.ArticleFactory()
    alice, bob, carol = (factories.EditorFactory() for _ in range(3))
    rita = factories.ReviewerFactory()
    a = factories.AssignmentFactory(article=article, assignee=alice, blind=True)
    b = factories.AssignmentFactory(article=article, assignee=bob, blind=True)
    speaker = factories.EntityFactory(name="Jane Doe", kind="PERSON")
    shared = factories.SpanFactory(article=article, quote="bridge")
    alices, _ = services.span_create(
        article=article,
        kind=SpanKind.QUOTE,
        text="We will have it open by May,",
        speaker=speaker,
        user=alice,
        layer=a,
    )
    bobs, _ = services.span_create(
        article=article,
        kind=SpanKind.QUOTE,
        text="We will have it open by May,",
        user=bob,
        layer=b,
    )
    return {
        "article": article,
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "rita": rita,
        "a": a,
        "b": b,
        "shared": shared,
        "alices": alices,
        "bobs": bobs,
        "speaker": speaker,
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, getattr(response, "data", response)
    return {row["id"] for row in response.data["results"]}


def test_two_annotators_may_mark_the_same_words_in_their_layers(blind):
    assert blind["alices"].pk != blind["bobs"].pk
    assert blind["alices"].layer == blind["a"]


def test_span_list_default_is_the_shared_layer_or_your_own_while_working(blind):
    assert _ids(_client(blind["carol"]).get("/api/spans/")) == {blind["shared"].pk}
    # Alice works blind on the article: her layer stands in for the shared one.
    assert _ids(_client(blind["alice"]).get("/api/spans/")) == {blind["alices"].pk}
    assert _ids(_client(blind["bob"]).get("/api/spans/")) == {blind["bobs"].pk}


def test_assignment_param_to_whoever_may_see_it(blind):
    url = f"/api/spans/?assignment={blind['a'].pk}"
    assert _ids(_client(blind["alice"]).get(url)) == {blind["alices"].pk}
    assert _ids(_client(blind["rita"]).get(url)) == {blind["alices"].pk}
    assert _ids(_client(blind["bob"]).get(url)) == set()
    assert _ids(_client(blind["carol"]).get(url)) == set()
    assert _client(blind["carol"]).get("/api/spans/?assignment=x").status_code == 400


def test_after_submit_every_reader_but_a_working_annotator_sees_the_layer(blind):
    _client(blind["alice"]).post(f"/api/assignments/{blind['a'].pk}/submit/")
    url = f"/api/spans/?assignment={blind['a'].pk}"
    assert _ids(_client(blind["carol"]).get(url)) == {blind["alices"].pk}
    assert _ids(_client(blind["bob"]).get(url)) == set()  # still working on the article
    # Alice's own default list is the shared layer again.
    assert _ids(_client(blind["alice"]).get("/api/spans/")) == {blind["shared"].pk}


def test_span_detail_and_writes_of_another_layer_are_404(blind):
    url = f"/api/spans/{blind['alices'].pk}/"
    assert _client(blind["alice"]).get(url).status_code == 200
    assert _client(blind["rita"]).get(url).status_code == 200
    for who in ("bob", "carol"):
        client = _client(blind[who])
        assert client.get(url).status_code == 404
        assert client.patch(url, {"note": "x"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
        assert client.get(f"{url}history/").status_code in (200, 404)
    assert Span.objects.filter(pk=blind["alices"].pk).exists()


def test_history_holds_no_private_layer(blind):
    for who in ("alice", "bob", "carol"):
        response = _client(blind[who]).get(f"/api/spans/{blind['alices'].pk}/history/")
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.data["results"] == []
        history = _client(blind[who]).get(f"/api/articles/{blind['article'].pk}/history/")
        assert "open by May" not in str(history.data)


def test_nested_and_entity_lists_hide_layers(blind):
    article_url = f"/api/articles/{blind['article'].pk}/spans/"
    assert _ids(_client(blind["carol"]).get(article_url)) == {blind["shared"].pk}
    assert _ids(_client(blind["bob"]).get(article_url)) == set()  # working: no shared spans
    quotes_url = f"/api/entities/{blind['speaker'].pk}/quotes/"
    for who in ("alice", "bob", "carol", "rita"):
        assert _ids(_client(blind[who]).get(quotes_url)) == set()


def test_filters_never_reach_a_private_layer(blind):
    for who in ("bob", "carol"):
        client = _client(blind[who])
        for query in (
            "kind=quote",
            "q=May",
            f"speaker={blind['speaker'].pk}",
            f"created_by={blind['alice'].pk}",
            f"article={blind['article'].pk}",
            "status=accepted",
            "review_status=unreviewed",
        ):
            assert blind["alices"].pk not in _ids(client.get(f"/api/spans/?{query}")), query


def test_jsonl_export_never_holds_another_layer(blind):
    for who in ("bob", "carol"):
        response = _client(blind[who]).get("/api/spans/export/", HTTP_ACCEPT="application/jsonl")
        body = b"".join(response.streaming_content).decode()
        assert f'"id":{blind["alices"].pk},' not in body.replace(" ", "")


@pytest.mark.parametrize("fmt", ["w3c", "doccano", "conll"])
def test_article_exports_hold_no_layer_and_nothing_for_a_working_annotator(blind, fmt):
    url = f"/api/articles/{blind['article'].pk}/{fmt}/"
    carol = _client(blind["carol"]).get(url).content
    bob = _client(blind["bob"]).get(url).content
    # The same exports once the private layers are gone (and then the shared span too):
    # the layers never reached them, and a working annotator's held no shared span.
    Span.objects.filter(layer__isnull=False).delete()
    assert _client(blind["carol"]).get(url).content == carol
    blind["shared"].delete()
    assert _client(blind["carol"]).get(url).content == bob
    assert bob != carol


def test_workspace_shows_the_working_layer_only(client, blind):
    client.force_login(blind["bob"])
    html = client.get(f"/articles/{blind['article'].pk}/").content.decode()
    assert f'data-span-id="{blind["bobs"].pk}"' in html
    assert f'data-span-id="{blind["shared"].pk}"' not in html
    client.force_login(blind["carol"])
    html = client.get(f"/articles/{blind['article'].pk}/").content.decode()
    assert f'data-span-id="{blind["shared"].pk}"' in html
    assert f'data-span-id="{blind["alices"].pk}"' not in html
    assert f'data-span-id="{blind["bobs"].pk}"' not in html


def test_workspace_create_goes_into_the_working_layer(client, blind):
    client.force_login(blind["bob"])
    body = blind["article"].body
    start = body.index("Springfield")
    response = client.post(
        f"/articles/{blind['article'].pk}/spans/new/",
        {
            "kind": "mention",
            "start": start,
            "end": start + len("Springfield"),
            "text": "Springfield",
            "entity_name": "Springfield",
            "entity_kind": "GPE",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    made = Span.objects.get(text="Springfield")
    assert made.layer == blind["b"]


def test_htmx_span_views_do_not_open_a_private_span(client, blind):
    client.force_login(blind["carol"])
    assert client.get(f"/spans/{blind['alices'].pk}/").status_code == 404


def test_suggest_inside_a_layer_stays_in_it(blind):
    report = suggesting.article_suggest(
        article=blind["article"], user=blind["bob"], layer=blind["b"]
    )
    made = Span.objects.filter(layer=blind["b"], status="suggested")
    assert made.exists()
    assert sum(c.created for c in report.counts.values()) == made.count()
    assert _ids(_client(blind["carol"]).get("/api/spans/?status=suggested")) == set()


def test_api_suggest_of_a_working_annotator_goes_to_their_layer(blind):
    response = _client(blind["bob"]).post(f"/api/articles/{blind['article'].pk}/suggest/")
    assert response.status_code in (200, 201), response.data
    assert Span.objects.filter(layer=blind["b"], status="suggested").exists()
    assert not Span.objects.filter(layer__isnull=True, status="suggested").exists()


def test_only_the_assignee_writes_in_a_layer(blind):
    response = _client(blind["carol"]).post(
        "/api/spans/",
        {
            "article": blind["article"].pk,
            "kind": "mention",
            "text": "Springfield",
            "assignment": blind["a"].pk,
        },
        format="json",
    )
    assert response.status_code == 403
    response = _client(blind["alice"]).post(
        "/api/spans/",
        {
            "article": blind["article"].pk,
            "kind": "claim",
            "text": "1,200 people use it daily",
            "assignment": blind["a"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["layer"] == blind["a"].pk


@pytest.mark.parametrize("size", [10, 100])
def test_span_list_query_count_is_fixed_per_user(blind, django_assert_num_queries, size):
    factories.SpanFactory.create_batch(size - 1)  # with the shared one: size spans
    client = _client(blind["carol"])
    # session, user with roles, the page
    with django_assert_num_queries(3):
        response = client.get(f"/api/spans/?page_size={size}")
    assert len(response.data["results"]) == size
