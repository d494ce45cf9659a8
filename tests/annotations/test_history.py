"""The audit trail: every change to spans, claims and entities, and restoring a deleted span."""

import pytest
from django.core.exceptions import ValidationError

from annotations import selectors, services
from annotations.models import (
    Claim,
    Entity,
    HistoryAction,
    HistoryEntry,
    HistoryObject,
    Span,
    SpanKind,
    SpanStatus,
)
from articles.services import article_revise
from tests.factories import ArticleFactory, EditorFactory, EntityFactory

pytestmark = pytest.mark.django_db


def actions(obj_type: str, obj_id: int) -> list[str]:
    return list(
        selectors.history_for_object(object_type=obj_type, object_id=obj_id)
        .reverse()
        .values_list("action", flat=True)
    )


def test_span_life_is_recorded_with_previous_values(article, editor):
    other = EditorFactory()
    span, _ = services.span_create(
        article=article, kind="quote", text="Springfield", status="suggested", user=editor
    )
    span = services.span_accept(span=span, user=other)
    span = services.span_update(span=span, version=span.version, note="checked", user=editor)
    span = services.span_reject(span=span, user=other)
    services.span_delete(span=span, version=span.version, user=editor)

    entries = list(selectors.history_for_object(object_type="span", object_id=span.pk).reverse())
    assert [e.action for e in entries] == [
        HistoryAction.CREATED,
        HistoryAction.ACCEPTED,
        HistoryAction.UPDATED,
        HistoryAction.REJECTED,
        HistoryAction.DELETED,
    ]
    assert [e.user for e in entries] == [editor, other, editor, other, editor]
    created, accepted, updated, rejected, deleted = entries
    assert created.before is None
    assert created.after["text"] == "Springfield"
    assert created.after["status"] == "suggested"
    assert (accepted.before["status"], accepted.after["status"]) == ("suggested", "accepted")
    assert (updated.before["note"], updated.after["note"]) == ("", "checked")
    assert (updated.before["version"], updated.after["version"]) == (2, 3)
    assert rejected.after["status"] == "rejected"
    assert deleted.before["note"] == "checked"
    assert deleted.after is None
    assert all(e.article_id == article.pk for e in entries)


def test_claim_history_and_per_article_view(article, editor):
    span, _ = services.span_create(
        article=article, kind=SpanKind.CLAIM, text="1,200 people use it daily.", user=editor
    )
    claim = span.claim
    claim = services.claim_update(claim=claim, version=1, verdict="true", user=editor)
    assert actions("claim", claim.pk) == [HistoryAction.CREATED, HistoryAction.UPDATED]
    change = selectors.history_for_object(object_type="claim", object_id=claim.pk).first()
    assert (change.before["verdict"], change.after["verdict"]) == ("unreviewed", "true")
    assert change.after["reviewed_by"] == editor.pk

    per_article = selectors.history_for_article(article=article)
    assert {(e.object_type, e.action) for e in per_article} == {
        ("span", "created"),
        ("claim", "created"),
        ("claim", "updated"),
    }
    services.claim_delete(claim=claim, user=editor)
    assert actions("claim", claim.pk)[-1] == HistoryAction.DELETED
    assert actions("span", span.pk)[-1] == HistoryAction.DELETED


def test_entity_history_update_aliases_merge_and_delete(article, editor):
    keep = services.entity_create(name="Antony Blinken", kind="PERSON", user=editor)
    drop = services.entity_create(
        name="Anthony Blinken", kind="PERSON", aliases=["A. Blinken"], user=editor
    )
    keep = services.entity_update(entity=keep, version=1, description="US diplomat", user=editor)
    services.alias_add(entity=keep, name="Blinken", user=editor)
    quote, _ = services.span_create(
        article=article, kind="quote", text="Springfield", speaker=drop, user=editor
    )
    claim = services.claim_create(text="Blinken said so.", claimant=drop, user=editor)

    keep = services.entity_merge(keep=keep, drop=drop, user=editor)

    assert actions("entity", keep.pk) == [
        HistoryAction.CREATED,
        HistoryAction.UPDATED,
        HistoryAction.UPDATED,
        HistoryAction.MERGED,
    ]
    alias_change = HistoryEntry.objects.filter(object_id=keep.pk, action="updated").first()
    assert (alias_change.before["aliases"], alias_change.after["aliases"]) == ([], ["Blinken"])
    [dropped] = selectors.history_for_entity(entity=drop.pk).filter(action="merged")
    assert dropped.action == HistoryAction.MERGED
    assert dropped.before["aliases"] == ["A. Blinken"]
    assert dropped.after["merged_into"] == keep.pk
    merged_span = HistoryEntry.objects.get(object_type="span", object_id=quote.pk, action="merged")
    assert (merged_span.before["speaker"], merged_span.after["speaker"]) == (drop.pk, keep.pk)
    merged_claim = HistoryEntry.objects.get(
        object_type="claim", object_id=claim.pk, action="merged"
    )
    assert merged_claim.after["claimant"] == keep.pk

    # Per entity: its own changes and what happened to the spans and claims pointing at it.
    kinds = {(e.object_type, e.action) for e in selectors.history_for_entity(entity=keep)}
    assert {("entity", "merged"), ("span", "merged"), ("claim", "merged")} <= kinds

    lonely = services.entity_create(name="Nobody", kind="PERSON", user=editor)
    services.entity_delete(entity=lonely, user=editor)
    assert actions("entity", lonely.pk) == [HistoryAction.CREATED, HistoryAction.DELETED]


