"""A change that changes nothing writes nothing (issue 14, item 10): a PATCH of `{}` or of the
same values, in the API, the htmx forms and the admin, keeps the version (so nobody else gets a
needless 409) and records no "updated" history entry; the answer is the object as it is."""

from __future__ import annotations

import pytest

from annotations import services
from annotations.models import HistoryEntry
from tests.factories import ClaimFactory, EntityAliasFactory, EntityFactory, SpanFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def history(obj) -> list[str]:
    kind = type(obj).__name__.lower()
    return list(
        HistoryEntry.objects.filter(object_type=kind, object_id=obj.pk).values_list(
            "action", flat=True
        )
    )


@pytest.fixture
def span():
    speaker = EntityFactory()
    return SpanFactory(kind="quote", entity=None, speaker=speaker, note="as it was")


@pytest.fixture
def entity():
    entity = EntityFactory(name="Antony Blinken", description="US Secretary of State")
    EntityAliasFactory(entity=entity, name="Blinken")
    return entity


@pytest.fixture
def claim():
    return ClaimFactory(claimant=EntityFactory(), verdict="false", verdict_note="No.")


# --- API -----------------------------------------------------------------------------------------


def same_span(span) -> dict:
    return {
        "note": span.note,
        "speaker": span.speaker_id,
        "status": span.status,
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "version": span.version,
    }


@pytest.mark.parametrize("body", ["empty", "same"])
def test_an_api_patch_of_a_span_without_change_keeps_its_version(editor_api, span, body):
    before = editor_api.get(f"/api/spans/{span.pk}/").json()
    data = {} if body == "empty" else same_span(span)

    response = editor_api.patch(f"/api/spans/{span.pk}/", data, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == before
    span.refresh_from_db()
    assert span.version == 1
    assert history(span) == []


def test_an_api_put_of_a_span_as_read_keeps_its_version(editor_api, span):
    before = editor_api.get(f"/api/spans/{span.pk}/").json()

    response = editor_api.put(f"/api/spans/{span.pk}/", before, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == before
    assert history(span) == []


def test_no_change_is_no_conflict_for_the_next_editor(editor_api, span):
    """The reason for it: editor A saves without changing anything; editor B, who read the
    same version, still saves."""
    editor_api.patch(f"/api/spans/{span.pk}/", {"note": span.note, "version": 1}, format="json")

    response = editor_api.patch(
        f"/api/spans/{span.pk}/", {"note": "B's note", "version": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


@pytest.mark.parametrize("body", ["empty", "same"])
def test_an_api_patch_of_an_entity_without_change_keeps_its_version(editor_api, entity, body):
    before = editor_api.get(f"/api/entities/{entity.pk}/").json()
    data = {}
    if body == "same":
        data = {
            "name": entity.name,
            "kind": entity.kind,
            "description": entity.description,
            "aliases": ["Blinken"],
            "version": 1,
        }

    response = editor_api.patch(f"/api/entities/{entity.pk}/", data, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == before
    entity.refresh_from_db()
    assert entity.version == 1
    assert history(entity) == []


@pytest.mark.parametrize("body", ["empty", "same"])
def test_an_api_patch_of_a_claim_without_change_keeps_its_version(editor_api, claim, body):
    before = editor_api.get(f"/api/claims/{claim.pk}/").json()
    data = {}
    if body == "same":
        data = {
            "text": claim.text,
            "claimant": claim.claimant_id,
            "verdict": "false",
            "verdict_note": "No.",
            "version": 1,
        }

    response = editor_api.patch(f"/api/claims/{claim.pk}/", data, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == before
    claim.refresh_from_db()
    assert (claim.version, claim.reviewed_by) == (1, None)  # not reviewed again either
    assert history(claim) == []


def test_a_real_change_still_bumps_and_records(editor_api, span):
    response = editor_api.patch(f"/api/spans/{span.pk}/", {"note": "new"}, format="json")
    assert response.json()["version"] == 2
    assert history(span) == ["updated"]


# --- htmx forms ----------------------------------------------------------------------------------


def test_saving_the_span_form_unchanged_keeps_the_version(editor_client, span):
    data = {
        "version": 1,
        "speaker": span.speaker_id,
        "speaker_name": span.speaker.name,
        "note": span.note,
    }

    response = editor_client.post(f"/spans/{span.pk}/", data, **HX)

    assert response.status_code == 200
    span.refresh_from_db()
    assert span.version == 1
    assert history(span) == []


def test_saving_the_entity_form_unchanged_keeps_the_version(editor_client, entity):
    data = {
        "name": entity.name,
        "kind": entity.kind,
        "description": entity.description,
        "external_id": "",
        "version": 1,
    }

    response = editor_client.post(f"/entities/{entity.pk}/edit/", data, **HX)

    assert response.status_code == 200
    entity.refresh_from_db()
    assert entity.version == 1
    assert history(entity) == []


def test_saving_the_same_verdict_again_keeps_the_version(editor_client, claim):
    data = {"verdict": "false", "verdict_note": "No.", "version": 1}

    response = editor_client.post(f"/claims/{claim.pk}/", data, **HX)

    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.version, claim.reviewed_by) == (1, None)
    assert history(claim) == []


# --- admin (and the services every path calls) ---------------------------------------------------


def test_saving_the_admin_form_unchanged_keeps_the_version(admin_client, span, entity, claim):
    span_data = {
        "speaker": span.speaker_id,
        "entity": "",
        "claim": "",
        "status": span.status,
        "confidence": "",
        "note": span.note,
        "seen_version": 1,
    }
    entity_data = {
        "name": entity.name,
        "kind": entity.kind,
        "description": entity.description,
        "external_id": "",
        "seen_version": 1,
        "aliases-TOTAL_FORMS": 0,
        "aliases-INITIAL_FORMS": 0,
    }
    claim_data = {
        "text": claim.text,
        "claimant": claim.claimant_id,
        "verdict": claim.verdict,
        "verdict_note": claim.verdict_note,
        "seen_version": 1,
    }
    for name, obj, data in (
        ("span", span, span_data),
        ("entity", entity, entity_data),
        ("claim", claim, claim_data),
    ):
        response = admin_client.post(f"/admin/annotations/{name}/{obj.pk}/change/", data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
        obj.refresh_from_db()
        assert obj.version == 1, name
        assert history(obj) == [], name


def test_the_services_skip_an_unchanged_update_even_with_an_old_version(span, entity, claim):
    """Nothing the client sent is lost, so there is nothing to be stale about: the row comes
    back as it is."""
    services.span_update(span=span, note="newer")
    same = services.span_update(span=span, version=1, note="newer")
    assert same.version == 2
    assert services.entity_update(entity=entity, name=" Antony  Blinken ").version == 1
    assert services.claim_update(claim=claim, verdict="false", verdict_note="No.").version == 1
    assert history(span) == ["updated"]
    assert history(entity) == history(claim) == []
