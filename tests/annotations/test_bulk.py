"""Bulk actions (issue 18): Accept all / Reject all give exactly what deciding each suggestion
alone gives, in a bounded number of queries; a bulk action is one HistoryBatch, shown as one
history entry and restored as a whole; Tag all and merges are batches too."""

from __future__ import annotations

from contextlib import suppress

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from annotations import history, services, suggesting
from annotations.models import (
    Claim,
    Entity,
    HistoryAction,
    HistoryBatch,
    HistoryEntry,
    Span,
    SpanKind,
    SpanStatus,
)
from articles.models import Article
from tests.annotations.test_suggesting import DAILY, WION, import_seeds
from tests.factories import ArticleFactory, EditorFactory, EntityFactory, SpanFactory


class _Rollback(Exception):
    pass


def _names() -> dict[int, tuple[str, str]]:
    return {pk: (name, kind) for pk, name, kind in Entity.objects.values_list("pk", "name", "kind")}


def _snapshot(data: dict | None, names: dict, claims: dict, *, span: bool) -> dict | None:
    """A history snapshot with the ids of rows each run creates (entities, claims) and its
    timestamps replaced by what they stand for."""
    if data is None:
        return None
    drop = ("created_at", "reviewed_at") if span else ("created_at", "reviewed_at", "id")
    out = {k: v for k, v in data.items() if k not in drop}
    for key in ("entity", "speaker", "claimant", "merged_into"):
        if out.get(key) is not None:
            out[key] = names.get(out[key], ("gone", out[key]))
    if out.get("claim") is not None:
        out["claim"] = claims.get(out["claim"], "gone")
    return out


def _state(article: Article, since: int) -> dict:
    """Everything a decision leaves behind: spans with their links, entities, claims, and the
    history written since `since` (batch bookkeeping aside)."""
    names = _names()
    claims = dict(Claim.objects.values_list("pk", "text"))
    spans = sorted(
        (
            s.pk,
            s.kind,
            s.start,
            s.end,
            s.status,
            s.version,
            names.get(s.entity_id),
            names.get(s.speaker_id),
            claims.get(s.claim_id),
        )
        for s in Span.objects.filter(article=article)
    )
    entities = sorted(
        (e.name, e.kind, e.version, tuple(sorted(e.aliases.values_list("name", flat=True))))
        for e in Entity.objects.all()
    )
    entries = []
    for e in HistoryEntry.objects.filter(pk__gt=since):
        is_span = e.object_type == "span"
        entries.append(
            (
                e.object_type,
                e.object_id if is_span else None,
                e.action,
                e.article_id,
                names.get(e.entity_id, ("gone", None))[0] if e.entity_id else None,
                e.user_id,
                repr(_snapshot(e.before, names, claims, span=is_span)),
                repr(_snapshot(e.after, names, claims, span=is_span)),
            )
        )
    claim_rows = sorted(Claim.objects.values_list("text", "verdict", "claimant__name"))
    return {"spans": spans, "entities": entities, "claims": claim_rows, "history": sorted(entries)}


def _outcome(article: Article, decide) -> dict:
    """The state after decide(), then undone (a savepoint rolled back)."""
    since = HistoryEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = {}
    with suppress(_Rollback), transaction.atomic():
        decide()
        result = _state(article, since)
        raise _Rollback
    return result


@pytest.mark.parametrize("seed", [DAILY, WION], ids=["daily", "wion"])
@pytest.mark.parametrize("kind", [SpanKind.QUOTE, SpanKind.MENTION, SpanKind.CLAIM])
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_bulk_decisions_equal_deciding_each_suggestion_alone(seed, kind, decision, editor):
    article = import_seeds()[seed]
    services.entity_create(name="Antony Blinken", kind="PERSON", aliases=["Anthony Blinken"])
    services.entity_create(name="Israel", kind="GPE")
    suggesting.article_suggest(article=article)
    pending = Span.objects.filter(article=article, kind=kind, status=SpanStatus.SUGGESTED)
    count = pending.count()
    # Both seeds have quotes and mentions to decide; the WION piece no claim to suggest.
    assert count > 0 or (kind, seed) == (SpanKind.CLAIM, WION)

    def one_by_one():
        for span in pending.order_by("start", "id"):
            if decision == "accept":
                services.suggestion_accept(span=span, user=editor)
            else:
                services.suggestion_reject(span=span, user=editor)

    def bulk():
        decide = {
            "accept": suggesting.suggestions_accept_all,
            "reject": suggesting.suggestions_reject_all,
        }[decision]
        assert decide(article=article, kind=kind, user=editor) == count

    alone, together = _outcome(article, one_by_one), _outcome(article, bulk)
    assert alone["spans"] == together["spans"]
    assert alone["entities"] == together["entities"]
    assert alone["claims"] == together["claims"]
    assert alone["history"] == together["history"]
    # Nothing left undecided, and the decision is real.
    status = SpanStatus.ACCEPTED if decision == "accept" else SpanStatus.REJECTED
    assert {row[4] for row in together["spans"] if row[1] == kind} == ({status} if count else set())