def test_tag_all_and_revisions_are_recorded(db, editor):
    article = ArticleFactory(body="Doe spoke. Jane Doe left. Doe came back.")
    jane = EntityFactory(name="Jane Doe")
    created = services.mentions_tag_all(article=article, entity=jane, user=editor)
    assert [s.text for s in created] == ["Jane Doe"]
    assert actions("span", created[0].pk) == [HistoryAction.CREATED]
    quote, _ = services.span_create(article=article, kind="quote", text="Doe came back.")
    article_revise(
        article=article, text="Title\n\nIntro.\n\nDoe spoke. Jane Doe left.", user=editor
    )
    assert actions("span", created[0].pk)[-1] == HistoryAction.MOVED
    assert actions("span", quote.pk)[-1] == HistoryAction.ORPHANED


def test_history_queries_are_bounded(article, editor, django_assert_max_num_queries):
    for text in ["Jane Doe", "Springfield", "May"]:
        span, _ = services.span_create(article=article, kind="quote", text=text, user=editor)
        services.span_update(span=span, note="x", user=editor)
    with django_assert_max_num_queries(1):
        rows = [(e.action, e.user.username) for e in selectors.history_for_article(article=article)]
    assert len(rows) == 6


# --- restore ---------------------------------------------------------------------------------


def test_restore_brings_back_a_deleted_span_with_its_links(article, editor):
    speaker = EntityFactory(name="Jane Doe")
    span, _ = services.span_create(
        article=article,
        kind="quote",
        text="We will have it open by May,",
        speaker=speaker,
        note="on the record",
        user=editor,
    )
    created_at = span.created_at
    services.span_delete(span=span, user=editor)
    assert not Span.objects.filter(pk=span.pk).exists()

    restored = services.span_restore(span_id=span.pk, user=editor)

    assert restored.pk == span.pk
    restored = Span.objects.get(pk=span.pk)
    assert (restored.start, restored.end, restored.text) == (span.start, span.end, span.text)
    assert (restored.speaker, restored.note, restored.status) == (
        speaker,
        "on the record",
        "accepted",
    )
    assert restored.created_by == editor
    assert restored.created_at == created_at
    assert restored.version == 2
    assert actions("span", span.pk)[-1] == HistoryAction.RESTORED
    with pytest.raises(ValidationError, match="restored already"):
        services.span_restore(span_id=span.pk, user=editor)


def test_restore_brings_back_the_claim_deleted_with_its_span(article, editor):
    span, _ = services.span_create(
        article=article, kind=SpanKind.CLAIM, text="1,200 people use it daily.", user=editor
    )
    claim_id = span.claim_id
    services.span_delete(span=span, user=editor)
    assert not Claim.objects.filter(pk=claim_id).exists(), "an unreviewed, unused claim goes"

    restored = services.span_restore(span_id=span.pk, user=editor)

    assert restored.claim_id == claim_id
    assert Claim.objects.get(pk=claim_id).text == "1,200 people use it daily."
    assert actions("claim", claim_id) == ["created", "deleted", "restored"]


def test_restore_follows_a_merge_and_a_revision(article, editor):
    drop = EntityFactory(name="Jane Doh")
    keep = EntityFactory(name="Jane Doe")
    span, _ = services.span_create(
        article=article, kind="mention", text="Jane Doe", entity=drop, user=editor
    )
    entry_id = None
    services.span_delete(span=span, user=editor)
    entry_id = HistoryEntry.objects.get(object_id=span.pk, action="deleted").pk
    services.entity_merge(keep=keep, drop=drop, user=editor)
    article_revise(
        article=article, text="Title\n\nA new first paragraph.\n\n" + article.body, user=editor
    )

    restored = services.span_restore(entry=HistoryEntry.objects.get(pk=entry_id), user=editor)

    assert restored.entity == keep
    article.refresh_from_db()
    assert article.body[restored.start : restored.end] == "Jane Doe"
    assert restored.start == span.start + len("A new first paragraph.\n\n")


def test_restore_of_a_vanished_text_comes_back_orphaned(article, editor):
    span, _ = services.span_create(article=article, kind="quote", text="Springfield", user=editor)
    services.span_delete(span=span, user=editor)
    article_revise(article=article, text="Title\n\nA different story altogether.", user=editor)
    restored = services.span_restore(span_id=span.pk, user=editor)
    assert (restored.status, restored.text) == (SpanStatus.ORPHANED, "Springfield")
    assert list(selectors.orphaned_spans(article=article)) == [restored]


def test_restore_refuses_a_twin_and_a_deleted_entity(article, editor):
    span, _ = services.span_create(article=article, kind="quote", text="Springfield", user=editor)
    services.span_delete(span=span, user=editor)
    services.span_create(article=article, kind="quote", text="Springfield", user=editor)
    with pytest.raises(ValidationError, match="identical annotation exists"):
        services.span_restore(span_id=span.pk, user=editor)
    assert not Span.objects.filter(pk=span.pk).exists()

    entity = EntityFactory()
    mention, _ = services.span_create(
        article=article, kind="mention", text="Jane Doe", entity=entity, user=editor
    )
    services.span_delete(span=mention, user=editor)
    services.entity_delete(entity=entity, user=editor)
    with pytest.raises(ValidationError, match="was deleted; nothing was restored"):
        services.span_restore(span_id=mention.pk, user=editor)
    with pytest.raises(ValidationError, match="no deleted span"):
        services.span_restore(span_id=999_999, user=editor)


def test_history_survives_the_deletion_of_what_it_describes(editor):
    entity = services.entity_create(name="Gone Soon", kind="ORG", user=editor)
    services.entity_delete(entity=entity, user=editor)
    assert not Entity.objects.filter(pk=entity.pk).exists()
    entries = list(selectors.history_for_entity(entity=entity.pk))
    assert [e.action for e in entries] == [HistoryAction.DELETED, HistoryAction.CREATED]
    assert entries[0].before["name"] == "Gone Soon"
    assert entries[0].object_type == HistoryObject.ENTITY
