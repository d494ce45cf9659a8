"""/api/articles/ and the per-article exports (W3C, doccano, CoNLL) through the real API client."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from annotations.models import Span, SpanKind, SpanStatus
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityFactory,
    SpanFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

ARTICLES = "/api/articles/"
W3C_TYPE = 'application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"'
on_sqlite = connection.vendor != "postgresql"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


def test_list_leaves_the_body_out_and_the_detail_has_it(viewer_api, article):
    listed = viewer_api.get(ARTICLES).json()["results"][0]
    detail = viewer_api.get(f"{ARTICLES}{article.id}/").json()

    assert "body" not in listed
    assert "original" not in listed
    assert detail["body"] == article.body
    assert {k: v for k, v in detail.items() if k not in {"body", "import_report"}} == listed
    assert viewer_api.get(f"{ARTICLES}999999/").status_code == 404


@pytest.fixture
def archive(db):
    old = ArticleFactory(
        title="Council votes to reopen the bridge", source="Gazette", body="The council voted."
    )
    Article.objects.filter(pk=old.pk).update(imported_at=timezone.now() - dt.timedelta(days=30))
    ArticleFactory(
        title="Minister visits Springfield", source="Herald", body="Bridges were discussed."
    )
    ArticleFactory(title="Weather", source="Herald", body="Rain in Springfield tomorrow.")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"q": "council"}, {"Council votes to reopen the bridge"}, id="q-title"),
        pytest.param({"q": "rain springfield"}, {"Weather"}, id="q-all-words"),
        pytest.param({"q": "SPRINGFIELD"}, {"Minister visits Springfield", "Weather"}, id="q-case"),
        pytest.param({"source": "Herald"}, {"Minister visits Springfield", "Weather"}, id="source"),
        pytest.param(
            {"imported_before": (timezone.now() - dt.timedelta(days=1)).isoformat()},
            {"Council votes to reopen the bridge"},
            id="imported_before",
        ),
        pytest.param(
            {"imported_after": str((timezone.now() - dt.timedelta(days=1)).date())},
            {"Minister visits Springfield", "Weather"},
            id="imported_after",
        ),
    ],
)
def test_article_filters(viewer_api, archive, query, expected):
    assert set(titles(viewer_api.get(ARTICLES, query))) == expected


def test_bad_article_filter_is_a_400(viewer_api):
    response = viewer_api.get(ARTICLES, {"imported_after": "last week"})
    assert response.status_code == 400
    assert "imported_after" in response.json()


def test_newest_import_first_and_ordering(viewer_api, archive):
    assert titles(viewer_api.get(ARTICLES))[-1] == "Council votes to reopen the bridge"
    assert titles(viewer_api.get(ARTICLES, {"ordering": "imported_at"}))[0] == (
        "Council votes to reopen the bridge"
    )


@pytest.mark.postgres
@pytest.mark.skipif(on_sqlite, reason="full-text search needs PostgreSQL")
def test_full_text_search_stems_and_takes_web_syntax(viewer_api, archive):
    assert titles(viewer_api.get(ARTICLES, {"q": "bridges"})) == [
        "Minister visits Springfield",
        "Council votes to reopen the bridge",
    ]
    assert titles(viewer_api.get(ARTICLES, {"q": "springfield -rain"})) == [
        "Minister visits Springfield"
    ]
    assert titles(viewer_api.get(ARTICLES, {"q": '"council voted"'})) == [
        "Council votes to reopen the bridge"
    ]


@pytest.mark.postgres
@pytest.mark.skipif(on_sqlite, reason="the GIN index exists on PostgreSQL only")
def test_full_text_search_uses_the_gin_index():
    from articles.selectors import api_article_list, article_search

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # A stored vector (0004) is cheap to filter by: without this, walking the newest-first
        # index can look as cheap on a tiny table, whatever earlier tests left in the statistics.
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = article_search(api_article_list(), "bridge").explain()
    assert "Bitmap Index Scan on article_search" in plan  # the GIN index of 0002 (or 0004)


def test_cursor_pages_and_query_count(viewer_api, django_assert_max_num_queries):
    for _ in range(130):
        ArticleFactory()
    seen = []
    url = f"{ARTICLES}?page_size=100"
    while url:
        with django_assert_max_num_queries(5):
            page = viewer_api.get(url).json()
        seen += [a["id"] for a in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 130
    with django_assert_max_num_queries(5):
        assert len(viewer_api.get(f"{ARTICLES}?page_size=10").json()["results"]) == 10


# --- exports ------------------------------------------------------------------------------------

BODY = (
    "Antony Blinken 🇺🇸 arrived in Jerusalem.\n\n"
    "“We are committed to Israel’s security,” Blinken told reporters.\u00a0He met "
    "Isaac Herzog, and said aid had risen 40% this year."
)


@pytest.fixture
def annotated(db):
    article = ArticleFactory(body=BODY, revision=3)
    blinken = EntityFactory(name="Antony Blinken", external_id="Q7916")
    herzog = EntityFactory(name="Isaac Herzog")
    place = EntityFactory(name="Jerusalem", kind="GPE")
    claim = ClaimFactory(text="Aid rose 40% this year.", verdict="mostly_true", claimant=blinken)
    spans = {
        "blinken": SpanFactory(article=article, entity=blinken, quote="Antony Blinken"),
        "jerusalem": SpanFactory(article=article, entity=place, quote="Jerusalem"),
        "surname": SpanFactory(article=article, entity=blinken, quote="Blinken told"),
        "herzog": SpanFactory(article=article, entity=herzog, quote="Isaac Herzog"),
        "quote": SpanFactory(
            article=article,
            kind=SpanKind.QUOTE,
            entity=None,
            speaker=blinken,
            quote="“We are committed to Israel’s security,”",
            note="on the record",
        ),
        "claim": SpanFactory(
            article=article,
            kind=SpanKind.CLAIM,
            entity=None,
            claim=claim,
            quote="aid had risen 40% this year",
        ),
        "rejected": SpanFactory(
            article=article,
            kind=SpanKind.QUOTE,
            entity=None,
            status=SpanStatus.REJECTED,
            quote="He met",
        ),
    }
    # "Blinken told" was a sloppy selection; narrow it to the name.
    start = BODY.index("Blinken told")
    spans["surname"].end = start + len("Blinken")
    spans["surname"].text = "Blinken"
    spans["surname"].save()
    return article, spans


def test_w3c_collection_selectors_match_the_body(viewer_api, annotated):
    article, spans = annotated

    response = viewer_api.get(f"{ARTICLES}{article.id}/w3c/")

    assert response.status_code == 200
    assert response["Content-Type"] == W3C_TYPE
    data = json.loads(response.content)
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert data["total"] == len(items) == 6  # the rejected suggestion is not exported
    for item in items:
        quote, position = item["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        assert quote["exact"] == BODY[position["start"] : position["end"]]
        assert BODY[: position["start"]].endswith(quote["prefix"])
        assert BODY[position["end"] :].startswith(quote["suffix"])
        assert item["target"]["source"].endswith(f"/api/articles/{article.id}/")
        assert item["target"]["state"]["type"] == "TimeState"
        assert item["target"]["state"]["id"].endswith("#revision=3")
    by_id = {item["id"].rsplit("/", 2)[-2]: item for item in items}
    motivations = {
        name: by_id[str(span.id)]["motivation"]
        for name, span in spans.items()
        if name != "rejected"
    }
    assert motivations == {
        "blinken": "identifying",
        "jerusalem": "identifying",
        "surname": "identifying",
        "herzog": "identifying",
        "quote": "highlighting",
        "claim": "assessing",
    }
    quote = by_id[str(spans["quote"].id)]
    sources = [b.get("source") for b in quote["body"]]
    assert any(s and s.endswith(f"/api/entities/{spans['quote'].speaker_id}/") for s in sources)
    assert "http://www.wikidata.org/entity/Q7916" in sources
    assert {
        "type": "TextualBody",
        "value": "on the record",
        "format": "text/plain",
        "purpose": "commenting",
    } in quote["body"]
    claim_values = [b.get("value") for b in by_id[str(spans["claim"].id)]["body"]]
    assert "mostly_true" in claim_values


def test_w3c_iris_are_the_objects_api_urls(viewer_api, annotated):
    """Every IRI in the export is the absolute URL of its object's API detail route."""
    article, spans = annotated
    data = viewer_api.get(f"{ARTICLES}{article.id}/w3c/", secure=True).json()

    def url(kind: str, pk: int) -> str:
        return f"https://testserver{reverse(f'api-{kind}-detail', args=[pk])}"

    items = {item["id"]: item for item in data["first"]["items"]}
    assert set(items) == {url("span", s.id) for name, s in spans.items() if name != "rejected"}
    sources = {b["source"] for i in items.values() for b in i["body"] if "source" in b}
    expected = {
        url("entity", s.speaker_id or s.entity_id)
        for s in spans.values()
        if s.speaker_id or s.entity_id
    }
    expected.add(url("claim", spans["claim"].claim_id))
    assert expected <= sources
    assert {i["target"]["source"] for i in items.values()} == {url("article", article.id)}


