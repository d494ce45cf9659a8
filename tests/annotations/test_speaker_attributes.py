"""Editors set a person's gender, role and affiliation on the entity page and in the API; the
history records it; nothing is inferred."""

import pytest

from annotations import services
from annotations.models import Entity, EntityKind, Gender, HistoryEntry, Role
from tests.factories import EntityFactory


@pytest.fixture
def people(db):
    org = EntityFactory(name="Harbour Council", kind=EntityKind.ORG)
    person = EntityFactory(name="Maria Lopez")
    return person, org


def test_a_new_person_is_unknown_until_an_editor_says(people):
    person, _ = people
    assert (person.gender, person.role, person.affiliation) == (
        Gender.UNKNOWN,
        Role.UNKNOWN,
        None,
    )


def test_entity_page_edit(editor_client, people):
    person, org = people
    response = editor_client.post(
        f"/entities/{person.pk}/edit/",
        {
            "name": person.name,
            "kind": "PERSON",
            "gender": "woman",
            "role": "official",
            "affiliation": org.pk,
            "version": person.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "<dt>Gender</dt><dd>Woman</dd>" in text
    assert "<dt>Role</dt><dd>Official</dd>" in text
    assert "Harbour Council</a>" in text
    person.refresh_from_db()
    assert (person.gender, person.role, person.affiliation_id) == ("woman", "official", org.pk)
    entry = HistoryEntry.objects.filter(object_id=person.pk).latest("id")
    assert entry.before["gender"] == "unknown"
    assert entry.after["gender"] == "woman"
    assert entry.after["affiliation"] == org.pk


def test_entity_page_refuses_bad_values(editor_client, people):
    person, _ = people
    other = EntityFactory(name="Not An Org")
    response = editor_client.post(
        f"/entities/{person.pk}/edit/",
        {
            "name": person.name,
            "kind": "PERSON",
            "gender": "robot",
            "affiliation": other.pk,
            "version": person.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    person.refresh_from_db()
    assert person.gender == Gender.UNKNOWN


def test_viewer_cannot_edit(viewer_client, people):
    person, _ = people
    response = viewer_client.post(
        f"/entities/{person.pk}/edit/",
        {"name": person.name, "kind": "PERSON", "gender": "woman", "version": person.version},
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.gender == Gender.UNKNOWN


def test_an_organisation_keeps_the_defaults(people):
    _, org = people
    with pytest.raises(services.ValidationError):
        services.entity_update(entity=org, role=Role.EXPERT)
    # An organisation's own edit form sends no speaker fields: nothing to refuse.
    services.entity_update(entity=org, description="City council", gender=Gender.UNKNOWN)


def test_api_create_and_read(editor_api, people):
    _, org = people
    response = editor_api.post(
        "/api/entities/",
        {"name": "Sam Reyes", "kind": "PERSON", "gender": "nonbinary", "affiliation": org.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["gender"], data["role"], data["affiliation"]) == ("nonbinary", "unknown", org.pk)
    listed = editor_api.get("/api/entities/?gender=nonbinary").json()["results"]
    assert [e["name"] for e in listed] == ["Sam Reyes"]


def test_merging_organisations_keeps_members_affiliated(people):
    person, org = people
    twin = EntityFactory(name="Harbor Council", kind=EntityKind.ORG)
    services.entity_update(entity=person, affiliation=twin)
    services.entity_merge(keep=org, drop=twin)
    person.refresh_from_db()
    assert person.affiliation_id == org.pk
    assert not Entity.objects.filter(pk=twin.pk).exists()


def test_admin_sets_attributes_through_the_service(admin_client, people):
    from tests.annotations.test_admin import change_url, entity_form

    person, org = people
    data = entity_form(person, gender="man", role="expert", affiliation=org.pk)
    assert admin_client.post(change_url("entity", person.pk), data).status_code == 302
    person.refresh_from_db()
    assert (person.gender, person.role, person.affiliation_id, person.version) == (
        "man",
        "expert",
        org.pk,
        2,
    )
    refused = entity_form(org, role="expert")  # an organisation has no role
    assert admin_client.post(change_url("entity", org.pk), refused).status_code == 200
    org.refresh_from_db()
    assert org.role == Role.UNKNOWN
