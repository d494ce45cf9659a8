"""annotations.exporters: plain dataclasses in, W3C / JSONL / doccano / CoNLL out (no database)."""

import datetime as dt
import json

from annotations.exporters import (
    ExportArticle,
    ExportClaim,
    ExportEntity,
    ExportSpan,
    conll_iob2,
    doccano_record,
    iob2_tokens,
    jsonl_lines,
    placed,
    w3c_annotation,
    w3c_collection,
)

BODY = "Zoë Ørsted 🎉 met Antony Blinken in New York.\nBlinken said: “Aid rose 40%.”"
UTC = dt.UTC


def entity(pk: int, name: str, kind: str = "PERSON", external_id: str = "") -> ExportEntity:
    return ExportEntity(pk, f"https://x/entities/{pk}/", name, kind, external_id)


def span(pk: int, kind: str, text: str, occurrence: int = 0, **links) -> ExportSpan:
    start = -1
    for _ in range(occurrence + 1):
        start = BODY.index(text, start + 1)
    return ExportSpan(
        id=pk,
        iri=f"https://x/spans/{pk}/",
        kind=kind,
        start=start,
        end=start + len(text),
        text=text,
        created=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        creator="ed",
        **links,
    )


ARTICLE = ExportArticle(
    id=7,
    iri="https://x/articles/7/",
    title="Visit",
    body=BODY,
    revision=2,
    revised=dt.datetime(2025, 1, 1, tzinfo=UTC),
)
ZOE, BLINKEN, NYC = (
    entity(1, "Zoë Ørsted"),
    entity(2, "Antony Blinken", external_id="Q7916"),
    entity(3, "New York", "GPE"),
)


def test_placed_drops_spans_whose_text_is_not_at_their_offsets_and_sorts():
    good = span(1, "mention", "New York", entity=NYC)
    first = span(2, "mention", "Zoë Ørsted", entity=ZOE)
    moved = ExportSpan(3, "i", "mention", 0, 4, "Blin", entity=BLINKEN)
    outside = ExportSpan(4, "i", "mention", len(BODY) - 1, len(BODY) + 5, "x", entity=BLINKEN)

    assert placed(BODY, [good, moved, first, outside]) == [first, good]


def test_w3c_annotation_of_a_mention():
    annotation = w3c_annotation(ARTICLE, span(10, "mention", "Antony Blinken", entity=BLINKEN))

    assert annotation["type"] == "Annotation"
    assert annotation["motivation"] == "identifying"
    assert annotation["created"] == "2025-01-02T03:04:05Z"
    assert annotation["creator"] == {"type": "Person", "nickname": "ed"}
    quote, position = annotation["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "Antony Blinken",
        "prefix": "Zoë Ørsted 🎉 met ",
        "suffix": " in New York.\nBlinken said: “Aid",
    }
    assert position == {"type": "TextPositionSelector", "start": 17, "end": 31}
    assert BODY[17:31] == "Antony Blinken"
    assert annotation["target"]["state"] == {
        "id": "https://x/articles/7/#revision=2",
        "type": "TimeState",
        "sourceDate": "2025-01-01T00:00:00Z",
    }
    assert {
        "type": "SpecificResource",
        "source": "https://x/entities/2/",
        "purpose": "identifying",
    } in annotation["body"]
    assert {
        "type": "SpecificResource",
        "source": "http://www.wikidata.org/entity/Q7916",
        "purpose": "identifying",
    } in annotation["body"]


def test_w3c_annotation_of_a_claim_and_a_suggestion():
    claim = ExportClaim(
        5, "https://x/claims/5/", "Aid rose 40%.", "false", "It fell.", claimant=BLINKEN
    )
    suggestion = ExportSpan(11, "https://x/spans/11/", "quote", 0, 3, "Zoë", origin="quotes-v1")

    claimed = w3c_annotation(ARTICLE, span(12, "claim", "Aid rose 40%.", claim=claim))
    suggested = w3c_annotation(ARTICLE, suggestion)

    assert claimed["motivation"] == "assessing"
    values = {(b.get("purpose"), b.get("value") or b.get("source")) for b in claimed["body"]}
    assert ("assessing", "false") in values
    assert ("describing", "Aid rose 40%.") in values
    assert ("commenting", "It fell.") in values
    assert ("linking", "https://x/claims/5/") in values
    assert suggested["creator"] == {"type": "Software", "name": "quotes-v1"}
    assert suggested["motivation"] == "highlighting"
    assert "body" not in suggested  # a quote without a speaker says nothing more


