"""/api/spans/, /api/articles/<id>/spans/ and /api/spans/export/ through the real API client."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from annotations.models import Span, SpanKind, SpanStatus
from annotations.selectors import SPAN_API_FIELDS
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityFactory,
    SpanFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

SPANS = "/api/spans/"


def many_spans(n: int, **fields) -> list[Span]:
    """n spans over distinct words of one long article, oldest first, a second apart."""
    article = ArticleFactory(body=" ".join(f"w{i:04d}" for i in range(n)))
    base = timezone.now() - dt.timedelta(days=1)
    spans = Span.objects.bulk_create(
        Span(
            article=article,
            start=i * 6,
            end=i * 6 + 5,
            text=f"w{i:04d}",
            kind=fields.get("kind", SpanKind.QUOTE),
            **{k: v for k, v in fields.items() if k != "kind"},
        )
        for i in range(n)
    )
    for i, span in enumerate(spans):  # auto_now_add ignores given values: set them after
        Span.objects.filter(pk=span.pk).update(created_at=base + dt.timedelta(seconds=i))
    return list(Span.objects.filter(article=article).order_by("created_at"))


def all_pages(client, url: str) -> list[dict]:
    items = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        items += response.json()["results"]
        url = response.json()["next"]
    return items


# --- create ------------------------------------------------------------------------------------


def test_create_by_offsets_returns_the_span_shape(editor_api, article, editor):
    entity = EntityFactory(name="Jane Doe")
    start = article.body.index("Jane Doe")
    mention = {
        "article": article.id,
        "kind": "mention",
        "start": start,
        "end": start + 8,
        "entity": entity.id,
    }

    response = editor_api.post(SPANS, mention)

    assert response.status_code == 201, response.content
    data = response.json()
    assert list(data) == list(SPAN_API_FIELDS)
    assert data["text"] == "Jane Doe"
    assert (data["article"], data["entity"], data["created_by"]) == (
        article.id,
        entity.id,
        editor.id,
    )
    assert (data["status"], data["origin"], data["version"]) == ("accepted", "editor", 1)
    assert data["suffix"].startswith(" said on Monday")
    assert Span.objects.get(pk=data["id"]).created_by == editor
    assert editor_api.get(f"{SPANS}{data['id']}/").json() == data  # as read back
    # the same span again: 200 with the existing one, as read back
    twin = editor_api.post(SPANS, mention)
    assert (twin.status_code, twin.json()) == (200, data)


def test_create_by_text_finds_the_offsets_and_reports_ambiguity(editor_api):
    article = ArticleFactory(body="He said yes. She said yes. They said no.")

    found = editor_api.post(SPANS, {"article": article.id, "kind": "quote", "text": "no"})
    ambiguous = editor_api.post(SPANS, {"article": article.id, "kind": "quote", "text": "yes"})
    told_apart = editor_api.post(
        SPANS, {"article": article.id, "kind": "quote", "text": "yes", "prefix": "She said "}
    )
    absent = editor_api.post(SPANS, {"article": article.id, "kind": "quote", "text": "maybe"})

    assert found.status_code == 201
    assert (found.json()["start"], found.json()["end"]) == (37, 39)
    assert ambiguous.status_code == 400
    assert "occurs 2 times" in ambiguous.json()["text"][0]
    assert told_apart.status_code == 201
    assert told_apart.json()["start"] == article.body.index("She said yes") + 9
    assert absent.status_code == 400
    assert "does not occur" in absent.json()["text"][0]


def test_offsets_count_code_points_not_utf16_units(editor_api):
    body = "Fans 🎉🎉 cheered: “Ça va très bien” said Zoë\u00a0Ørsted."
    article = ArticleFactory(body=body)
    start = body.index("Ça va")

    response = editor_api.post(
        SPANS,
        {
            "article": article.id,
            "kind": "quote",
            "start": start,
            "end": start + len("Ça va très bien"),
            "text": "Ça va très bien",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["start"] == start == 18
    assert len(body[:start].encode("utf-16-le")) // 2 == 20  # what a browser would count


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        pytest.param(
            {"start": 0, "end": 10_000}, "start", "within the article body", id="past-end"
        ),
        pytest.param({"start": 9, "end": 3}, "end", "greater than start", id="reversed"),
        pytest.param({"start": 5, "end": 5}, "end", "greater than start", id="empty"),
        pytest.param({"start": -1, "end": 4}, "start", "greater than or equal to 0", id="negative"),
        pytest.param(
            {"start": 0, "end": 8, "text": "John Roe"},
            "text",
            "not the text sent",
            id="text-mismatch",
        ),
        pytest.param({"start": 3}, "non_field_errors", "Send both start and end", id="start-only"),
        pytest.param({}, "non_field_errors", "Send start and end, or the text", id="nothing"),
        pytest.param({"start": "x", "end": 4}, "start", "valid integer", id="not-a-number"),
        pytest.param(
            {"start": 0, "end": 8, "kind": "rumour"}, "kind", "not a valid choice", id="bad-kind"
        ),
        pytest.param(
            {"start": 0, "end": 8, "article": 999_999},
            "article",
            "does not exist",
            id="unknown-article",
        ),
        pytest.param(
            {"start": 0, "end": 8, "speaker": 999_999},
            "speaker",
            "does not exist",
            id="unknown-speaker",
        ),
        pytest.param({"start": 0, "end": 8, "speaker": 10**30}, "speaker", "", id="huge-id"),
        pytest.param(
            {"start": 0, "end": 8, "confidence": 1.5},
            "confidence",
            "less than or equal to 1",
            id="confidence>1",
        ),
        pytest.param(
            {"start": 0, "end": 8, "confidence": "nan"},
            "confidence",
            "valid number",
            id="confidence-nan",
        ),
        pytest.param(
            {"start": 0, "end": 8, "status": "orphaned"}, "status", "cannot be", id="orphaned"
        ),
    ],
)
def test_create_rejects_bad_input_with_a_400_naming_the_field(
    editor_api, article, payload, field, message
):
    body = {"article": article.id, "kind": "quote", **payload}

    response = editor_api.post(SPANS, body)

    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])
    assert not Span.objects.exists()


def test_mention_without_entity_is_rejected(editor_api, article):
    response = editor_api.post(
        SPANS, {"article": article.id, "kind": "mention", "text": "Jane Doe"}
    )

    assert response.status_code == 400
    assert response.json() == {"entity": ["A mention needs the entity it mentions."]}


def test_a_speaker_on_a_mention_is_rejected(editor_api, article):
    entity = EntityFactory()
    response = editor_api.post(
        SPANS,
        {
            "article": article.id,
            "kind": "mention",
            "text": "Jane Doe",
            "entity": entity.id,
            "speaker": entity.id,
        },
    )
    assert response.status_code == 400
    assert "Only quotes have a speaker" in response.json()["speaker"][0]


def test_creating_the_same_span_twice_returns_the_first(editor_api, article):
    payload = {"article": article.id, "kind": "quote", "text": "We will have it open by May,"}

    first = editor_api.post(SPANS, payload)
    second = editor_api.post(SPANS, payload)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Span.objects.count() == 1


def test_a_claim_span_without_a_claim_creates_one(editor_api, article):
    response = editor_api.post(
        SPANS, {"article": article.id, "kind": "claim", "text": "1,200 people use it daily."}
    )
    assert response.status_code == 201
    claim_id = response.json()["claim"]
    assert editor_api.get(f"/api/claims/{claim_id}/").json()["text"] == "1,200 people use it daily."


def test_a_suggester_may_post_suggestions_with_its_origin(editor_api, article):
    response = editor_api.post(
        SPANS,
        {
            "article": article.id,
            "kind": "mention",
            "text": "Springfield",
            "status": "suggested",
            "origin": "ner-v2",
            "confidence": 0.8,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "suggested"
    assert response.json()["origin"] == "ner-v2"
    assert response.json()["confidence"] == 0.8


def test_non_object_json_is_a_400(editor_api):
    response = editor_api.post(SPANS, [1, 2], format="json")
    assert response.status_code == 400
    assert "Expected a dictionary" in response.json()["non_field_errors"][0]


# --- read, update, delete ----------------------------------------------------------------------


def test_detail_and_unknown_id(viewer_api):
    span = SpanFactory()
    assert viewer_api.get(f"{SPANS}{span.id}/").json()["text"] == "Jane Doe"
    missing = viewer_api.get(f"{SPANS}999999/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No Span matches the given query."}
    assert viewer_api.get(f"{SPANS}99999999999999999999999/").status_code == 404


def test_patch_with_current_version_changes_and_bumps_it(editor_api):
    span = SpanFactory()
    entity = EntityFactory()

    response = editor_api.patch(
        f"{SPANS}{span.id}/", {"note": "checked", "entity": entity.id, "version": 1}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["note"], response.json()["entity"]) == ("checked", entity.id)
    assert response.json()["version"] == 2
    span.refresh_from_db()
    assert (span.note, span.entity_id, span.version) == ("checked", entity.id, 2)


def test_patch_with_a_stale_version_is_a_409_with_the_current_span(editor_api):
    span = SpanFactory()
    editor_api.patch(f"{SPANS}{span.id}/", {"note": "first", "version": 1})

    response = editor_api.patch(f"{SPANS}{span.id}/", {"note": "second", "version": 1})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert "changed by someone else" in body["detail"]
    assert (body["current"]["note"], body["current"]["version"]) == ("first", 2)
    span.refresh_from_db()
    assert span.note == "first"


def test_patch_moves_a_span_and_checks_the_new_offsets(editor_api, article):
    span = SpanFactory(article=article, kind=SpanKind.QUOTE, quote="Jane Doe")
    start = article.body.index("Springfield")

    moved = editor_api.patch(f"{SPANS}{span.id}/", {"start": start, "end": start + 11})
    bad = editor_api.patch(f"{SPANS}{span.id}/", {"start": start, "end": start - 1})

    assert moved.status_code == 200
    assert moved.json()["text"] == "Springfield"
    assert moved.json()["prefix"].endswith("told reporters in ")
    assert bad.status_code == 400
    assert "greater than start" in bad.json()["end"][0]


@pytest.mark.parametrize("field", ["kind", "article", "origin", "prefix"])
def test_identity_fields_cannot_change(editor_api, field):
    span = SpanFactory(kind=SpanKind.QUOTE)
    value = {"kind": "claim", "article": ArticleFactory().id, "origin": "bot", "prefix": "x"}[field]

    response = editor_api.patch(f"{SPANS}{span.id}/", {field: value})

    assert response.status_code == 400
    assert "cannot be changed" in response.json()[field][0]


def test_put_of_the_unchanged_representation_is_accepted(editor_api):
    span = SpanFactory(kind=SpanKind.QUOTE)
    data = editor_api.get(f"{SPANS}{span.id}/").json()

    response = editor_api.put(f"{SPANS}{span.id}/", {**data, "note": "ok"})

    assert response.status_code == 200, response.content
    assert response.json()["note"] == "ok"


def test_reject_then_accept_through_status(editor_api):
    span = SpanFactory(kind=SpanKind.QUOTE, status=SpanStatus.SUGGESTED, entity=None)
    assert (
        editor_api.patch(f"{SPANS}{span.id}/", {"status": "rejected"}).json()["status"]
        == "rejected"
    )
    assert (
        editor_api.patch(f"{SPANS}{span.id}/", {"status": "accepted"}).json()["status"]
        == "accepted"
    )


def test_delete_with_and_without_version(editor_api):
    kept, gone = SpanFactory(kind=SpanKind.QUOTE), SpanFactory(kind=SpanKind.QUOTE)

    stale = editor_api.delete(f"{SPANS}{kept.id}/?version=7")
    not_a_number = editor_api.delete(f"{SPANS}{kept.id}/?version=x")
    deleted = editor_api.delete(f"{SPANS}{gone.id}/?version=1")

    assert stale.status_code == 409
    assert not_a_number.status_code == 400
    assert deleted.status_code == 204
    assert list(Span.objects.values_list("id", flat=True)) == [kept.id]
    assert editor_api.delete(f"{SPANS}{gone.id}/").status_code == 404


# --- filters and ordering -----------------------------------------------------------------------


@pytest.fixture
def corpus(db):
    """A small, varied set of spans to filter."""
    first, second = ArticleFactory(), ArticleFactory()
    blinken, herzog = EntityFactory(name="Antony Blinken"), EntityFactory(name="Isaac Herzog")
    claim = ClaimFactory()
    other_editor = EditorFactory()
    spans = {
        "mention": SpanFactory(article=first, kind="mention", entity=blinken, quote="Jane Doe"),
        "quote": SpanFactory(
            article=first, kind="quote", speaker=blinken, quote="We will have it open by May,"
        ),
        "claim": SpanFactory(
            article=second, kind="claim", claim=claim, quote="1,200 people use it daily."
        ),
        "suggested": SpanFactory(
            article=second,
            kind="mention",
            entity=herzog,
            status="suggested",
            origin="gazetteer",
            quote="Springfield",
            created_by=other_editor,
        ),
    }
    Span.objects.filter(pk=spans["mention"].pk).update(
        created_at=timezone.now() - dt.timedelta(days=10)
    )
    return {
        "spans": spans,
        "first": first,
        "blinken": blinken,
        "herzog": herzog,
        "claim": claim,
        "other_editor": other_editor,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(lambda c: "kind=quote", {"quote"}, id="kind"),
        pytest.param(lambda c: "kind=quote&kind=claim", {"quote", "claim"}, id="kind-several"),
        pytest.param(lambda c: "status=suggested", {"suggested"}, id="status"),
        pytest.param(lambda c: f"article={c['first'].id}", {"mention", "quote"}, id="article"),
        pytest.param(lambda c: f"entity={c['blinken'].id}", {"mention"}, id="entity"),
        pytest.param(lambda c: f"speaker={c['blinken'].id}", {"quote"}, id="speaker"),
        pytest.param(lambda c: f"claim={c['claim'].id}", {"claim"}, id="claim"),
        pytest.param(lambda c: "origin=gazetteer", {"suggested"}, id="origin"),
        pytest.param(
            lambda c: f"created_by={c['other_editor'].id}", {"suggested"}, id="created_by"
        ),
        pytest.param(
            lambda c: f"created_before={(timezone.now() - dt.timedelta(days=5)).date()}",
            {"mention"},
            id="created_before-date",
        ),
        pytest.param(
            lambda c: (
                "created_after="
                + (timezone.now() - dt.timedelta(days=5)).isoformat().replace("+00:00", "Z")
            ),
            {"quote", "claim", "suggested"},
            id="created_after-datetime",
        ),
        pytest.param(lambda c: "q=OPEN BY may", {"quote"}, id="q-text"),
        pytest.param(lambda c: "q=nothing like this", set(), id="q-none"),
    ],
)
def test_span_filters(viewer_api, corpus, query, expected):
    names = {span.id: name for name, span in corpus["spans"].items()}

    response = viewer_api.get(f"{SPANS}?{query(corpus)}")

    assert response.status_code == 200, response.content
    assert {names[item["id"]] for item in response.json()["results"]} == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("speaker=999999", "speaker", id="unknown-speaker"),
        pytest.param("article=abc", "article", id="not-an-id"),
        pytest.param("kind=rumour", "kind", id="bad-kind"),
        pytest.param("created_after=yesterday", "created_after", id="bad-date"),
        pytest.param(
            "created_after=0001-01-01T00:00:00%2B14:00", "created_after", id="date-overflow"
        ),
    ],
)
def test_bad_filter_values_are_a_400(viewer_api, corpus, query, field):
    response = viewer_api.get(f"{SPANS}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_every_quote_by_a_speaker_newest_first_in_one_request(viewer_api):
    blinken, other = EntityFactory(name="Antony Blinken"), EntityFactory()
    quotes = many_spans(5, kind=SpanKind.QUOTE, speaker=blinken)
    many_spans(3, kind=SpanKind.QUOTE, speaker=other)

    via_filter = viewer_api.get(f"{SPANS}?kind=quote&speaker={blinken.id}&ordering=-created_at")
    via_entity = viewer_api.get(f"/api/entities/{blinken.id}/quotes/")

    newest_first = [span.id for span in reversed(quotes)]
    assert [s["id"] for s in via_filter.json()["results"]] == newest_first
    assert [s["id"] for s in via_entity.json()["results"]] == newest_first


def test_ordering_oldest_first_and_unknown_ordering_refused(viewer_api):
    spans = many_spans(4)
    oldest = viewer_api.get(f"{SPANS}?ordering=created_at").json()["results"]
    default = viewer_api.get(SPANS).json()["results"]
    nonsense = viewer_api.get(f"{SPANS}?ordering=nonsense")
    assert [s["id"] for s in oldest] == [s.id for s in spans]
    assert [s["id"] for s in default] == [s.id for s in reversed(spans)]
    assert nonsense.status_code == 400
    assert nonsense.json() == {"ordering": ["Sort by one of: created_at, -created_at."]}


# --- pagination ---------------------------------------------------------------------------------


def test_cursor_pages_cover_every_span_once(viewer_api):
    spans = many_spans(25)

    first = viewer_api.get(f"{SPANS}?page_size=10")
    items = all_pages(viewer_api, f"{SPANS}?page_size=10")

    assert "cursor=" in first.json()["next"]
    assert len(first.json()["results"]) == 10
    assert sorted(item["id"] for item in items) == sorted(span.id for span in spans)
    assert len(items) == 25


def test_page_size_is_capped_at_200(viewer_api):
    many_spans(205)
    response = viewer_api.get(f"{SPANS}?page_size=100000")
    assert len(response.json()["results"]) == 200
    assert len(viewer_api.get(SPANS).json()["results"]) == 50


def test_invalid_cursor_is_a_400(viewer_api):
    response = viewer_api.get(f"{SPANS}?cursor=garbage")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor"]}


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(lambda a, e: SPANS, id="spans"),
        pytest.param(lambda a, e: f"/api/articles/{a}/spans/", id="article-spans"),
        pytest.param(lambda a, e: f"/api/entities/{e}/quotes/", id="entity-quotes"),
        pytest.param(lambda a, e: f"{SPANS}?kind=quote&speaker={e}&status=accepted", id="filtered"),
    ],
)
def test_query_count_does_not_grow_with_page_size(viewer_api, django_assert_max_num_queries, url):
    speaker = EntityFactory()
    spans = many_spans(150, kind=SpanKind.QUOTE, speaker=speaker)
    target = url(spans[0].article_id, speaker.id)
    joiner = "&" if "?" in target else "?"

    for size in (10, 100):
        # session + user + role groups + the page (+1 id check per filter or parent)
        with django_assert_max_num_queries(6):
            response = viewer_api.get(f"{target}{joiner}page_size={size}")
        assert len(response.json()["results"]) == size


# --- nested lists -------------------------------------------------------------------------------


def test_article_spans_in_text_order(viewer_api, article):
    late = SpanFactory(article=article, kind="quote", quote="We will have it open by May,")
    early = SpanFactory(article=article, kind="mention", quote="Jane Doe")
    SpanFactory(kind="quote")  # another article

    response = viewer_api.get(f"/api/articles/{article.id}/spans/")

    assert [s["id"] for s in response.json()["results"]] == [early.id, late.id]
    assert viewer_api.get("/api/articles/999999/spans/").status_code == 404


def test_entity_mentions_and_quotes_are_separate(viewer_api, corpus):
    blinken = corpus["blinken"]
    mentions = viewer_api.get(f"/api/entities/{blinken.id}/mentions/").json()["results"]
    quotes = viewer_api.get(f"/api/entities/{blinken.id}/quotes/").json()["results"]
    assert [s["id"] for s in mentions] == [corpus["spans"]["mention"].id]
    assert [s["id"] for s in quotes] == [corpus["spans"]["quote"].id]
    assert viewer_api.get("/api/entities/999999/quotes/").status_code == 404


# --- JSONL export -------------------------------------------------------------------------------


def test_export_streams_filtered_spans_as_jsonl_in_the_api_shape(viewer_api, corpus):
    response = viewer_api.get(f"{SPANS}export/?kind=mention&ordering=created_at")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["id"] for row in rows] == [
        corpus["spans"]["mention"].id,
        corpus["spans"]["suggested"].id,
    ]
    listed = viewer_api.get(f"{SPANS}?kind=mention&ordering=created_at").json()["results"]
    assert rows == listed


def test_export_rejects_bad_filters(viewer_api):
    response = viewer_api.get(f"{SPANS}export/?speaker=999999")
    assert response.status_code == 400
    assert "speaker" in response.json()


def test_export_query_count_is_constant(viewer_api, django_assert_max_num_queries):
    many_spans(300)
    with django_assert_max_num_queries(6):
        response = viewer_api.get(f"{SPANS}export/")
        lines = b"".join(response.streaming_content).splitlines()
    assert len(lines) == 300
