"""/api/entities/ through the real API client."""

import pytest
from django.db import connection

from annotations.models import Entity, EntityAlias, Span
from tests.factories import EntityAliasFactory, EntityFactory, SpanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

ENTITIES = "/api/entities/"
on_sqlite = connection.vendor != "postgresql"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_create_with_aliases(editor_api, editor):
    response = editor_api.post(
        ENTITIES,
        {
            "name": "  Antony   Blinken ",
            "kind": "PERSON",
            "aliases": ["Anthony Blinken", "Blinken", "blinken"],
            "external_id": "Q7916",
        },
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "Antony Blinken"
    assert data["aliases"] == ["Anthony Blinken", "Blinken"]  # "blinken" folds to a known one
    assert (data["version"], data["external_id"]) == (1, "Q7916")
    assert Entity.objects.get().created_by == editor


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"name": "X", "kind": "ANIMAL"}, "kind", id="bad-kind"),
        pytest.param({"name": "   ", "kind": "PERSON"}, "name", id="blank-name"),
        pytest.param({"kind": "PERSON"}, "name", id="no-name"),
        pytest.param({"name": "X", "kind": "ORG", "aliases": ["  "]}, "aliases", id="blank-alias"),
        pytest.param({"name": "X" * 301, "kind": "ORG"}, "name", id="too-long"),
    ],
)
def test_create_rejects_bad_input(editor_api, payload, field):
    response = editor_api.post(ENTITIES, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Entity.objects.exists()


def test_update_renames_and_replaces_aliases(editor_api):
    entity = EntityFactory(name="Issac Herzog")
    EntityAliasFactory(entity=entity, name="Herzog")
    EntityAliasFactory(entity=entity, name="President")

    response = editor_api.patch(
        f"{ENTITIES}{entity.id}/",
        {"name": "Isaac Herzog", "aliases": ["Herzog", "Issac Herzog"], "version": 1},
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Isaac Herzog"
    assert response.json()["aliases"] == ["Herzog", "Issac Herzog"]
    assert response.json()["version"] == 2
    assert set(EntityAlias.objects.values_list("name", flat=True)) == {"Herzog", "Issac Herzog"}


def test_stale_update_is_a_409_and_changes_nothing(editor_api):
    entity = EntityFactory(name="Jane Doe")
    EntityAliasFactory(entity=entity, name="J. Doe")
    editor_api.patch(f"{ENTITIES}{entity.id}/", {"description": "mayor", "version": 1})

    response = editor_api.patch(
        f"{ENTITIES}{entity.id}/", {"name": "Janet Doe", "aliases": [], "version": 1}
    )

    assert response.status_code == 409
    assert response.json()["current"]["description"] == "mayor"
    assert response.json()["current"]["aliases"] == ["J. Doe"]
    entity.refresh_from_db()
    assert entity.name == "Jane Doe"
    assert entity.aliases.count() == 1


def test_delete_refuses_an_entity_in_use(editor_api):
    used, unused = EntityFactory(name="Used"), EntityFactory(name="Unused")
    SpanFactory(entity=used)

    refused = editor_api.delete(f"{ENTITIES}{used.id}/")
    deleted = editor_api.delete(f"{ENTITIES}{unused.id}/")

    assert refused.status_code == 400
    assert "still used by 1 annotation" in refused.json()["non_field_errors"][0]
    assert deleted.status_code == 204
    assert list(Entity.objects.values_list("name", flat=True)) == ["Used"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("blinken", ["Ántony Blinken"], id="surname"),
        pytest.param("ANTONY", ["Ántony Blinken"], id="case"),
        pytest.param("antony", ["Ántony Blinken"], id="accent-in-name"),
        pytest.param("Secretary of State", ["Ántony Blinken"], id="alias"),
        pytest.param("sécrétary", ["Ántony Blinken"], id="accent-in-query"),
        pytest.param("herzog", ["Isaac Herzog"], id="other"),
    ],
)
def test_search_by_name_or_alias_ignores_case_and_accents(viewer_api, q, expected):
    blinken = EntityFactory(name="Ántony Blinken")
    EntityAliasFactory(entity=blinken, name="Secretary of State")
    EntityFactory(name="Isaac Herzog")
    EntityFactory(name="Springfield", kind="GPE")

    assert names(viewer_api.get(ENTITIES, {"q": q})) == expected


def test_kind_filter_and_ordering(viewer_api):
    EntityFactory(name="Zed", kind="PERSON")
    EntityFactory(name="Acme", kind="ORG")
    EntityFactory(name="Bob", kind="PERSON")

    assert names(viewer_api.get(ENTITIES, {"kind": "PERSON"})) == ["Bob", "Zed"]
    assert names(viewer_api.get(ENTITIES, {"ordering": "-name"})) == ["Zed", "Bob", "Acme"]
    assert viewer_api.get(ENTITIES, {"kind": "ANIMAL"}).status_code == 400


@pytest.mark.postgres
@pytest.mark.skipif(on_sqlite, reason="trigram similarity needs PostgreSQL")
def test_similar_spellings_match_on_postgres_best_first(viewer_api):
    blinken = EntityFactory(name="Antony Blinken")
    EntityAliasFactory(entity=blinken, name="Blinken")
    EntityFactory(name="Anthony Albanese")
    EntityFactory(name="Isaac Herzog")

    assert names(viewer_api.get(ENTITIES, {"q": "Anthony Blinken"}))[0] == "Antony Blinken"
    assert names(viewer_api.get(ENTITIES, {"q": "Issac Herzog"})) == ["Isaac Herzog"]
    assert names(viewer_api.get(ENTITIES, {"q": "Blinkin"})) == ["Antony Blinken"]


def test_page_number_pagination_is_bounded(viewer_api):
    Entity.objects.bulk_create(
        Entity(name=f"E{i:03d}", folded=f"e{i:03d}", kind="ORG") for i in range(205)
    )
    page = viewer_api.get(ENTITIES, {"page_size": 1000}).json()
    assert page["count"] == 205
    assert len(page["results"]) == 200
    assert viewer_api.get(ENTITIES, {"page": 99}).status_code == 404


def test_query_count_does_not_grow_with_page_size(viewer_api, django_assert_max_num_queries):
    for i in range(120):
        entity = EntityFactory(name=f"Person {i:03d}")
        EntityAliasFactory(entity=entity, name=f"P{i}")

    for size in (10, 100):
        # session, user, role groups, count, page, aliases of the page
        with django_assert_max_num_queries(6):
            response = viewer_api.get(ENTITIES, {"page_size": size, "q": "person"})
        assert len(response.json()["results"]) == size
        assert response.json()["results"][0]["aliases"]


@pytest.mark.postgres
@pytest.mark.skipif(on_sqlite, reason="pg_trgm indexes exist on PostgreSQL only")
def test_search_can_use_the_trigram_indexes():
    from annotations.selectors import api_entity_list, entity_search

    entities = Entity.objects.bulk_create(
        Entity(name=f"Person {i}", folded=f"person {i}", kind="PERSON") for i in range(2000)
    )
    EntityAlias.objects.bulk_create(
        EntityAlias(entity=e, name=f"P. {e.pk}", folded=f"p. {e.pk}") for e in entities
    )
    queryset = entity_search(api_entity_list(), "Blinkin")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotations_entity")
        cursor.execute("ANALYZE annotations_entityalias")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
        # The alias half is costed close to a full scan of the (entity, folded) unique index
        # on tables this small; check that its lookup can use the trigram index on its own.
        alias_plan = EntityAlias.objects.filter(folded__trigram_word_similar="blinkin").explain()
    assert "entity_folded_trgm_idx" in plan
    assert "entityalias_folded_trgm_idx" in alias_plan


# --- likely duplicates and merging (issue 5) ----------------------------------------------------

DUPLICATES = f"{ENTITIES}duplicates/"


def merge_url(entity_id: int) -> str:
    return f"{ENTITIES}{entity_id}/merge/"


@pytest.fixture
def blinkens(editor_api):
    """The two seeds' spellings of Blinken as two entities, each mentioned in its article."""
    from tests.annotations.test_suggesting import DAILY, WION, import_seeds

    seeds = import_seeds()
    made = {}
    for name, article in (("Antony Blinken", seeds[WION]), ("Anthony Blinken", seeds[DAILY])):
        created = editor_api.post(ENTITIES, {"name": name, "kind": "PERSON"}, format="json")
        assert created.status_code == 201, created.content
        made[name] = created.json()["id"]
        start = article.body.index(name)
        span = editor_api.post(
            "/api/spans/",
            {
                "article": article.pk,
                "kind": "mention",
                "start": start,
                "end": start + len(name),
                "entity": made[name],
            },
            format="json",
        )
        assert span.status_code == 201, span.content
    # The WION spelling is used twice (its lone surname too): it is the one to keep.
    wion = seeds[WION]
    surname = wion.body.index("Blinken said that he would")
    SpanFactory(article=wion, start=surname, end=surname + 7, entity_id=made["Antony Blinken"])
    EntityFactory(name="Isaac Herzog", kind="PERSON")
    return made


def test_duplicates_pair_the_two_spellings_keep_the_used_one(viewer_api, blinkens):
    response = viewer_api.get(DUPLICATES)

    assert response.status_code == 200, response.content
    pairs = response.json()
    (pair,) = [p for p in pairs if {p["keep"]["name"], p["drop"]["name"]} >= {"Antony Blinken"}]
    assert (pair["keep"]["id"], pair["drop"]["id"]) == (
        blinkens["Antony Blinken"],
        blinkens["Anthony Blinken"],
    )
    assert (pair["keep"]["uses"], pair["drop"]["uses"]) == (2, 1)
    assert pair["keep"]["kind"] == "PERSON"
    assert pair["keep"]["aliases"] == []
    assert 0.85 <= pair["score"] <= 1
    assert not [p for p in pairs if "Isaac Herzog" in (p["keep"]["name"], p["drop"]["name"])]


def test_merge_moves_every_span_and_keeps_the_other_name(editor_api, blinkens):
    keep, drop = blinkens["Antony Blinken"], blinkens["Anthony Blinken"]
    moving = set(Span.objects.filter(entity_id=drop).values_list("pk", flat=True))
    staying = set(Span.objects.filter(entity_id=keep).values_list("pk", flat=True))
    version = Entity.objects.get(pk=keep).version

    response = editor_api.post(merge_url(keep), {"drop": drop, "version": version}, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["id"], data["name"]) == (keep, "Antony Blinken")
    assert data["aliases"] == ["Anthony Blinken"]
    assert data["version"] == version + 1
    assert editor_api.get(f"{ENTITIES}{drop}/").status_code == 404
    mentions = editor_api.get(f"{ENTITIES}{keep}/mentions/").json()["results"]
    assert {m["id"] for m in mentions} == moving | staying
    assert len(moving) == 1
    assert not [
        p
        for p in editor_api.get(DUPLICATES).json()
        if "Anthony Blinken" in (p["keep"]["name"], p["drop"]["name"])
    ]
    # The dropped name now finds the kept entity.
    assert names(editor_api.get(ENTITIES, {"q": "Anthony Blinken"}))[0] == "Antony Blinken"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(lambda keep, drop: {"drop": keep}, "drop", id="itself"),
        pytest.param(lambda keep, drop: {"drop": 987654321}, "drop", id="unknown"),
        pytest.param(lambda keep, drop: {}, "drop", id="missing"),
        pytest.param(lambda keep, drop: {"drop": "x"}, "drop", id="not-an-id"),
        pytest.param(lambda keep, drop: {"drop": drop, "version": 0}, "version", id="version"),
    ],
)
def test_bad_merges_are_a_400_and_change_nothing(editor_api, body, field):
    keep, drop = EntityFactory(name="Keep"), EntityFactory(name="Drop")
    SpanFactory(entity=drop)

    response = editor_api.post(merge_url(keep.pk), body(keep.pk, drop.pk), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Entity.objects.count() == 2
    assert Span.objects.get().entity == drop


def test_a_stale_merge_is_a_409_with_the_entity_as_it_is(editor_api):
    keep, drop = EntityFactory(name="Keep"), EntityFactory(name="Drop")
    editor_api.patch(f"{ENTITIES}{drop.pk}/", {"description": "changed"}, format="json")

    response = editor_api.post(
        merge_url(keep.pk), {"drop": drop.pk, "drop_version": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["current"]["description"] == "changed"
    assert Entity.objects.count() == 2


def test_merging_into_an_unknown_entity_is_a_404(editor_api):
    drop = EntityFactory()
    assert editor_api.post(merge_url(987654321), {"drop": drop.pk}).status_code == 404
    assert Entity.objects.filter(pk=drop.pk).exists()


@pytest.mark.parametrize("role", ["anonymous", "viewer", "editor"])
def test_readers_see_duplicates_editors_merge(api_client, role):
    from tests.factories import EditorFactory, ViewerFactory

    if role != "anonymous":
        api_client.force_login({"viewer": ViewerFactory, "editor": EditorFactory}[role]())
    keep = EntityFactory(name="Anthony Blinken", kind="PERSON")
    drop = EntityFactory(name="Antony Blinken", kind="PERSON")

    listed = api_client.get(DUPLICATES)
    merged = api_client.post(merge_url(keep.pk), {"drop": drop.pk}, format="json")

    assert listed.status_code == {"anonymous": 401, "viewer": 200, "editor": 200}[role]
    assert merged.status_code == {"anonymous": 401, "viewer": 403, "editor": 200}[role]
    assert Entity.objects.filter(pk=drop.pk).exists() == (role != "editor")
    if role != "anonymous":
        assert len(listed.json()) == 1


def test_duplicates_query_count_does_not_grow_with_the_pairs(
    viewer_api, django_assert_max_num_queries
):
    for i in range(15):
        first = EntityFactory(name=f"Alexandra Petrovna{i:02d}x", kind="PERSON")
        EntityAliasFactory(entity=first, name=f"Sasha Petrovna{i:02d}x")
        EntityFactory(name=f"Aleksandra Petrovna{i:02d}x", kind="PERSON")
    assert len(viewer_api.get(DUPLICATES).json()) >= 15  # computed once per change, cached

    for limit in (2, 15):
        # session, user, role groups; the change marker (entities, aliases), the pairs'
        # entities, their aliases
        with django_assert_max_num_queries(7):
            response = viewer_api.get(DUPLICATES, {"limit": limit})
        assert len(response.json()) == limit
    assert viewer_api.get(DUPLICATES, {"limit": 0}).status_code == 400