def test_w3c_collection_counts_only_placed_spans():
    spans = [
        span(1, "mention", "Blinken", occurrence=1, entity=BLINKEN),
        ExportSpan(2, "i", "mention", 0, 3, "xyz", entity=BLINKEN),
    ]

    collection = w3c_collection(ARTICLE, spans, iri="https://x/articles/7/w3c/")

    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["total"] == 1
    (item,) = collection["first"]["items"]
    start = item["target"]["selector"][1]["start"]
    assert start == BODY.index("\nBlinken") + 1
    json.dumps(collection)  # plain JSON types only


def test_jsonl_lines_keep_unicode_and_format_datetimes():
    lines = list(
        jsonl_lines([{"text": "Zoë 🎉", "at": dt.datetime(2025, 1, 2, tzinfo=UTC)}, {"n": 1}])
    )
    assert lines == ['{"text": "Zoë 🎉", "at": "2025-01-02T00:00:00Z"}\n', '{"n": 1}\n']


def test_doccano_record():
    record = doccano_record(
        ARTICLE,
        [
            span(1, "mention", "New York", entity=NYC),
            span(2, "quote", "“Aid rose 40%.”", speaker=BLINKEN),
            span(3, "mention", "Zoë Ørsted", entity=ZOE),
        ],
    )
    assert record["text"] == BODY
    assert record["label"] == [[0, 10, "PERSON"], [35, 43, "GPE"], [59, 74, "QUOTE"]]
    assert [BODY[s:e] for s, e, _ in record["label"]] == [
        "Zoë Ørsted",
        "New York",
        "“Aid rose 40%.”",
    ]


def test_iob2_tokens_follow_mention_edges_even_inside_words():
    body = "Blinken's aide met Herzog."
    tokens = iob2_tokens(
        body,
        [
            ExportSpan(1, "i", "mention", 0, 7, "Blinken", entity=BLINKEN),
            ExportSpan(2, "i", "mention", 19, 25, "Herzog", entity=entity(4, "Isaac Herzog")),
        ],
    )
    assert [(t.text, t.tag) for t in tokens] == [
        ("Blinken", "B-PERSON"),
        ("'", "O"),
        ("s", "O"),
        ("aide", "O"),
        ("met", "O"),
        ("Herzog", "B-PERSON"),
        (".", "O"),
    ]
    assert all(body[t.start : t.end] == t.text for t in tokens)


def test_overlapping_mentions_keep_the_earlier_longer_one():
    outer = span(1, "mention", "New York", entity=NYC)
    inner = ExportSpan(2, "i", "mention", outer.start + 4, outer.end, "York", entity=ZOE)
    tags = [(t.text, t.tag) for t in iob2_tokens(BODY, [inner, outer]) if t.tag != "O"]
    assert tags == [("New", "B-GPE"), ("York", "I-GPE")]


def test_conll_separates_sentences_and_paragraphs():
    text = conll_iob2(BODY, [span(1, "mention", "Antony Blinken", entity=BLINKEN)])
    sentences = [block.splitlines() for block in text.strip("\n").split("\n\n")]
    assert sentences[0][:3] == ["Zoë\tO", "Ørsted\tO", "🎉\tO"]
    assert "Antony\tB-PERSON" in sentences[0]
    assert "Blinken\tI-PERSON" in sentences[0]
    assert sentences[0][-1] == ".\tO"
    assert sentences[1][0] == "Blinken\tO"  # a new paragraph, and no mention there
    assert text.endswith("\n")
    assert conll_iob2("", []) == ""