def test_accept_all_quotes_links_the_speaker_the_panel_showed_creating_it_once(editor):
    article = import_seeds()[WION]
    suggesting.article_suggest(article=article, kinds=["quote"])
    shown = {
        s.pk: s.proposal.get("speaker") for s in Span.objects.filter(article=article, kind="quote")
    }
    assert sum(name == "Antony Blinken" for name in shown.values()) >= 5
    suggesting.suggestions_accept_all(article=article, kind="quote", user=editor)
    assert Entity.objects.filter(folded="antony blinken").count() == 1
    for span in Span.objects.filter(article=article, kind="quote").select_related("speaker"):
        if shown[span.pk] == "Antony Blinken":
            assert span.speaker.name == "Antony Blinken"


def _suggested_article(n: int, kind: str) -> Article:
    """An article with n suggested spans of kind: quotes naming one new speaker (and a known
    one), or mentions of n different new names."""
    body = "\n\n".join(
        f"“We will rebuild bridge {i},” Dana Whitfield said. Harbor{i} Works agreed."
        for i in range(n)
    )
    article = ArticleFactory(body=body)
    known = Entity.objects.filter(name="Dana Whitfield").first() or EntityFactory(
        name="Dana Whitfield"
    )
    new_person = f"Mara Klein {'Ten' if n == 10 else 'Hundred'}"
    spans = []
    cursor = 0
    for i in range(n):
        quote = f"“We will rebuild bridge {i},”"
        name = f"Harbor{i} Works"
        start = body.index(quote, cursor)
        cursor = start + 1
        if kind == SpanKind.QUOTE:
            speaker = new_person if i % 2 else known.name
            text, proposal = quote, {"speaker": speaker, "speaker_confidence": 0.9}
        else:
            start = body.index(name, cursor)
            text, proposal = name, {"candidate": {"name": f"{name} {n}", "kind": "ORG"}}
        spans.append(
            Span(
                article=article,
                start=start,
                end=start + len(text),
                text=text,
                kind=kind,
                status=SpanStatus.SUGGESTED,
                origin="test",
                proposal=proposal,
            )
        )
    Span.objects.bulk_create(spans)
    return article


@pytest.mark.parametrize("kind", [SpanKind.QUOTE, SpanKind.MENTION, SpanKind.CLAIM])
def test_accept_all_costs_the_same_queries_for_10_and_100_suggestions(kind, editor):
    counts = {}
    for n in (10, 100):
        article = _suggested_article(n, kind if kind != SpanKind.CLAIM else SpanKind.QUOTE)
        if kind == SpanKind.CLAIM:
            Span.objects.filter(article=article).update(kind=SpanKind.CLAIM, proposal={})
        with CaptureQueriesContext(connection) as captured:
            assert suggesting.suggestions_accept_all(article=article, kind=kind, user=editor) == n
        counts[n] = _counted(captured)
    # Mentions create 10 or 100 new entities, quotes one new person: one query either way.
    assert counts[10] == counts[100] <= 10, counts


def _counted(captured) -> int:
    """The queries run. SQLite cuts a bulk INSERT at 999 parameters (more rows, more INSERTs
    of the same statement: 200 history entries of 15 columns are 4); PostgreSQL never does,
    so there every query counts."""
    if connection.vendor == "postgresql":
        return len(captured)
    return len({q["sql"] for q in captured if not q["sql"].startswith("INSERT")}) + len(
        {q["sql"].split(" (")[0] for q in captured if q["sql"].startswith("INSERT")}
    )


def test_reject_all_costs_the_same_queries_for_10_and_100(editor):
    counts = {}
    for n in (10, 100):
        article = _suggested_article(n, SpanKind.MENTION)
        with CaptureQueriesContext(connection) as captured:
            suggesting.suggestions_reject_all(article=article, kind="mention", user=editor)
        counts[n] = _counted(captured)
    assert counts[10] == counts[100] <= 6, counts


