"""/api/articles/ filtered by what the articles contain, and editing source and date."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests import stats_archive as fixture
from tests.factories import ArticleFactory
from tests.stats_archive import DAILY

ARTICLES = "/api/articles/"


@pytest.fixture
def archive(db):
    return fixture.build()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {a["id"] for a in response.json()["results"]}


def test_each_filter(viewer_api, archive):
    a = archive
    cases = {
        f"speaker={a.ana.pk}": {a.a1.pk, a.a2.pk, a.a3.pk},
        # Dan's quote in A2 is only suggested.
        f"speaker={a.dan.pk}": {a.a4.pk},
        f"entity={a.green.pk}": {a.a1.pk},
        "has=quote": {a.a1.pk, a.a2.pk, a.a3.pk, a.a4.pk},
        "has=mention": {a.a1.pk},
        "has=claim": {a.a1.pk, a.a2.pk, a.a3.pk},
        "has=claim&has=mention": {a.a1.pk},
        "verdict=false": {a.a1.pk, a.a3.pk},
        "verdict=true": {a.a2.pk},
        "verdict=misleading": set(),
        "status=suggested": {a.a2.pk},
        "status=orphaned": {a.a4.pk},
        f"source={DAILY}": {a.a1.pk, a.a2.pk},
        "published_after=2023-10-15": {a.a2.pk, a.a3.pk},
        "published_before=2023-10-15": {a.a1.pk},
    }
    for query, expected in cases.items():
        assert ids(viewer_api.get(f"{ARTICLES}?{query}")) == expected, query


def test_filters_combine(viewer_api, archive):
    a = archive
    assert ids(viewer_api.get(f"{ARTICLES}?speaker={a.ana.pk}&source={DAILY}")) == {
        a.a1.pk,
        a.a2.pk,
    }
    assert ids(viewer_api.get(f"{ARTICLES}?speaker={a.ana.pk}&verdict=false")) == {
        a.a1.pk,
        a.a3.pk,
    }
    query = f"speaker={a.ben.pk}&has=claim&published_after=2023-10-01&published_before=2023-10-15"
    assert ids(viewer_api.get(f"{ARTICLES}?{query}")) == {a.a1.pk}
    assert ids(viewer_api.get(f"{ARTICLES}?speaker={a.cleo.pk}&status=orphaned")) == set()


@pytest.mark.parametrize(
    "query",
    ["speaker=999999", "speaker=abc", "has=picture", "verdict=maybe", "status=accepted"],
)
def test_bad_filters_are_400(viewer_api, archive, query):
    assert viewer_api.get(f"{ARTICLES}?{query}").status_code == 400


def test_speaker_must_be_a_person(viewer_api, archive):
    assert viewer_api.get(f"{ARTICLES}?speaker={archive.green.pk}").status_code == 400


def test_cursor_pagination_and_same_query_count_at_10_and_100(viewer_api, archive):
    for _ in range(12):  # more articles quoting Ana than a page of 10 holds
        article = ArticleFactory(source=DAILY)
        fixture._span(article, "the bridge would reopen", "quote", speaker=archive.ana)
    query = f"speaker={archive.ana.pk}&has=quote&source={DAILY}"  # empty values are a 400
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = viewer_api.get(f"{ARTICLES}?{query}&page_size={size}")
        assert response.status_code == 200
        counts[size] = len(queries)
    assert counts[10] == counts[100]
    first = viewer_api.get(f"{ARTICLES}?{query}&page_size=10").json()
    assert len(first["results"]) == 10
    second = viewer_api.get(first["next"]).json()
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(seen) == 14  # 12 new + A1 + A2, each once
    assert second["next"] is None


def test_editor_sets_source_and_date(editor_api, archive):
    url = f"{ARTICLES}{archive.a4.pk}/"
    response = editor_api.patch(
        url, {"source": "  Harbour   Post ", "published_at": "2023-12-01"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["source"] == "Harbour Post"
    assert response.json()["published_at"] == "2023-12-01T00:00:00Z"
    assert response.json()["body"] == archive.a4.body  # the text is untouched
    archive.a4.refresh_from_db()
    assert archive.a4.source == "Harbour Post"
    # Undated again.
    response = editor_api.patch(url, {"published_at": None}, format="json")
    assert response.json()["published_at"] is None
    assert response.json()["source"] == "Harbour Post"


def test_only_editors_edit_and_bad_input_is_400(editor, viewer, archive):
    url = f"{ARTICLES}{archive.a1.pk}/"
    viewer_client, editor_client, anonymous = APIClient(), APIClient(), APIClient()
    viewer_client.force_login(viewer)
    editor_client.force_login(editor)
    assert viewer_client.patch(url, {"source": "X"}, format="json").status_code == 403
    assert anonymous.patch(url, {"source": "X"}, format="json").status_code == 401
    assert editor_client.patch(url, {"source": "x" * 201}, format="json").status_code == 400
    bad_date = editor_client.patch(url, {"published_at": "soon"}, format="json")
    assert bad_date.status_code == 400
    assert editor_client.put(url, {"source": "X"}, format="json").status_code == 405
    assert editor_client.patch(url, {"title": "New"}, format="json").status_code == 200
    archive.a1.refresh_from_db()
    assert archive.a1.source == DAILY  # nothing changed by the refused writes
    assert archive.a1.title == "Ruiz promises a new harbour bridge"  # not editable here


def test_schema_documents_the_filters(viewer_api):
    schema = viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    parameters = schema.json()["paths"]["/api/articles/"]["get"]["parameters"]
    documented = {p["name"]: p.get("description", "") for p in parameters}
    for name in (
        "speaker",
        "entity",
        "has",
        "verdict",
        "status",
        "source",
        "published_after",
        "published_before",
    ):
        assert documented.get(name), name
    patch = schema.json()["paths"]["/api/articles/{id}/"]["patch"]
    assert "requestBody" in patch