def test_w3c_names_the_editor_and_the_claimant(viewer_api, annotated):
    article, spans = annotated
    editor = EditorFactory(username="fact.checker")
    when = dt.datetime(2025, 1, 2, 10, 0, tzinfo=dt.UTC)
    Span.objects.filter(pk=spans["claim"].pk).update(created_by=editor, created_at=when)
    items = viewer_api.get(f"{ARTICLES}{article.id}/w3c/").json()["first"]["items"]
    claim = next(i for i in items if i["id"].endswith(f"/spans/{spans['claim'].id}/"))
    assert claim["creator"] == {"type": "Person", "nickname": "fact.checker"}
    assert claim["created"] == "2025-01-02T10:00:00Z"
    claimant = spans["claim"].claim.claimant
    tags = [b for b in claim["body"] if b.get("purpose") == "tagging"]
    assert any(b.get("source", "").endswith(f"/api/entities/{claimant.id}/") for b in tags)
    assert claimant.name in [b.get("value") for b in tags]
    others = [i for i in items if i["id"] != claim["id"] and "creator" in i]
    assert all(i["creator"]["nickname"] != "fact.checker" for i in others)


def test_w3c_positions_count_code_points(viewer_api, annotated):
    article, spans = annotated
    items = viewer_api.get(f"{ARTICLES}{article.id}/w3c/").json()["first"]["items"]
    herzog = next(i for i in items if i["id"].endswith(f"/spans/{spans['herzog'].id}/"))
    start = herzog["target"]["selector"][1]["start"]
    assert start == BODY.index("Isaac Herzog")
    assert len(BODY[:start].encode("utf-16-le")) // 2 == start + 2  # the flag is 2 astral chars


