"""The admin writes through the services: its edits and deletes of spans, entities and claims
are versioned, in the history under the admin's name, and a deleted span can be restored —
as the same actions in the workspace and the API. Every test posts to the real admin URLs."""

from __future__ import annotations

import pytest

from annotations import services
from annotations.models import (
    Claim,
    Entity,
    EntityAlias,
    HistoryAction,
    HistoryEntry,
    Span,
    SpanKind,
    SpanStatus,
)
from tests.factories import ClaimFactory, EntityAliasFactory, EntityFactory, SpanFactory

pytestmark = pytest.mark.django_db


def change_url(model: str, pk: int) -> str:
    return f"/admin/annotations/{model}/{pk}/change/"


def delete_url(model: str, pk: int) -> str:
    return f"/admin/annotations/{model}/{pk}/delete/"


def entries(obj) -> list[str]:
    """The history actions about obj, oldest first."""
    kind = type(obj).__name__.lower()
    return list(
        HistoryEntry.objects.filter(object_type=kind, object_id=obj.pk)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


def span_form(span: Span, **changes) -> dict:
    data = {
        "entity": span.entity_id or "",
        "speaker": span.speaker_id or "",
        "claim": span.claim_id or "",
        "status": span.status,
        "confidence": "" if span.confidence is None else span.confidence,
        "note": span.note,
        "seen_version": span.version,
    }
    return {**data, **changes}


def entity_form(entity: Entity, aliases: list[EntityAlias] = (), **changes) -> dict:
    data = {
        "name": entity.name,
        "kind": entity.kind,
        "description": entity.description,
        "external_id": entity.external_id,
        "seen_version": entity.version,
        "aliases-TOTAL_FORMS": len(aliases),
        "aliases-INITIAL_FORMS": len(aliases),
        "aliases-MIN_NUM_FORMS": 0,
        "aliases-MAX_NUM_FORMS": 1000,
    }
    for i, alias in enumerate(aliases):
        data.update(
            {
                f"aliases-{i}-id": alias.pk,
                f"aliases-{i}-entity": entity.pk,
                f"aliases-{i}-name": alias.name,
            }
        )
    return {**data, **changes}


def claim_form(claim: Claim, **changes) -> dict:
    data = {
        "text": claim.text,
        "claimant": claim.claimant_id or "",
        "verdict": claim.verdict,
        "verdict_note": claim.verdict_note,
        "seen_version": claim.version,
    }
    return {**data, **changes}


# --- spans ---------------------------------------------------------------------------------------


def test_an_admin_edit_of_a_span_is_versioned_and_in_the_history(admin_client, admin_user):
    span = SpanFactory(kind=SpanKind.QUOTE, entity=None, note="")
    speaker = EntityFactory()

    response = admin_client.post(
        change_url("span", span.pk), span_form(span, note="checked", speaker=speaker.pk)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    span.refresh_from_db()
    assert (span.note, span.speaker, span.version) == ("checked", speaker, 2)
    entry = HistoryEntry.objects.get(object_type="span", object_id=span.pk)
    assert (entry.action, entry.user) == (HistoryAction.UPDATED, admin_user)
    assert (entry.before["note"], entry.after["note"]) == ("", "checked")
    assert (entry.before["version"], entry.after["version"]) == (1, 2)


def test_accepting_a_suggestion_in_the_admin_is_recorded_as_accepted(admin_client, admin_user):
    span = SpanFactory(status=SpanStatus.SUGGESTED)

    admin_client.post(change_url("span", span.pk), span_form(span, status="accepted"))

    span.refresh_from_db()
    assert (span.status, span.version) == ("accepted", 2)
    assert entries(span) == [HistoryAction.ACCEPTED]


def test_an_admin_save_without_changes_changes_nothing(admin_client):
    span = SpanFactory(note="as it was")

    response = admin_client.post(change_url("span", span.pk), span_form(span))

    assert response.status_code == 302
    span.refresh_from_db()
    assert (span.note, span.version) == ("as it was", 1)
    assert entries(span) == []


def test_an_admin_edit_of_a_span_someone_changed_meanwhile_is_refused(admin_client, editor):
    span = SpanFactory(note="")
    seen = span_form(span, note="admin's")
    page = admin_client.get(change_url("span", span.pk)).content.decode()
    assert 'name="seen_version" value="1"' in page

    services.span_update(span=span, note="editor's", user=editor)

    response = admin_client.post(change_url("span", span.pk), seen)

    assert response.status_code == 200  # the form again, with the reason
    content = response.content.decode()
    assert "changed by someone else meanwhile" in content
    assert f"by {editor.username}, now version 2; you had 1" in content
    span.refresh_from_db()
    assert (span.note, span.version) == ("editor's", 2)


def test_the_admin_applies_the_span_rules_beside_the_fields(admin_client):
    mention = SpanFactory()
    speaker = EntityFactory()

    response = admin_client.post(
        change_url("span", mention.pk), span_form(mention, speaker=speaker.pk)
    )

    assert response.status_code == 200
    assert "Only quotes have a speaker." in response.content.decode()
    mention.refresh_from_db()
    assert (mention.speaker, mention.version) == (None, 1)
    assert entries(mention) == []


def test_the_admin_cannot_orphan_a_span(admin_client):
    span = SpanFactory()
    response = admin_client.post(change_url("span", span.pk), span_form(span, status="orphaned"))
    assert response.status_code == 200
    assert "Only a revision of the text orphans a span." in response.content.decode()
    span.refresh_from_db()
    assert span.status == "accepted"


def test_an_admin_delete_of_a_span_can_be_restored(admin_client, admin_user, editor_api):
    span = SpanFactory(note="keep me")
    entity = span.entity

    response = admin_client.post(delete_url("span", span.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Span.objects.filter(pk=span.pk).exists()
    deleted = HistoryEntry.objects.get(object_type="span", object_id=span.pk)
    assert (deleted.action, deleted.user) == (HistoryAction.DELETED, admin_user)
    assert deleted.before["note"] == "keep me"

    restored = editor_api.post(f"/api/spans/{span.pk}/restore/")

    assert restored.status_code == 201, restored.content
    back = Span.objects.get(pk=span.pk)
    assert (back.text, back.entity, back.note, back.version) == (span.text, entity, "keep me", 2)
    assert entries(back) == [HistoryAction.DELETED, HistoryAction.RESTORED]


def test_the_delete_selected_action_deletes_each_span_through_the_service(admin_client):
    spans = [SpanFactory(), SpanFactory(quote="Springfield")]

    response = admin_client.post(
        "/admin/annotations/span/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [s.pk for s in spans]},
    )

    assert response.status_code == 302
    assert not Span.objects.filter(pk__in=[s.pk for s in spans]).exists()
    for span in spans:
        assert entries(span) == [HistoryAction.DELETED]


# --- entities ------------------------------------------------------------------------------------


def test_an_admin_edit_of_an_entity_and_its_aliases_is_in_the_history(admin_client, admin_user):
    entity = EntityFactory(name="Antony Blinken")
    old = EntityAliasFactory(entity=entity, name="Blinken")

    data = entity_form(entity, [old], name="Antony J. Blinken")
    data.update(
        {
            "aliases-TOTAL_FORMS": 2,
            "aliases-0-DELETE": "on",
            "aliases-1-entity": entity.pk,
            "aliases-1-name": "Secretary of State",
        }
    )
    response = admin_client.post(change_url("entity", entity.pk), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    entity.refresh_from_db()
    assert (entity.name, entity.folded, entity.version) == (
        "Antony J. Blinken",
        "antony j. blinken",
        2,
    )
    assert list(entity.aliases.values_list("name", flat=True)) == ["Secretary of State"]
    rows = list(
        HistoryEntry.objects.filter(object_type="entity", object_id=entity.pk).order_by("id")
    )
    assert [r.action for r in rows] == [HistoryAction.UPDATED] * 3  # name, alias out, alias in
    assert {r.user for r in rows} == {admin_user}
    assert (rows[0].before["name"], rows[0].after["name"]) == (
        "Antony Blinken",
        "Antony J. Blinken",
    )
    assert rows[-1].after["aliases"] == ["Secretary of State"]


def test_an_entity_added_in_the_admin_is_created_by_the_service(admin_client, admin_user):
    data = entity_form(Entity(name="Hamas", kind="ORG"))
    del data["seen_version"]
    data.update({"aliases-TOTAL_FORMS": 1, "aliases-INITIAL_FORMS": 0, "aliases-0-name": "Harakat"})

    response = admin_client.post("/admin/annotations/entity/add/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    entity = Entity.objects.get(name="Hamas")
    assert (entity.kind, entity.created_by, entity.version) == ("ORG", admin_user, 1)
    assert list(entity.aliases.values_list("name", flat=True)) == ["Harakat"]
    assert entries(entity) == [HistoryAction.CREATED, HistoryAction.UPDATED]


def test_an_admin_delete_of_an_entity_is_in_the_history(admin_client, admin_user):
    entity = EntityFactory()

    response = admin_client.post(delete_url("entity", entity.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Entity.objects.filter(pk=entity.pk).exists()
    deleted = HistoryEntry.objects.get(object_type="entity", object_id=entity.pk)
    assert (deleted.action, deleted.user, deleted.before["name"]) == (
        HistoryAction.DELETED,
        admin_user,
        entity.name,
    )


# --- claims --------------------------------------------------------------------------------------


def test_an_admin_verdict_is_a_review_in_the_history(admin_client, admin_user):
    claim = ClaimFactory()

    response = admin_client.post(
        change_url("claim", claim.pk), claim_form(claim, verdict="false", verdict_note="No.")
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_note, claim.reviewed_by, claim.version) == (
        "false",
        "No.",
        admin_user,
        2,
    )
    assert claim.reviewed_at is not None
    entry = HistoryEntry.objects.get(object_type="claim", object_id=claim.pk)
    assert (entry.action, entry.user, entry.after["verdict"]) == (
        HistoryAction.UPDATED,
        admin_user,
        "false",
    )


def test_an_unchanged_claim_saved_in_the_admin_is_not_reviewed_again(admin_client):
    claim = ClaimFactory(verdict="false", verdict_note="No.")

    admin_client.post(change_url("claim", claim.pk), claim_form(claim))

    claim.refresh_from_db()
    assert (claim.version, claim.reviewed_by) == (1, None)
    assert entries(claim) == []


def test_an_admin_delete_of_a_claim_is_in_the_history(admin_client, admin_user):
    claim = ClaimFactory()

    response = admin_client.post(delete_url("claim", claim.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert entries(claim) == [HistoryAction.DELETED]


def test_an_admin_delete_of_a_stated_claim_deletes_its_spans_restorably(admin_client):
    """A claim that spans state: the admin lists the spans it deletes with it (the service's
    rule, as in the API) instead of refusing them as protected; each is restorable."""
    claim = ClaimFactory()
    spans = SpanFactory.create_batch(2, kind="claim", claim=claim)

    page = admin_client.get(delete_url("claim", claim.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cannot delete" not in text
    assert text.count("Span:") == 2

    response = admin_client.post(delete_url("claim", claim.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Span.objects.filter(pk__in=[s.pk for s in spans]).exists()
    assert all(entries(span) == [HistoryAction.DELETED] for span in spans)
    restored = services.span_restore(span_id=spans[0].pk)
    assert (restored.pk, restored.claim.text) == (spans[0].pk, claim.text)  # the claim too


def test_the_admin_bulk_delete_of_stated_claims(admin_client):
    claims = ClaimFactory.create_batch(2)
    for claim in claims:
        SpanFactory(kind="claim", claim=claim)
    ids = [str(c.pk) for c in claims]
    changelist = "/admin/annotations/claim/"

    confirm = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": ids})
    assert "Cannot delete" not in confirm.content.decode()
    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )

    assert not Claim.objects.filter(pk__in=ids).exists()
    assert not Span.objects.filter(claim__in=ids).exists()