def test_a_bulk_accept_is_one_batch_and_restoring_it_returns_the_suggestions(editor):
    article = import_seeds()[WION]
    suggesting.article_suggest(article=article, kinds=["quote"])
    before = {
        s.pk: (s.status, s.speaker_id, s.version)
        for s in Span.objects.filter(article=article, kind="quote")
    }
    n = suggesting.suggestions_accept_all(article=article, kind="quote", user=editor)
    batch = HistoryBatch.objects.get(action=HistoryAction.ACCEPTED)
    assert (batch.size, batch.summary) == (n, f"accepted {n} quote suggestions")
    assert batch.entries.filter(object_type="span").count() == n
    assert batch.entries.filter(object_type="entity", action="created").exists()  # Blinken
    # The article's history shows the batch once.
    from annotations import selectors

    listed = list(selectors.history_for_article(article=article))
    assert [e.batch_id for e in listed].count(batch.pk) == 1

    report = services.batch_restore(batch=batch, user=editor)
    assert (report.restored, report.unrestored) == (n, [])
    after = {
        s.pk: (s.status, s.speaker_id) for s in Span.objects.filter(article=article, kind="quote")
    }
    assert after == {pk: (status, speaker) for pk, (status, speaker, _) in before.items()}
    assert not Entity.objects.filter(folded="antony blinken").exists()  # created, now unused
    batch.refresh_from_db()
    assert batch.restored_by == report.batch
    assert report.batch.action == HistoryAction.RESTORED
    with pytest.raises(services.ValidationError, match="restored already"):
        services.batch_restore(batch=batch, user=editor)


def test_restoring_a_batch_leaves_later_edits_alone_and_names_them(editor):
    other = EditorFactory(username="ruth")
    article = _suggested_article(4, SpanKind.MENTION)
    suggesting.suggestions_accept_all(article=article, kind="mention", user=editor)
    batch = HistoryBatch.objects.get()
    spans = list(Span.objects.filter(article=article).order_by("start"))
    changed = services.span_update(span=spans[1], note="checked", user=other)
    report = services.batch_restore(batch=batch, user=editor)
    assert report.restored == 3
    assert [(u.span_id, u.text) for u in report.unrestored] == [(changed.pk, changed.text)]
    assert "ruth" in report.message
    assert changed.text in report.message
    statuses = dict(Span.objects.filter(article=article).values_list("pk", "status"))
    assert statuses.pop(changed.pk) == SpanStatus.ACCEPTED  # the later edit kept
    assert set(statuses.values()) == {SpanStatus.SUGGESTED}
    # Its entity stays (still used); the three others' go.
    assert Entity.objects.filter(name__startswith="Harbor").count() == 1


def test_tag_all_is_a_batch_never_stacks_or_wraps_and_restores(editor):
    article = ArticleFactory(
        body="Antony Blinken met Blinken's team. Blinken left. Secretary Blinken spoke."
    )
    blinken = EntityFactory(name="Antony Blinken")
    services.alias_add(entity=blinken, name="Blinken")
    services.alias_add(entity=blinken, name="Secretary Blinken")
    # An existing mention of "Blinken" inside "Secretary Blinken": tagging must not wrap it.
    inner = SpanFactory(article=article, quote="Blinken spoke", entity=blinken)
    services.span_update(span=inner, end=inner.start + len("Blinken"), user=editor)
    new = services.mentions_tag_all(article=article, entity=blinken, user=editor)
    places = sorted((s.start, s.end) for s in Span.objects.filter(article=article))
    # No two mentions of Blinken overlap.
    assert all(a[1] <= b[0] for a, b in zip(places, places[1:], strict=False)), places
    assert [s.text for s in new] == ["Antony Blinken", "Blinken", "Blinken"]
    again = services.mentions_tag_all(article=article, entity=blinken, user=editor)
    assert again == []
    batch = HistoryBatch.objects.get(action=HistoryAction.CREATED)
    assert batch.summary == "tagged 3 mentions of Antony Blinken"
    services.batch_restore(batch=batch, user=editor)
    assert list(Span.objects.filter(article=article).values_list("pk", flat=True)) == [inner.pk]


def test_merge_is_a_batch_and_restoring_it_brings_the_entity_back(editor):
    keep = EntityFactory(name="Antony Blinken")
    drop = EntityFactory(name="Anthony Blinken")
    mention = SpanFactory(entity=drop, quote="Jane Doe")
    services.entity_merge(keep=keep, drop=drop, user=editor)
    batch = HistoryBatch.objects.get(action=HistoryAction.MERGED)
    assert "Anthony Blinken" in batch.summary
    services.batch_restore(batch=batch, user=editor)
    back = Entity.objects.get(pk=drop.pk)
    assert back.name == "Anthony Blinken"
    mention.refresh_from_db()
    assert mention.entity_id == drop.pk
    assert list(keep.aliases.values_list("name", flat=True)) == []


def test_history_record_batch_leads_once_per_article(editor):
    a, b = ArticleFactory(), ArticleFactory()
    entries = [
        history.entry(HistoryAction.CREATED, SpanFactory(article=a), user=editor),
        history.entry(HistoryAction.CREATED, SpanFactory(article=b), user=editor),
        history.entry(HistoryAction.CREATED, SpanFactory(article=a, kind="quote"), user=editor),
    ]
    batch = history.record_batch(entries, action="created", summary="x", size=3, user=editor)
    leads = batch.entries.filter(batch_lead=True)
    assert sorted(leads.values_list("article_id", flat=True)) == sorted([a.pk, b.pk])
