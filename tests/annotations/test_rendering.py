from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from annotations.rendering import Mark, article_html

BODY = "Blinken said “Israel has our back” today."


def at(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


class _Parsed(HTMLParser):
    """The markup as tokens: ("open", attrs) for a <mark>, ("close",), ("text", text) with
    entities decoded; a .gap element's line breaks are text like any other."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            self.tokens.append(("open", dict(attrs)))
        else:
            assert (tag, attrs) == ("span", [("class", "gap")])

    def handle_endtag(self, tag):
        if tag == "mark":
            self.tokens.append(("close",))

    def handle_data(self, data):
        self.tokens.append(("text", data))


def parsed(body: str, marks: list[Mark]) -> list[tuple]:
    return _Parsed(article_html(body, marks)).tokens


def shape(tokens) -> str:
    """A compact picture of the markup: [id text ] for elements."""
    parts = []
    for token in tokens:
        if token[0] == "open":
            parts.append(f"[{token[1]['data-span-id']}")
        elif token[0] == "close":
            parts.append("]")
        else:
            parts.append(f"|{token[1]}|")
    return "".join(parts)


def openers(tokens) -> list[tuple[int, bool, bool]]:
    """(id, first piece, last piece) of every opening tag, in order."""
    result = []
    for token in tokens:
        if token[0] == "open":
            classes = token[1]["class"].split()
            first = "is-first" in classes
            assert first == ("tabindex" in token[1])
            result.append((int(token[1]["data-span-id"]), first, "is-last" in classes))
    return result


def test_no_spans_is_the_body_escaped():
    assert article_html(BODY, []) == BODY
    assert article_html("a <b> & 'c'", []) == "a &lt;b&gt; &amp; &#x27;c&#x27;"


def test_empty_body():
    assert article_html("", [Mark(1, 0, 3, "quote")]) == ""


def test_one_span_is_one_mark_with_its_attributes():
    mark = Mark(7, *at(BODY, "Israel"), "mention", "suggested", "Mention — Israel (GPE)", 3)
    assert article_html(BODY, [mark]) == (
        "Blinken said “"
        '<mark class="hl hl-mention is-suggested is-first is-last" data-span-id="7"'
        ' data-kind="mention" data-version="3" title="Mention — Israel (GPE)" tabindex="0">'
        "Israel</mark> has our back” today."
    )


def test_nested_spans_nest():
    quote = Mark(1, *at(BODY, "Israel has our back"), "quote")
    mention = Mark(2, *at(BODY, "Israel"), "mention")
    assert shape(parsed(BODY, [mention, quote])) == (
        "|Blinken said “|[1[2|Israel|]| has our back|]|” today.|"
    )


def test_crossing_spans_split_the_later_one():
    quote = Mark(1, *at(BODY, "Israel has our back"), "quote")
    claim = Mark(2, *at(BODY, "our back” today"), "claim")
    tokens = parsed(BODY, [claim, quote])
    assert shape(tokens) == "|Blinken said “|[1|Israel has |[2|our back|]][2|” today|]|.|"
    assert openers(tokens) == [(1, True, True), (2, True, False), (2, False, True)]


def test_a_span_ending_inside_an_outer_one_reopens_those_it_crossed():
    outer = Mark(1, *at(BODY, "said “Israel has our back”"), "quote")
    crossing = Mark(2, *at(BODY, "has our back” today"), "claim")
    inner = Mark(3, *at(BODY, "our"), "mention")
    tokens = parsed(BODY, [outer, crossing, inner])
    assert shape(tokens) == ("|Blinken |[1|said “Israel |[2|has |[3|our|]| back”|]][2| today|]|.|")
    assert openers(tokens) == [(1, True, True), (2, True, False), (3, True, True), (2, False, True)]


def test_same_extent_orders_by_id_and_longer_is_outer():
    a = Mark(5, 0, 7, "mention")
    b = Mark(3, 0, 7, "quote")
    c = Mark(4, 0, 12, "claim")
    assert shape(parsed(BODY, [a, b, c])) == "[4[3[5|Blinken|]]| said|]|" + BODY[12:] + "|"


def test_out_of_range_and_empty_spans_are_ignored():
    marks = [Mark(1, 5, 5, "quote"), Mark(2, 3, 999, "quote"), Mark(3, -1, 2, "x")]
    assert article_html(BODY, marks) == BODY


def test_astral_characters_count_as_one_code_point():
    body = "🇺🇸 😀 Israel\u00a0said"
    mention = Mark(1, *at(body, "Israel"), "mention")
    texts = [t[1] for t in parsed(body, [mention]) if t[0] == "text"]
    assert texts == ["🇺🇸 😀 ", "Israel", "\u00a0said"]


def test_paragraph_breaks_are_gaps_inside_and_outside_spans():
    body = "One.\n\nTwo\n\n\nthree.\nFour."
    quote = Mark(1, *at(body, "Two\n\n\nthree"), "quote")
    html = article_html(body, [quote])
    assert html.startswith('One.<span class="gap">\n\n</span><mark ')
    assert '>Two<span class="gap">\n\n\n</span>three</mark>.\nFour.' in html


def test_every_text_and_attribute_is_escaped():
    body = "<script>alert(\"x\")</script> & 'quoted'"
    mark = Mark(1, 0, 8, 'quote" onclick="x', "accepted", 'Quote — <b>"O\'Brien" & co</b>')
    html = article_html(body, [mark])
    assert "<script>" not in html
    assert "<b>" not in html
    assert 'onclick="x' not in html
    assert 'class="hl hl-quote&quot; onclick=&quot;x is-first is-last"' in html
    assert 'title="Quote — &lt;b&gt;&quot;O&#x27;Brien&quot; &amp; co&lt;/b&gt;"' in html
    assert html.endswith("alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;")


def test_id_and_version_must_be_integers():
    try:
        article_html(BODY, [Mark('1" onclick="x', 0, 3, "quote")])  # type: ignore[arg-type]
    except ValueError:
        pass
    else:
        raise AssertionError("a non-integer id was written into the markup")


spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(["quote", "mention"])),
    max_size=12,
)


@given(spans=spans_strategy, body=st.text(min_size=0, max_size=40))
def test_markup_rebuilds_the_body_and_nests(spans, body):
    marks = [Mark(i, s, s + n, kind) for i, (s, n, kind) in enumerate(spans, start=1)]
    tokens = parsed(body, marks)
    usable = [m for m in marks if m.end <= len(body)]
    assert "".join(t[1] for t in tokens if t[0] == "text") == body
    # Balanced, and at every character the open elements are exactly the covering spans.
    stack: list[int] = []
    position = 0
    pieces: dict[int, list[tuple[int, int]]] = {}
    for token in tokens:
        if token[0] == "open":
            stack.append(int(token[1]["data-span-id"]))
        elif token[0] == "close":
            stack.pop()
        else:
            text = token[1]
            for mark_id in stack:
                pieces.setdefault(mark_id, []).append((position, position + len(text)))
            covering = {m.id for m in usable if m.start <= position and position + 1 <= m.end}
            assert set(stack) == covering
            assert len(stack) == len(set(stack))
            position += len(text)
    assert stack == []
    for m in marks:
        covered = sum(b - a for a, b in pieces.get(m.id, []))
        assert covered == (m.end - m.start if m in usable else 0)
    # Of each span's pieces the first is marked first, the last last, and only they.
    flags: dict[int, list[tuple[bool, bool]]] = {}
    for mark_id, first, last in openers(tokens):
        flags.setdefault(mark_id, []).append((first, last))
    assert set(flags) == {m.id for m in usable}
    for pieces_flags in flags.values():
        n = len(pieces_flags)
        assert pieces_flags == [(i == 0, i == n - 1) for i in range(n)]
