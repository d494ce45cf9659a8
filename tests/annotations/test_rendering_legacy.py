"""The workspace's markup built in Python (annotations.rendering, the panel's lists) against
the template path it replaced, kept here as it was: the article text must be the same bytes, the
side panel the same page (the same markup once every run of white space is one space, which is
all the browser sees of it outside the article text)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from django.template import engines
from django.template.loader import get_template
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.rendering import Mark, article_html
from annotations.workspace import (
    LIVE,
    mention_groups,
    panel_build,
    panel_groups,
    workspace_span_rows,
)

# --- the old path: rendering.tokens / with_gaps / pieces and the template loop -----------------


@dataclass
class Token:
    text: str = ""
    mark: Mark | None = None
    close: bool = False
    first: bool = False
    last: bool = False
    gap: bool = False

    @property
    def classes(self) -> str:
        mark = self.mark
        classes = f"hl hl-{mark.kind}"
        if mark.status == "suggested":
            classes += " is-suggested"
        if self.first:
            classes += " is-first"
        if self.last:
            classes += " is-last"
        return classes


def segments(body, marks):
    usable = sorted(
        (m for m in marks if 0 <= m.start < m.end <= len(body)),
        key=lambda m: (m.start, -m.end, m.id),  # what Mark.order was
    )
    cuts = sorted({0, len(body)} | {m.start for m in usable} | {m.end for m in usable})
    result, active, pending = [], [], 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [m for m in active if m.end > a]
        while pending < len(usable) and usable[pending].start == a:
            active.append(usable[pending])
            pending += 1
        result.append((a, b, body[a:b], tuple(active)))
    return result


def tokens(body, marks):
    out, stack, seen = [], [], set()

    def close_to(depth, at):
        while len(stack) > depth:
            mark, opener = stack.pop()
            opener.last = mark.end == at
            out.append(Token(close=True))

    for start, _end, text, wanted in segments(body, marks):
        common = 0
        while (
            common < len(stack)
            and common < len(wanted)
            and stack[common][0].id == wanted[common].id
        ):
            common += 1
        close_to(common, start)
        for mark in wanted[common:]:
            opener = Token(mark=mark, first=mark.id not in seen)
            seen.add(mark.id)
            stack.append((mark, opener))
            out.append(opener)
        out.append(Token(text=text))
    close_to(0, len(body))
    return out


def with_gaps(toks):
    out = []
    for token in toks:
        if token.mark is not None or token.close or "\n\n" not in token.text:
            out.append(token)
            continue
        at = 0
        for match in re.finditer(r"\n{2,}", token.text):
            if match.start() > at:
                out.append(Token(text=token.text[at : match.start()]))
            out.append(Token(text=match.group(), gap=True))
            at = match.end()
        if at < len(token.text):
            out.append(Token(text=token.text[at:]))
    return out


def pieces(toks):
    out = []
    for token in toks:
        mark = token.mark
        if mark is not None:
            op = "first" if token.first else "open"
            out.append((op, token.classes, mark.id, mark.kind, mark.version, mark.label))
        elif token.close:
            out.append(("close", "", "", "", "", ""))
        else:
            out.append(("gap" if token.gap else "text", token.text, "", "", "", ""))
    return out


OLD_TEXT = (
    '{% load l10n %}{% localize off %}<div id="article-text" class="article-text" data-spans-version="{{ spans_version }}" lang="en" tabindex="0" role="region" aria-label="Article text: arrow keys move a caret, Shift+arrows select">'
    "{% for op, a, id, kind, version, label in pieces %}"
    '{% if op == "close" %}</mark>{% elif op == "text" %}{{ a }}'
    '{% elif op == "gap" %}<span class="gap">{{ a }}</span>'
    '{% else %}<mark class="{{ a }}" data-span-id="{{ id }}" data-kind="{{ kind }}"'
    ' data-version="{{ version }}" title="{{ label }}"'
    '{% if op == "first" %} tabindex="0"{% endif %}>{% endif %}'
    "{% endfor %}</div>{% endlocalize %}"
)

OLD_PANEL = """{% partialdef confirm-delete %}<span class="confirm-wrap"><button type="button" class="small danger" data-confirm-toggle>Delete…</button><span class="confirm" role="group" aria-label="Confirm deletion" hidden><span class="confirm-q">Delete this {{ what }}?</span> <button type="button" class="small danger" hx-post="{{ url }}" hx-vals='{"version": {{ version }}}' hx-target="#article-text" hx-swap="outerHTML">Yes, delete</button> <button type="button" class="small" data-confirm-cancel>Keep</button></span></span>{% endpartialdef %}
{% load l10n %}{% localize off %}
  <aside id="side-panel" class="side-panel" aria-label="Annotations" tabindex="-1" hx-get="{% url 'article-panel' article.pk %}" hx-trigger="spans-changed from:body" hx-swap="outerHTML">
    {% if panel.orphaned %}
    <section class="panel-section orphans" id="orphans" aria-labelledby="orphans-title">
      <h2 id="orphans-title"><span class="dot dot-orphan"></span>Orphaned annotations <span class="count">{{ panel.orphaned|length }}</span></h2>
      <p class="section-note">Their text vanished from revision {{ article.revision }}. Select the new text and choose <em>Re-place here</em>, or delete them.</p>
      <ul class="entries">
        {% for s in panel.orphaned %}
        <li class="orphan" data-orphan="{{ s.pk }}">
          <div class="orphan-text"><span class="badge badge-{{ s.kind }}">{{ s.get_kind_display }}</span> <q>{{ s.text|truncatechars:140 }}</q></div>
          {% if s.speaker or s.entity %}<div class="orphan-meta">{% if s.speaker %}— {{ s.speaker.name }}{% endif %}{% if s.entity %}→ {{ s.entity.name }} <span class="kind-tag">{{ s.entity.kind }}</span>{% endif %}</div>{% endif %}
          {% if can_edit %}
          <div class="row-actions">
            <button type="button" class="small" data-replace-url="{% url 'span-replace' s.pk %}" data-version="{{ s.version }}" data-replace-label="{{ s.get_kind_display }} “{{ s.text|truncatechars:60 }}”">Re-place…</button>
            {% url 'span-delete' s.pk as delete_url %}{% with url=delete_url version=s.version what=s.get_kind_display|lower %}{% partial confirm-delete %}{% endwith %}
          </div>
          {% endif %}
        </li>
        {% endfor %}
      </ul>
    </section>
    {% endif %}
    {% if panel.suggestions %}
    <section class="panel-section suggestions" id="suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title"><span class="dot dot-suggested"></span>Suggestions <span class="count">{{ panel.suggested_count }}</span></h2>
      {% for group in panel.suggestions %}
      <details class="suggestion-group" data-kind="{{ group.kind }}" open>
        <summary><span class="badge badge-{{ group.kind }}">{{ group.label }}</span> <span class="count">{{ group.count }}</span></summary>
        {% if can_edit %}
        <div class="bulk-actions">
          <button type="button" class="small accept" hx-post="{% url 'suggestions-accept-all' article.pk group.kind %}" hx-target="#article-text" hx-swap="outerHTML" hx-disabled-elt="this">Accept all {{ group.count }}</button>
          <button type="button" class="small" hx-post="{% url 'suggestions-reject-all' article.pk group.kind %}" hx-target="#article-text" hx-swap="outerHTML" hx-disabled-elt="this">Reject all</button>
        </div>
        {% endif %}
        <ul class="entries suggestion-list">
          {% if group.kind == "mention" %}{% for g in mention_groups %}
          <li class="suggestion suggestion-entity" data-suggestion-group="{{ g.ids }}">
            <button type="button" class="jump is-suggested jump-mention" data-jump-to="{{ g.ids }}" title="Show them one by one">{{ g.name }} <span class="count">×{{ g.count }}</span></button>
            <div class="suggestion-meta"> <span class="kind-tag">{{ g.entity_kind }}</span>{% if not g.known %} <span class="muted">new</span>{% endif %}</div>
            {% if can_edit %}
            <div class="row-actions">
              <button type="button" class="small accept" hx-post="{% url 'suggestions-accept-all' article.pk 'mention' %}" hx-vals='{"ids": "{{ g.ids }}"}' hx-target="#article-text" hx-swap="outerHTML" hx-disabled-elt="this" aria-label="Accept all {{ g.count }} mentions of {{ g.name }}">Accept all</button>
              <button type="button" class="small" hx-post="{% url 'suggestions-reject-all' article.pk 'mention' %}" hx-vals='{"ids": "{{ g.ids }}"}' hx-target="#article-text" hx-swap="outerHTML" hx-disabled-elt="this" aria-label="Reject all {{ g.count }} mentions of {{ g.name }}">Reject all</button>
            </div>
            {% endif %}
          </li>
          {% endfor %}{% else %}
          {% for item in group.items %}
          <li class="suggestion" data-suggestion="{{ item.span.pk }}">
            <button type="button" class="jump is-suggested jump-{{ group.kind }}" data-jump-to="{{ item.span.pk }}" data-open>{{ item.span.short }}</button>
            <div class="suggestion-meta">
              {% if item.indirect %}<span class="kind-tag">indirect</span> {% endif %}
              {% if item.name and item.name != item.span.text and item.unsure %}<span class="proposal is-unsure">— {{ item.name }}</span> <span class="unsure-tag" title="The suggester guessed this speaker{% if item.evidence %} ({{ item.evidence }}){% endif %}; check it before accepting">speaker unsure</span>{% elif item.name and item.name != item.span.text %}<span class="proposal">{% if group.kind == "quote" %}— {% else %}→ {% endif %}{{ item.name }}</span>{% elif group.kind == "quote" %}<span class="muted">no speaker found</span>{% endif %}{% if group.kind == "mention" and item.entity_kind %} <span class="kind-tag">{{ item.entity_kind }}</span>{% endif %}
              {% if item.span.confidence is not None %}<span class="confidence" title="Confidence">{{ item.span.confidence|floatformat:2 }}</span>{% endif %}
            </div>
            {% if can_edit %}
            <div class="row-actions">
              <button type="button" class="icon accept" hx-post="{{ item.accept_url }}" hx-vals='{"version": {{ item.span.version }}}' hx-target="#article-text" hx-swap="outerHTML" title="Accept" aria-label="Accept">✓</button>
              <button type="button" class="icon reject" hx-post="{{ item.reject_url }}" hx-vals='{"version": {{ item.span.version }}}' hx-target="#article-text" hx-swap="outerHTML" title="Reject" aria-label="Reject">✕</button>
            </div>
            {% endif %}
          </li>
          {% endfor %}{% endif %}
        </ul>
      </details>
      {% endfor %}
    </section>
    {% endif %}
    <section class="panel-section">
      <h2><span class="dot dot-quote"></span>Quotes <span class="count">{% for g in panel.quotes %}{% if forloop.last %}{{ forloop.counter }} speaker{{ forloop.counter|pluralize }}{% endif %}{% endfor %}</span></h2>
      {% for g in panel.quotes %}
      <div class="group">
        <h3>{% if g.key %}<a href="{{ g.url }}">{{ g.key.name }}</a>{% else %}<span class="muted">Unattributed</span>{% endif %} <span class="count">{{ g.count }}</span></h3>
        <ul class="entries">
          {% for s in g.spans %}<li><button type="button" class="jump jump-quote" data-jump-to="{{ s.pk }}" data-open>“{{ s.short }}”</button></li>{% endfor %}
        </ul>
      </div>
      {% empty %}
      <p class="empty">No quotes yet.</p>
      {% endfor %}
    </section>
    <section class="panel-section">
      <h2><span class="dot dot-mention"></span>Entities</h2>
      <ul class="entries entity-list">
        {% for g in panel.entities %}
        <li class="entity-row">
          <button type="button" class="jump" data-jump-to="{{ g.ids }}" title="Show each mention in turn">{% if g.key %}{{ g.key.name }}{% else %}<span class="muted">Unlinked names</span>{% endif %}</button>
          {% if g.key %}<span class="kind-tag">{{ g.key.kind }}</span>{% endif %}
          <span class="count" title="Mentions in this article">{{ g.count }}</span>
          {% if g.key %}<a class="icon-link" href="{{ g.url }}" title="Entity page" aria-label="Entity page of {{ g.key.name }}">↗</a>{% endif %}
          {% if can_edit and g.key %}<button type="button" class="small" hx-post="{{ g.tag_url }}" hx-target="#article-text" hx-swap="outerHTML" title="Tag every occurrence of {{ g.key.name }} and its aliases">Tag all</button>{% endif %}
        </li>
        {% empty %}
        <li class="empty">No mentions yet.</li>
        {% endfor %}
      </ul>
    </section>
    <section class="panel-section">
      <h2><span class="dot dot-claim"></span>Claims</h2>
      <ul class="entries">
        {% for g in panel.claims %}
        <li class="claim-entry">
          <button type="button" class="jump" data-jump-to="{{ g.ids }}">{% if g.key %}{{ g.label }}{% else %}“{{ g.label }}”{% endif %}</button>
          <div class="claim-meta">{% if g.key %}<span class="verdict verdict-{{ g.key.verdict }}">{{ g.key.get_verdict_display }}</span>{% if g.key.claimant_name %} · {{ g.key.claimant_name }}{% endif %}{% else %}<span class="verdict">No claim</span>{% endif %}</div>
        </li>
        {% empty %}
        <li class="empty">No claims yet.</li>
        {% endfor %}
      </ul>
    </section>
  </aside>
{% endlocalize %}"""

_keys = itertools.count()


def old_text(body: str, marks: list[Mark]) -> str:
    context = {"pieces": pieces(with_gaps(tokens(body, marks))), "spans_version": "3.1.2.4"}
    return engines["django"].from_string(OLD_TEXT).render(context)


def new_text(body: str, marks: list[Mark]) -> str:
    context = {
        "text_html": lambda: article_html(body, marks),
        "spans_version": "3.1.2.4",  # freshness: the same in both
        "text_key": f"test-{next(_keys)}",  # never a cached fragment
        "fragment_timeout": 60,
    }
    return get_template("articles/workspace.html#article-text").render(context)


@dataclass
class _Article:
    pk: int
    revision: int


def panels(rows: list[tuple], *, can_edit: bool) -> tuple[str, str]:
    """(old, new) side panel of the rows, white space runs as one space."""
    spans = workspace_span_rows(rows)
    context = {"article": ARTICLE, "can_edit": can_edit}
    groups = panel_groups(spans, article_id=ARTICLE.pk)  # what the old template looped over
    mentions = [g.items for g in groups.suggestions if g.kind == "mention"]
    context["mention_groups"] = mention_groups(mentions[0]) if mentions else []
    old = engines["django"].from_string(OLD_PANEL).render({**context, "panel": groups})
    new = get_template("articles/workspace.html#side-panel").render(
        {
            **context,
            "panel": panel_build(spans, article_id=ARTICLE.pk, can_edit=can_edit),
            "panel_key": f"test-{next(_keys)}",
            "fragment_timeout": 60,
        }
    )
    return " ".join(old.split()), " ".join(new.split())


# --- a tricky article: nesting, crossing, gaps, suggestions, orphans, markup in every value ---

ARTICLE = _Article(pk=42, revision=3)
BODY = (
    "Mr O'Brien said: \"Prices <will> fall & rise\" — it's <script>alert('x')</script> true."
    "\n\nSecond paragraph, with Israel and Hamas; Israel again.\n\n\n"
    "Third: “the minister has our back”, officials have said. End"
)


def at(sub: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = BODY.index(sub, start + 1)
    return start, start + len(sub)


def between(first: str, last: str) -> tuple[int, int]:
    return at(first)[0], at(last)[1]


OBRIEN = (11, 'O\'Brien & "Sons" <b>', "PERSON", 'o\'brien & "sons" <b>')
ISRAEL = (12, "Israel", "GPE", "israel")
MR = (13, "Mr O'Brien", "PERSON", "mr o'brien")
NOBODY = (None, None, None, None)
PRICES = (21, "Prices <will> fall", "false", OBRIEN[1])
MINISTER = (22, "The minister & co", "unreviewed", None)
NO_CLAIM = (None, None, None, None)
LONG = "“" + 'It\'s <b>long</b> & "quoted" text ' * 6 + "”"


def row(
    pk,
    place,
    kind,
    status="accepted",
    *,
    note="",
    confidence=None,
    version=1,
    speaker=NOBODY,
    entity=NOBODY,
    claim=NO_CLAIM,
    text=None,
    proposal=None,
    revised_from="",
):
    start, end = place
    text = BODY[start:end] if text is None else text
    return (
        pk,
        start,
        end,
        kind,
        status,
        text,
        note,
        confidence,
        version,
        *speaker,
        *entity,
        *claim,
        proposal or {},
        revised_from,
    )


ROWS = sorted(
    [
        row(1, between('"Prices', "<script>"), "quote", speaker=OBRIEN),
        row(2, at("Israel"), "mention", entity=ISRAEL, version=4),
        row(3, at("Israel", 1), "mention", entity=ISRAEL),
        row(4, at("Prices <will> fall & rise"), "claim", claim=PRICES),
        row(5, between("true.", "Second paragraph"), "claim"),
        row(
            6,
            at("Hamas"),
            "mention",
            "suggested",
            proposal={"candidate": {"name": "Hamas", "kind": "ORG"}},
            confidence=0.125,
        ),
        row(7, at("Israel", 1), "mention", "suggested", entity=ISRAEL, confidence=0.675),
        row(
            8,
            between("“the minister", "have said"),
            "quote",
            "suggested",
            proposal={
                "indirect": True,
                "speaker": "Jane <Doe> & co",
                "speaker_confidence": 0.3,
                "evidence": "last <speaker>",
            },
            confidence=0.5,
        ),
        row(9, between("has our", "officials"), "claim", "suggested", confidence=None),
        row(10, at("minister"), "mention"),
        row(11, (0, 2), "quote", "orphaned", speaker=OBRIEN, text=LONG),
        row(12, (5, 900), "mention", "orphaned", entity=ISRAEL, text="Israel & <co>"),
        row(13, at("End"), "quote"),
        row(14, at("Mr O'Brien"), "mention", entity=MR),
        row(15, between("the minister", "back"), "claim", claim=MINISTER),
        row(16, at("Second"), "quote", "suggested", speaker=MR, confidence=1.0),
        row(17, at("Hamas"), "mention", "suggested", confidence=0.3),
        row(18, at("said", 1), "quote", speaker=MR),
        row(19, at("Third"), "quote", "suggested"),
    ],
    key=lambda r: (r[1], -r[2], r[0]),
)


def test_the_tricky_article_text_is_what_the_template_wrote():
    # The workspace passes its live spans as the marks (labels from _label); the old path
    # had them copied into Marks first.
    spans = [span for span in workspace_span_rows(ROWS) if span.status in LIVE]
    marks = [Mark(s.pk, s.start, s.end, s.kind, s.status, s.label, s.version) for s in spans]
    new = new_text(BODY, spans)
    assert new == old_text(BODY, marks)
    # It is tricky: split pieces, gaps, suggestions and escaped markup in text and titles.
    assert new.count('data-span-id="9"') == 2  # crossing the claim 15
    assert '>true.<span class="gap">\n\n</span><mark ' in new  # in the claim 5
    assert '<span class="gap">\n\n\n</span>' in new
    assert "is-suggested" in new
    assert "&lt;script&gt;</mark>alert(&#x27;x&#x27;)&lt;/script&gt;" in new
    assert 'title="Quote — O&#x27;Brien &amp; &quot;Sons&quot; &lt;b&gt;"' in new


def test_the_text_without_spans_and_of_an_empty_body():
    assert new_text(BODY, []) == old_text(BODY, [])
    assert new_text("", []) == old_text("", [])


BODIES = st.text(st.sampled_from(list("ab <>&\"'\n—😀")), max_size=40)
MARKS = st.lists(
    st.tuples(
        st.integers(-2, 42),
        st.integers(0, 14),
        st.sampled_from(["quote", "mention", 'x"<y>']),
        st.sampled_from(["accepted", "suggested"]),
        st.text(st.sampled_from(list("a <>&\"'—")), max_size=6),
        st.integers(0, 3),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(body=BODIES, specs=MARKS)
def test_any_text_is_what_the_template_wrote(body, specs):
    marks = [
        Mark(i, start, start + length, kind, status, label, version)
        for i, (start, length, kind, status, label, version) in enumerate(specs, start=1)
    ]
    assert new_text(body, marks) == old_text(body, marks)


def test_the_tricky_panel_is_what_the_template_wrote_for_editors_and_viewers():
    for can_edit in (True, False):
        old, new = panels(ROWS, can_edit=can_edit)
        assert new == old
        assert ("Tag all" in new) == can_edit
        assert ("Accept" in new) == can_edit
    # It is tricky: every section, and markup in names, texts and notes.
    for part in (
        "Orphaned annotations",
        "Unattributed",
        "Unlinked names",
        "No claim",
        "indirect",
        "no speaker found",
        "speaker unsure",
        "last &lt;speaker&gt;",
        'Hamas <span class="count">×1</span>',
        "&lt;b&gt;",
        "Jane &lt;Doe&gt;",
    ):
        assert part in new


def test_an_empty_panel_is_what_the_template_wrote():
    for can_edit in (True, False):
        old, new = panels([], can_edit=can_edit)
        assert new == old
        for empty in ("No quotes yet.", "No mentions yet.", "No claims yet."):
            assert empty in new


def test_a_panel_of_one_of_each_is_what_the_template_wrote():
    rows = [r for r in ROWS if r[0] in (2, 4, 6, 13)]
    for can_edit in (True, False):
        old, new = panels(rows, can_edit=can_edit)
        assert new == old
        assert "1 speaker<" in new
