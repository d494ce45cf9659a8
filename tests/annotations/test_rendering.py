from hypothesis import given
from hypothesis import strategies as st

from annotations.rendering import Mark, segments, tokens

BODY = "Blinken said “Israel has our back” today."


def at(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


def shape(toks) -> str:
    """A compact picture of the tokens: [id text ] for elements."""
    parts = []
    for t in toks:
        if t.mark:
            parts.append(f"[{t.mark.id}")
        elif t.close:
            parts.append("]")
        else:
            parts.append(f"|{t.text}|")
    return "".join(parts)


def test_no_spans_is_the_body_as_one_text():
    toks = tokens(BODY, [])
    assert [t.text for t in toks] == [BODY]


def test_empty_body():
    assert tokens("", [Mark(1, 0, 3, "quote")]) == []


def test_nested_spans_nest():
    quote = Mark(1, *at(BODY, "Israel has our back"), "quote")
    mention = Mark(2, *at(BODY, "Israel"), "mention")
    assert shape(tokens(BODY, [mention, quote])) == (
        "|Blinken said “|[1[2|Israel|]| has our back|]|” today.|"
    )


def test_crossing_spans_split_the_later_one():
    quote = Mark(1, *at(BODY, "Israel has our back"), "quote")
    claim = Mark(2, *at(BODY, "our back” today"), "claim")
    toks = tokens(BODY, [claim, quote])
    assert shape(toks) == "|Blinken said “|[1|Israel has |[2|our back|]][2|” today|]|.|"
    openers = [(t.mark.id, t.first, t.last) for t in toks if t.mark]
    assert openers == [(1, True, True), (2, True, False), (2, False, True)]


def test_same_extent_orders_by_id_and_longer_is_outer():
    a = Mark(5, 0, 7, "mention")
    b = Mark(3, 0, 7, "quote")
    c = Mark(4, 0, 12, "claim")
    assert shape(tokens(BODY, [a, b, c])) == "[4[3[5|Blinken|]]| said|]|" + BODY[12:] + "|"


def test_out_of_range_and_empty_spans_are_ignored():
    toks = tokens(BODY, [Mark(1, 5, 5, "quote"), Mark(2, 3, 999, "quote"), Mark(3, -1, 2, "x")])
    assert [t.text for t in toks] == [BODY]


def test_astral_characters_count_as_one_code_point():
    body = "🇺🇸 😀 Israel\u00a0said"
    mention = Mark(1, *at(body, "Israel"), "mention")
    toks = tokens(body, [mention])
    assert [t.text for t in toks if not t.mark and not t.close] == [
        "🇺🇸 😀 ",
        "Israel",
        "\u00a0said",
    ]


def test_segments_carry_every_covering_span():
    quote = Mark(1, *at(BODY, "Israel has our back"), "quote")
    claim = Mark(2, *at(BODY, "our back” today"), "claim")
    covered = {s.text: [m.id for m in s.marks] for s in segments(BODY, [quote, claim])}
    assert covered == {
        "Blinken said “": [],
        "Israel has ": [1],
        "our back": [1, 2],
        "” today": [2],
        ".": [],
    }


spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(["quote", "mention"])),
    max_size=12,
)


@given(spans=spans_strategy, body=st.text(min_size=0, max_size=40))
def test_tokens_rebuild_the_body_and_nest(spans, body):
    marks = [Mark(i, s, s + n, kind) for i, (s, n, kind) in enumerate(spans, start=1)]
    toks = tokens(body, marks)
    usable = [m for m in marks if m.end <= len(body)]
    assert "".join(t.text for t in toks) == body
    # Balanced, and at every character the open elements are exactly the covering spans.
    stack: list[int] = []
    position = 0
    pieces: dict[int, list[tuple[int, int]]] = {}
    for t in toks:
        if t.mark:
            stack.append(t.mark.id)
        elif t.close:
            stack.pop()
        else:
            for mark_id in stack:
                pieces.setdefault(mark_id, []).append((position, position + len(t.text)))
            covering = {m.id for m in usable if m.start <= position and position + 1 <= m.end}
            assert set(stack) == covering
            assert len(stack) == len(set(stack))
            position += len(t.text)
    assert stack == []
    for m in marks:
        covered = sum(b - a for a, b in pieces.get(m.id, []))
        assert covered == (m.end - m.start if m in usable else 0)
