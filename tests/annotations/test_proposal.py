"""What a suggester proposes lives in `Span.proposal`; the editor's `note` is free text that
nothing reads. The data migration moves what old suggestions kept in their notes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from annotations import services
from annotations.models import Entity, Span, SpanKind, SpanStatus
from tests.factories import ArticleFactory, EntityFactory, SpanFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
MACHINE_LIKE = "candidate: Foo (ORG); speaker: Foo Bar; indirect"

migration = importlib.import_module("annotations.migrations.0007_span_note_to_proposal")


def suggested_mention(**kwargs) -> Span:
    article = ArticleFactory(body="Jane Doe met Foo in Springfield.")
    return SpanFactory(
        article=article,
        quote="Jane Doe",
        kind=SpanKind.MENTION,
        entity=None,
        status=SpanStatus.SUGGESTED,
        origin="suggester:entities",
        **kwargs,
    )


def suggested_quote(**kwargs) -> Span:
    article = ArticleFactory(body="“We will open the bridge by May,” the mayor said.")
    return SpanFactory(
        article=article,
        quote="We will open the bridge by May",
        kind=SpanKind.QUOTE,
        entity=None,
        status=SpanStatus.SUGGESTED,
        origin="suggester:quotes",
        **kwargs,
    )


# --- accept reads the proposal, never the note ---------------------------------------------------


def test_a_note_that_looks_like_machine_data_does_not_change_accept(editor):
    mention = suggested_mention(
        note=MACHINE_LIKE, proposal={"candidate": {"name": "Jane Doe", "kind": "PERSON"}}
    )
    EntityFactory(name="Foo Bar", kind="PERSON")  # what the note would have made the speaker

    accepted = services.suggestion_accept(span=mention, user=editor)

    assert (accepted.entity.name, accepted.entity.kind) == ("Jane Doe", "PERSON")
    assert not Entity.objects.filter(name="Foo").exists()
    assert accepted.note == MACHINE_LIKE  # the editor's text, as written

    quote = suggested_quote(note="speaker: Foo Bar", proposal={})
    accepted = services.suggestion_accept(span=quote, user=editor)
    assert (accepted.status, accepted.speaker) == ("accepted", None)


def test_without_a_proposal_a_mention_is_accepted_as_its_text(editor_api):
    mention = suggested_mention(note="candidate: Foo (ORG)")

    response = editor_api.patch(f"/api/spans/{mention.pk}/", {"status": "accepted"})

    assert response.status_code == 200, response.content
    data = response.json()
    entity = Entity.objects.get(pk=data["entity"])
    assert (entity.name, entity.kind) == ("Jane Doe", "OTHER")
    assert (data["note"], data["proposal"]) == ("candidate: Foo (ORG)", {})


def test_the_workspace_shows_and_accepts_the_proposal_not_the_note(editor_client, editor):
    quote = suggested_quote(
        note="speaker: Foo Bar", proposal={"speaker": "Ann Lee", "indirect": True}
    )

    page = editor_client.get(f"/articles/{quote.article_id}/").content.decode()
    form = editor_client.get(f"/spans/{quote.pk}/", **HX).content.decode()

    assert "Suggested indirect quote — Ann Lee" in page
    assert "Foo Bar" not in page  # the note is not offered as the speaker
    assert 'value="Ann Lee"' in form
    assert "An indirect quote." in form
    response = editor_client.post(f"/spans/{quote.pk}/accept/", {"version": 1}, **HX)
    assert response.status_code == 200
    quote.refresh_from_db()
    assert (quote.status, quote.speaker.name, quote.note) == (
        "accepted",
        "Ann Lee",
        "speaker: Foo Bar",
    )


def test_the_api_serves_the_proposal_read_only(editor_api):
    proposal = {"candidate": {"name": "Jane Doe", "kind": "PERSON"}, "confidence": 0.7}
    mention = suggested_mention(proposal=proposal)

    listed = editor_api.get(f"/api/articles/{mention.article_id}/spans/").json()["results"]
    response = editor_api.patch(
        f"/api/spans/{mention.pk}/", {"proposal": {"speaker": "X"}}, format="json"
    )

    assert listed[0]["proposal"] == proposal
    assert response.status_code == 200
    assert response.json()["proposal"] == proposal
    mention.refresh_from_db()
    assert (mention.proposal, mention.version) == (proposal, 1)


def test_a_restored_span_keeps_its_proposal(editor):
    quote = suggested_quote(proposal={"speaker": "Ann Lee"})
    services.span_delete(span=quote, user=editor)

    restored = services.span_restore(span_id=quote.pk, user=editor)

    assert restored.proposal == {"speaker": "Ann Lee"}


# --- the data migration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "note", "proposal", "left"),
    [
        pytest.param(
            "mention",
            "candidate: Hamas (ORG)",
            {"candidate": {"name": "Hamas", "kind": "ORG"}},
            "",
            id="candidate",
        ),
        pytest.param(
            "quote",
            "indirect; speaker: Palestinian officials",
            {"indirect": True, "speaker": "Palestinian officials"},
            "",
            id="indirect-speaker",
        ),
        pytest.param(
            "quote",
            "speaker: Alex Vatanka; checked on tape",
            {"speaker": "Alex Vatanka"},
            "checked on tape",
            id="human-text-kept",
        ),
        pytest.param(
            "mention",
            "candidate: Foo (ORG) maybe; see AP",
            {},
            "candidate: Foo (ORG) maybe; see AP",
            id="not-quite-machine",
        ),
        pytest.param("mention", "speaker: X", {}, "speaker: X", id="speaker-on-a-mention"),
        pytest.param("claim", "indirect", {}, "indirect", id="claims-have-none"),
    ],
)
def test_split_note(kind, note, proposal, left):
    assert migration.split_note(kind, note) == (proposal, left)
    if proposal:
        assert migration.split_note(kind, migration.join_note(kind, proposal, left)) == (
            proposal,
            left,
        )


def test_the_migration_moves_old_notes_to_proposals(editor):
    def make(**kwargs) -> Span:
        # As the old code stored them: the proposal empty, the machine data in the note.
        return SpanFactory(article=ArticleFactory(), proposal={}, **kwargs)

    candidate = make(
        kind="mention",
        entity=None,
        status="suggested",
        origin="suggester:entities",
        note="candidate: Jane Doe (PERSON)",
    )
    accepted_quote = make(
        kind="quote",
        entity=None,
        origin="suggester:quotes",
        note="indirect; speaker: Jane Doe; keep this",
    )
    api_suggestion = make(
        kind="mention", entity=None, status="suggested", note="candidate: Doe (PERSON)"
    )
    editors_own = make(kind="quote", entity=None, note="speaker: unclear on tape")
    plain = make(kind="mention", origin="suggester:entities", note="")

    migration.notes_to_proposals(apps, None)

    rows = {s.pk: s for s in Span.objects.all()}
    assert (rows[candidate.pk].proposal, rows[candidate.pk].note) == (
        {"candidate": {"name": "Jane Doe", "kind": "PERSON"}},
        "",
    )
    assert (rows[accepted_quote.pk].proposal, rows[accepted_quote.pk].note) == (
        {"indirect": True, "speaker": "Jane Doe"},
        "keep this",
    )
    assert rows[api_suggestion.pk].proposal == {"candidate": {"name": "Doe", "kind": "PERSON"}}
    # An editor's own accepted span keeps its note: a person wrote it.
    assert (rows[editors_own.pk].proposal, rows[editors_own.pk].note) == (
        {},
        "speaker: unclear on tape",
    )
    assert (rows[plain.pk].proposal, rows[plain.pk].note) == ({}, "")

    # Accepting the migrated suggestion uses what its note used to say.
    accepted = services.suggestion_accept(span=rows[candidate.pk], user=editor)
    assert (accepted.entity.name, accepted.entity.kind) == ("Jane Doe", "PERSON")

    # And backwards: the notes as they were.
    migration.proposals_to_notes(apps, None)
    assert Span.objects.get(pk=candidate.pk).note == "candidate: Jane Doe (PERSON)"
    assert Span.objects.get(pk=accepted_quote.pk).note == "indirect; speaker: Jane Doe; keep this"
    assert Span.objects.get(pk=editors_own.pk).note == "speaker: unclear on tape"