def test_w3c_can_be_asked_for_as_plain_json(viewer_api, annotated):
    article, _ = annotated
    response = viewer_api.get(f"{ARTICLES}{article.id}/w3c/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == "AnnotationCollection"


def test_doccano_labels_are_code_point_offsets(viewer_api, annotated):
    article, spans = annotated

    response = viewer_api.get(f"{ARTICLES}{article.id}/doccano/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["text"] == BODY
    labelled = {(BODY[s:e], label) for s, e, label in record["label"]}
    assert labelled == {
        ("Antony Blinken", "PERSON"),
        ("Jerusalem", "GPE"),
        ("Blinken", "PERSON"),
        ("Isaac Herzog", "PERSON"),
        ("“We are committed to Israel’s security,”", "QUOTE"),
        ("aid had risen 40% this year", "CLAIM"),
    }


def test_conll_tags_the_mentions_iob2(viewer_api, annotated):
    article, _ = annotated

    response = viewer_api.get(f"{ARTICLES}{article.id}/conll/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rows = [line.split("\t") for line in response.content.decode().splitlines() if line]
    entities, current = [], None
    for token, tag in rows:
        if tag.startswith("B-"):
            current = [token, tag[2:]]
            entities.append(current)
        elif tag.startswith("I-"):
            assert current is not None
            assert tag[2:] == current[1]
            current[0] += " " + token
        else:
            assert tag == "O"
            current = None
    assert entities == [
        ["Antony Blinken", "PERSON"],
        ["Jerusalem", "GPE"],
        ["Blinken", "PERSON"],
        ["Isaac Herzog", "PERSON"],
    ]
    assert "" in response.content.decode().split("\n")  # sentences are separated


def test_exports_of_an_unknown_article_are_404(viewer_api):
    for export in ("w3c", "doccano", "conll"):
        response = viewer_api.get(f"{ARTICLES}999999/{export}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No Article matches the given query."}


def test_export_query_count_does_not_grow_with_spans(viewer_api, django_assert_max_num_queries):
    article = ArticleFactory(body=" ".join(f"Name{i}" for i in range(200)))
    for i in range(0, 200, 2):
        SpanFactory(article=article, quote=f"Name{i} ")  # "Name1 " vs "Name10 ": unique
    for export in ("w3c", "doccano", "conll"):
        with django_assert_max_num_queries(6):
            assert viewer_api.get(f"{ARTICLES}{article.id}/{export}/").status_code == 200
