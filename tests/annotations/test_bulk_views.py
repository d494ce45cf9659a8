"""Bulk actions through the workspace (htmx and plain) and the API: Accept all of a group of
mentions by ids, the article history showing a batch once with its members, restoring a batch
(editors only, once), and the API's history and batch endpoints."""

from __future__ import annotations

import pytest

from annotations import services, suggesting
from annotations.models import HistoryBatch, Span, SpanStatus
from tests.annotations.test_bulk import _suggested_article
from tests.factories import EditorFactory

HX = {"HTTP_HX_REQUEST": "true"}


def _accept_all(article, editor):
    suggesting.suggestions_accept_all(article=article, kind="mention", user=editor)
    return HistoryBatch.objects.get()


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_accept_all_of_one_entity_group_by_ids(editor_client, editor, htmx):
    article = _suggested_article(5, "mention")
    spans = list(Span.objects.filter(article=article).order_by("start"))
    ids = " ".join(str(s.pk) for s in spans[:2])
    response = editor_client.post(
        f"/articles/{article.pk}/suggestions/mention/accept/", {"ids": ids}, **(HX if htmx else {})
    )
    assert response.status_code == (200 if htmx else 302)
    statuses = dict(Span.objects.filter(article=article).values_list("pk", "status"))
    assert [statuses[s.pk] for s in spans] == ["accepted"] * 2 + ["suggested"] * 3
    if htmx:
        assert "Accepted 2 mention suggestions." in response.content.decode()


@pytest.mark.parametrize("ids", ["1 x", "", "1 ²", "9" * 25], ids=["word", "none", "sup", "huge"])
def test_accept_all_with_bad_ids_is_a_clear_422_and_changes_nothing(editor_client, ids):
    article = _suggested_article(2, "mention")
    response = editor_client.post(
        f"/articles/{article.pk}/suggestions/mention/accept/", {"ids": ids}, **HX
    )
    assert response.status_code == 422
    assert "ids" in response.content.decode()
    assert set(Span.objects.values_list("status", flat=True)) == {SpanStatus.SUGGESTED}


def test_the_article_history_shows_a_batch_once_with_its_members(
    viewer_client, editor, django_assert_max_num_queries
):
    article = _suggested_article(30, "mention")
    _accept_all(article, editor)
    viewer_client.get("/claims/")  # warm the session
    # The page as before (10 at most, with the threads of deleted spans) and the batch's
    # members: their rows, and the names and existence checks history_rows makes for them,
    # whatever their number.
    with django_assert_max_num_queries(13):
        response = viewer_client.get(f"/articles/{article.pk}/history/")
    rows = response.context["rows"]
    assert len(rows) == 1
    [row] = rows
    assert row.batch.summary == "accepted 30 mention suggestions"
    assert len(row.members) == 60  # 30 entities created, 30 mentions accepted
    content = response.content.decode()
    assert "accepted 30 mention suggestions" in content
    assert "Show the 60 changes" in content
    assert "Restore all" not in content  # a viewer


@pytest.mark.parametrize("htmx", [pytest.param(True, id="htmx"), pytest.param(False, id="plain")])
def test_restore_a_batch_from_the_history(editor_client, editor, htmx):
    article = _suggested_article(3, "mention")
    batch = _accept_all(article, editor)
    url = f"/history/batches/{batch.pk}/restore/"
    response = editor_client.post(url, **(HX if htmx else {}))
    assert set(Span.objects.values_list("status", flat=True)) == {SpanStatus.SUGGESTED}
    if htmx:
        assert response.status_code == 200
        assert "Restored 3 spans." in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == f"/articles/{article.pk}/history/"
    again = editor_client.post(url, **(HX if htmx else {}))
    assert again.status_code == (422 if htmx else 302)
    if htmx:
        assert "restored already" in again.content.decode()


def test_viewers_cannot_restore_a_batch(viewer_client, editor):
    article = _suggested_article(2, "mention")
    batch = _accept_all(article, editor)
    assert viewer_client.post(f"/history/batches/{batch.pk}/restore/").status_code == 403
    assert set(Span.objects.values_list("status", flat=True)) == {SpanStatus.ACCEPTED}


def test_api_history_shows_the_batch_with_its_id_and_members(
    viewer_api, editor, django_assert_max_num_queries
):
    article = _suggested_article(10, "mention")
    batch = _accept_all(article, editor)
    with django_assert_max_num_queries(8):
        rows = viewer_api.get(f"/api/articles/{article.pk}/history/").json()["results"]
    [row] = rows
    assert row["batch"]["id"] == batch.pk
    assert row["batch"]["summary"] == "accepted 10 mention suggestions"
    members = row["batch"]["members"]
    assert len(members) == 20
    assert {m["batch_id"] for m in members} == {batch.pk}
    assert sum(m["action"] == "accepted" for m in members) == 10
    # A span's own history names the batch its change belongs to.
    span = Span.objects.filter(article=article).first()
    own = viewer_api.get(f"/api/spans/{span.pk}/history/").json()["results"]
    assert own[0]["batch"]["id"] == batch.pk
    # The batch alone, and the list of an article's batches.
    one = viewer_api.get(f"/api/history/batches/{batch.pk}/").json()
    assert (one["size"], len(one["members"])) == (10, 20)
    listed = viewer_api.get(f"/api/history/batches/?article={article.pk}").json()["results"]
    assert [b["id"] for b in listed] == [batch.pk]
    for bad in ("x", "²", "9" * 25):
        assert viewer_api.get(f"/api/history/batches/?article={bad}").status_code == 400


def test_api_restores_a_batch_and_names_what_it_could_not(editor_api, editor, viewer):
    from rest_framework.test import APIClient

    article = _suggested_article(3, "mention")
    batch = _accept_all(article, editor)
    viewer_api = APIClient()
    viewer_api.force_login(viewer)
    assert viewer_api.post(f"/api/history/batches/{batch.pk}/restore/").status_code == 403
    span = Span.objects.filter(article=article).order_by("start").first()
    other = EditorFactory(username="ruth")
    services.span_update(span=span, note="keep me", user=other)
    response = editor_api.post(f"/api/history/batches/{batch.pk}/restore/")
    assert response.status_code == 200
    data = response.json()
    assert data["restored"] == 2
    assert data["unrestored"] == [
        {"span": span.pk, "text": span.text, "reason": "changed by ruth since"}
    ]
    assert editor_api.post(f"/api/history/batches/{batch.pk}/restore/").status_code == 400


def test_api_accept_all_is_one_batch(editor_api):
    article = _suggested_article(4, "quote")
    response = editor_api.post(
        f"/api/articles/{article.pk}/suggestions/", {"kind": "quote", "action": "accept"}
    )
    assert response.json()["count"] == 4
    batch = HistoryBatch.objects.get()
    assert batch.summary == "accepted 4 quote suggestions"
    assert set(Span.objects.values_list("speaker__name", flat=True)) == {
        "Dana Whitfield",
        "Mara Klein Hundred",
    }
