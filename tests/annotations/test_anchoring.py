"""Re-anchoring spans after an article's text changes (plain Python, no database)."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.anchoring import BodyDiff, Fate, SpanText, occurrences, reanchor, reanchor_all
from annotations.text import context
from articles.importing import clean

SEED = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))[0]
BODY = clean(SEED.read_bytes()).body
QUOTE = "We know that Israel will take all the precautions it can"


def span_at(body: str, text: str, nth: int = 0) -> SpanText:
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    before, after = context(body, start, start + len(text))
    return SpanText(start, start + len(text), text, before, after)


def paragraph_of(body: str, start: int) -> str:
    first = body.rfind("\n", 0, start) + 1
    last = body.find("\n", start)
    return body[first : last if last != -1 else len(body)]


def check(result, new: str) -> None:
    if result.fate is not Fate.ORPHANED:
        assert new[result.start : result.end] == result.text


def test_unchanged_body_keeps_every_span():
    spans = [span_at(BODY, QUOTE), span_at(BODY, "Blinken"), span_at(BODY, "Hamas", 2)]
    results = reanchor_all(BODY, BODY, spans)
    assert [r.fate for r in results] == [Fate.KEPT] * 3
    assert [(r.start, r.end) for r in results] == [(s.start, s.end) for s in spans]


def test_edit_after_a_span_keeps_it():
    span = span_at(BODY, QUOTE)
    new = BODY + "\n\nA correction was appended."
    result = reanchor(span, BodyDiff(BODY, new))
    assert (result.fate, result.start, result.end) == (Fate.KEPT, span.start, span.end)


def test_paragraph_inserted_before_moves_a_span_by_its_length():
    span = span_at(BODY, QUOTE)
    inserted = "An editor’s note with an emoji 🙂 and a non-breaking\u00a0space.\n\n"
    new = inserted + BODY
    result = reanchor(span, BodyDiff(BODY, new))
    assert result.fate is Fate.MOVED
    assert (result.start, result.end) == (span.start + len(inserted), span.end + len(inserted))
    assert result.text == QUOTE
    assert result.how == "diff"


def test_repeated_name_follows_the_diff_not_the_first_occurrence():
    span = span_at(BODY, "Blinken", 3)
    new = BODY.replace("Blinken", "Blinkin", 1)  # the first one changes, not ours
    result = reanchor(span, BodyDiff(BODY, new))
    assert result.fate is Fate.KEPT
    assert new[result.start : result.end] == "Blinken"


def test_word_changed_inside_a_quote_moves_it_with_the_new_text():
    span = span_at(BODY, QUOTE)
    new = BODY.replace("all the precautions", "every precaution")
    result = reanchor(span, BodyDiff(BODY, new))
    assert result.fate is Fate.MOVED
    assert result.text == "We know that Israel will take every precaution it can"
    check(result, new)


@pytest.mark.parametrize(
    ("old", "new_text", "expected"),
    [
        pytest.param(
            "it can",
            "possible",
            "We know that Israel will take all the precautions possible",
            id="last-words",
        ),
        pytest.param(
            "We know",
            "They know",
            "They know that Israel will take all the precautions it can",
            id="first-word",
        ),
    ],
)
def test_changed_edge_of_a_quote_moves_its_boundary(old, new_text, expected):
    span = span_at(BODY, QUOTE)
    new = BODY.replace(QUOTE, QUOTE.replace(old, new_text))
    result = reanchor(span, BodyDiff(BODY, new))
    assert (result.fate, result.text) == (Fate.MOVED, expected)
    check(result, new)


def test_deleted_paragraph_orphans_its_spans_with_their_old_text():
    quote = span_at(BODY, QUOTE)
    paragraph = paragraph_of(BODY, quote.start)
    mention_start = BODY.index("Hamas", quote.start)
    mention = SpanText(
        mention_start,
        mention_start + 5,
        "Hamas",
        *context(BODY, mention_start, mention_start + 5),
    )
    new = BODY.replace(paragraph + "\n\n", "")
    assert "Hamas" in new, "the name occurs elsewhere, but not in this context"
    for span in (quote, mention):
        result = reanchor(span, BodyDiff(BODY, new))
        assert (result.fate, result.start, result.end, result.text) == (
            Fate.ORPHANED,
            span.start,
            span.end,
            span.text,
        )


def test_moved_paragraph_is_found_by_its_text():
    span = span_at(BODY, QUOTE)
    paragraph = paragraph_of(BODY, span.start)
    new = paragraph + "\n\n" + BODY.replace(paragraph + "\n\n", "")
    result = reanchor(span, BodyDiff(BODY, new))
    assert result.fate is Fate.MOVED
    assert result.start == paragraph.index(QUOTE)
    check(result, new)


def test_moved_and_edited_paragraph_is_found_fuzzily():
    span = span_at(BODY, QUOTE)
    paragraph = paragraph_of(BODY, span.start)
    edited = paragraph.replace("precautions", "care")
    new = edited + "\n\n" + BODY.replace(paragraph + "\n\n", "")
    result = reanchor(span, BodyDiff(BODY, new))
    assert result.fate is Fate.MOVED
    assert result.how == "fuzzy"
    assert result.text == "We know that Israel will take all the care it can"
    check(result, new)


def test_short_text_is_never_placed_fuzzily():
    body = "Mr Herzog met Mr Blinken in Tel Aviv on Thursday."
    span = span_at(body, "Herzog")
    new = body.replace("Herzog", "Herzig")
    assert reanchor(span, BodyDiff(body, new)).fate is Fate.ORPHANED


def test_a_rewritten_long_article_moves_every_repeat():
    big = "\n\n".join([BODY] * 6)
    new = "Correction.\n\n" + big.replace("Blinken", "Blinkin").replace("\n\n", "\n")
    spans = [span_at(big, QUOTE, n) for n in range(6)]
    results = reanchor_all(big, new, spans)
    assert all(r.fate is Fate.MOVED and r.text == QUOTE for r in results)


# --- property: random edits never lose a span ---------------------------------------------

ALPHABET = "abc xyz.,“”‘’\n\u00a0🙂é"
words = st.text(alphabet=ALPHABET, min_size=1, max_size=8)


@st.composite
def bodies_spans_edits(draw):
    base = draw(st.sampled_from([BODY[:600], BODY[1100:1700], "x"]))
    body = base + draw(st.text(alphabet=ALPHABET, max_size=80))
    spans = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(body) - 1))
        end = draw(st.integers(start + 1, min(len(body), start + 80)))
        if body[start:end].strip() != body[start:end] or not body[start:end].strip():
            continue
        spans.append(SpanText(start, end, body[start:end], *context(body, start, end)))
    # Non-overlapping edits in old-body coordinates: (position, characters deleted, inserted).
    edits, position = [], 0
    for _ in range(draw(st.integers(0, 5))):
        position = draw(st.integers(position, len(body)))
        deleted = draw(st.integers(0, min(30, len(body) - position)))
        inserted = draw(st.one_of(st.just(""), words, st.text(alphabet=ALPHABET, max_size=40)))
        edits.append((position, deleted, inserted))
        position += deleted + 1
        if position > len(body):
            break
    return body, spans, edits


def apply(body: str, edits) -> str:
    for position, deleted, inserted in reversed(edits):
        body = body[:position] + inserted + body[position + deleted :]
    return body


def untouched(span: SpanText, edits) -> bool:
    return all(
        position + deleted <= span.start or position >= span.end for position, deleted, _ in edits
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies_spans_edits())
def test_random_edits_never_lose_a_span(case):
    body, spans, edits = case
    new = apply(body, edits)
    results = reanchor_all(body, new, spans)
    assert len(results) == len(spans)
    for span, result in zip(spans, results, strict=True):
        if result.fate is Fate.ORPHANED:
            assert (result.start, result.end, result.text) == (span.start, span.end, span.text)
        else:
            assert 0 <= result.start < result.end <= len(new)
            assert new[result.start : result.end] == result.text
            assert result.text.strip() == result.text
        if result.fate is Fate.KEPT:
            assert (result.start, result.end, result.text) == (span.start, span.end, span.text)
        if untouched(span, edits) and len(occurrences(body, span.text)) == 1:
            # Its text is still there, whole, and it is not one of several alike (in "aaaa…"
            # any alignment is as good as another): it must be found, not orphaned.
            assert result.fate is not Fate.ORPHANED
            assert result.text == span.text


SENTENCES = [
    "A spokesman declined to comment.",
    "“We are heading, as you know, to Israel,” he said.",
    "The death toll has risen to 1,300.",
    "Blinken met Netanyahu for talks.",
    "",
]


@st.composite
def paragraph_edits(draw):
    """Real text, spans over whole words, edits of whole sentences between paragraphs."""
    body = BODY
    breaks = [i for i, ch in enumerate(body) if ch == "\n"] + [len(body)]
    spans = []
    for _ in range(draw(st.integers(1, 8))):
        word_starts = [m for m in range(1, len(body)) if body[m - 1] == " " and body[m] != " "]
        start = draw(st.sampled_from(word_starts))
        end = body.find(" ", start + draw(st.integers(1, 60)))
        if end == -1 or "\n" in body[start:end]:
            continue
        spans.append(SpanText(start, end, body[start:end], *context(body, start, end)))
    edits, position = [], 0
    for at in sorted(draw(st.lists(st.sampled_from(breaks), max_size=4, unique=True))):
        if at < position:
            continue
        deleted = draw(st.sampled_from([0, 0, 1]))
        edits.append((at, deleted, "\n" + draw(st.sampled_from(SENTENCES)) + "\n"))
        position = at + deleted + 1
    return body, spans, edits


@settings(max_examples=100, deadline=None)
@given(paragraph_edits())
def test_paragraph_edits_keep_every_untouched_span_in_place(case):
    body, spans, edits = case
    new = apply(body, edits)
    shift = {}
    for span in spans:
        shift[span] = sum(
            len(inserted) - deleted
            for position, deleted, inserted in edits
            if position < span.start
        )
    for span, result in zip(spans, reanchor_all(body, new, spans), strict=True):
        if untouched(span, edits):
            assert result.fate is not Fate.ORPHANED
            assert (result.start, result.text) == (span.start + shift[span], span.text)


def test_blank_lines_do_not_shift_paragraphs_after_an_insertion():
    # Every paragraph changes a little and one is inserted first: were blank lines units of
    # the diff, it would pair them and match each paragraph with the one before it.
    body = "Alpha met Blinken once.\n\nBeta met Blinken twice.\n\nGamma met Blinken thrice."
    spans = [span_at(body, "Blinken", n) for n in range(3)]
    new = "Intro met Blinken first.\n\n" + body.replace(" once", " 1x").replace(
        " twice", " 2x"
    ).replace(" thrice", " 3x")
    results = reanchor_all(body, new, spans)
    assert [new[: r.start].rsplit("\n", 1)[-1] for r in results] == [
        "Alpha met ",
        "Beta met ",
        "Gamma met ",
    ]
