"""/api/articles/<id>/orphans/, …/history/, /api/entities/<id>/history/, /api/spans/<id>/history/
and /api/spans/<id>/restore/ through the real API client."""

import pytest

from annotations import services
from annotations.models import Span, SpanStatus
from articles.services import article_revise
from tests.factories import ArticleFactory, EntityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def revised(editor):
    """An article whose second quote vanished in a revision."""
    article = ArticleFactory(body="Alpha said “one thing.” Beta said “another thing.”")
    kept, _ = services.span_create(article=article, kind="quote", text="“one thing.”")
    gone, _ = services.span_create(
        article=article, kind="quote", text="“another thing.”", user=editor
    )
    article_revise(article=article, text="T\n\nAlpha said “one thing.” Beta said nothing.")
    return article, kept, gone


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("anonymous", 401, id="anonymous"),
        pytest.param("viewer", 200, id="viewer"),
        pytest.param("editor", 200, id="editor"),
    ],
)
def test_orphans_are_listed_for_readers(role, expected, revised, api_client, viewer, editor):
    article, _, gone = revised
    if role != "anonymous":
        api_client.force_login({"viewer": viewer, "editor": editor}[role])
    response = api_client.get(f"/api/articles/{article.pk}/orphans/")
    assert response.status_code == expected
    if expected == 200:
        [orphan] = response.json()["results"]
        assert (orphan["id"], orphan["status"], orphan["text"]) == (
            gone.pk,
            "orphaned",
            "“another thing.”",
        )


def test_an_orphan_is_re_placed_through_the_api(revised, editor_api):
    article, _, gone = revised
    gone.refresh_from_db()
    article.refresh_from_db()
    start = article.body.index("nothing.")
    response = editor_api.patch(
        f"/api/spans/{gone.pk}/", {"start": start, "end": start + 8, "version": gone.version}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["text"]) == ("accepted", "nothing.")
    assert editor_api.get(f"/api/articles/{article.pk}/orphans/").json()["results"] == []


def test_article_history_lists_changes_with_previous_values(
    revised, viewer_api, django_assert_max_num_queries
):
    article, _, gone = revised
    with django_assert_max_num_queries(8):
        response = viewer_api.get(f"/api/articles/{article.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["object_id"], r["action"]) for r in rows][:1] == [(gone.pk, "orphaned")]
    assert rows[0]["before"]["status"] == "accepted"
    assert rows[0]["after"]["status"] == "orphaned"
    assert {r["action"] for r in rows} >= {"created", "orphaned"}
    created = next(r for r in rows if r["object_id"] == gone.pk and r["action"] == "created")
    assert created["before"] is None
    assert created["user"] is not None


def test_entity_history_also_for_a_merged_away_entity(editor_api, editor):
    keep = EntityFactory(name="Antony Blinken")
    drop = EntityFactory(name="Anthony Blinken")
    response = editor_api.post(f"/api/entities/{drop.pk}/history/")
    assert response.status_code == 405
    services.entity_merge(keep=keep, drop=drop, user=editor)

    rows = editor_api.get(f"/api/entities/{drop.pk}/history/").json()["results"]
    assert [(r["action"], r["after"]["merged_into"]) for r in rows] == [("merged", keep.pk)]
    assert rows[0]["user"] == editor.username
    rows = editor_api.get(f"/api/entities/{keep.pk}/history/").json()["results"]
    assert rows[0]["after"]["aliases"] == ["Anthony Blinken"]


def test_a_deleted_span_is_restored_by_an_editor_only(article, editor_api, viewer, editor):
    from rest_framework.test import APIClient

    viewer_api = APIClient()  # editor_api and viewer_api would share one client
    viewer_api.force_login(viewer)
    entity = EntityFactory(name="Jane Doe")
    span, _ = services.span_create(
        article=article, kind="mention", text="Jane Doe", entity=entity, user=editor
    )
    response = editor_api.delete(f"/api/spans/{span.pk}/?version=1")
    assert response.status_code == 204

    assert viewer_api.post(f"/api/spans/{span.pk}/restore/").status_code == 403
    response = editor_api.post(f"/api/spans/{span.pk}/restore/")
    assert response.status_code == 201, response.content
    assert (response.json()["id"], response.json()["entity"]) == (span.pk, entity.pk)
    assert Span.objects.get(pk=span.pk).status == SpanStatus.ACCEPTED

    again = editor_api.post(f"/api/spans/{span.pk}/restore/")
    assert again.status_code == 400
    assert "restored already" in str(again.json())
    assert editor_api.post("/api/spans/999999/restore/").status_code == 400

    rows = viewer_api.get(f"/api/spans/{span.pk}/history/").json()["results"]
    assert [r["action"] for r in rows] == ["restored", "deleted", "created"]
