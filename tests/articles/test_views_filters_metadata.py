"""The article list page filtered by what articles contain, and the workspace header's
outlet and date form."""

import datetime as dt
import re

import pytest
from django.test import Client

from tests import stats_archive as fixture
from tests.stats_archive import DAILY


@pytest.fixture
def archive(db):
    return fixture.build()


def listed(client, query: str) -> list[int]:
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    return [a.pk for a in response.context["page"]]


def test_list_page_filters(viewer_client, archive):
    a = archive
    assert listed(viewer_client, f"speaker={a.ana.pk}") == [a.a3.pk, a.a2.pk, a.a1.pk]
    assert listed(viewer_client, f"speaker={a.ana.pk}&source={DAILY}") == [a.a2.pk, a.a1.pk]
    assert listed(viewer_client, f"entity={a.green.pk}") == [a.a1.pk]
    assert listed(viewer_client, "has=claim&verdict=false") == [a.a3.pk, a.a1.pk]
    assert listed(viewer_client, "status=orphaned") == [a.a4.pk]
    assert listed(viewer_client, "status=suggested") == [a.a2.pk]
    assert listed(viewer_client, "published_after=2023-10-15&published_before=2023-11-01") == [
        a.a3.pk
    ]


def test_list_page_names_the_speaker_with_a_way_back(viewer_client, archive):
    a = archive
    response = viewer_client.get(f"/?speaker={a.ana.pk}&source={DAILY}")
    text = " ".join(response.content.decode().split())
    assert "Quoting Ana Ruiz" in text
    assert 'href="?source=Daily+Ledger"' in text  # the same list without the speaker
    assert "12 Oct 2023" in text  # the published date
    assert "undated" in " ".join(viewer_client.get("/").content.decode().split())


def test_list_page_htmx_and_query_count(viewer_client, archive, django_assert_max_num_queries):
    a = archive
    with django_assert_max_num_queries(8):
        response = viewer_client.get(
            f"/?speaker={a.ana.pk}&has=quote&verdict=false", HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert b"<html" not in response.content
    found = re.findall(r'class="title" href="/articles/(\d+)/"', response.content.decode())
    assert found == [str(a.a3.pk), str(a.a1.pk)]


def test_workspace_header_edits_outlet_and_date(editor_client, archive):
    article = archive.a4
    page = editor_client.get(f"/articles/{article.pk}/")
    assert b"Edit outlet and date" in page.content
    response = editor_client.post(
        f"/articles/{article.pk}/metadata/",
        {"source": "Harbour Post", "published_at": "2023-12-24"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "Harbour Post · 24 Dec 2023" in text
    assert "Saved." in text
    article.refresh_from_db()
    assert article.source == "Harbour Post"
    assert article.published_at == dt.datetime(2023, 12, 24, tzinfo=dt.UTC)
    # Without htmx: back to the workspace; an empty date makes it undated again.
    response = editor_client.post(
        f"/articles/{article.pk}/metadata/", {"source": "Harbour Post", "published_at": ""}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.published_at is None


def test_workspace_header_keeps_the_time_when_the_day_is_unchanged(editor_client, archive):
    article = archive.a1  # published 2023-10-12 09:30 UTC
    editor_client.post(
        f"/articles/{article.pk}/metadata/",
        {"source": "The Daily Ledger", "published_at": "2023-10-12"},
        HTTP_HX_REQUEST="true",
    )
    article.refresh_from_db()
    assert article.source == "The Daily Ledger"
    assert article.published_at == dt.datetime(2023, 10, 12, 9, 30, tzinfo=dt.UTC)


def test_workspace_header_refuses_bad_input_and_viewers(editor_client, viewer, archive):
    article = archive.a1
    response = editor_client.post(
        f"/articles/{article.pk}/metadata/",
        {"source": "x" * 201, "published_at": "someday"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert b"Enter a valid date." in response.content
    viewer_client = Client()
    viewer_client.force_login(viewer)
    assert viewer_client.get(f"/articles/{article.pk}/").status_code == 200
    assert b"Edit outlet and date" not in viewer_client.get(f"/articles/{article.pk}/").content
    refused = viewer_client.post(f"/articles/{article.pk}/metadata/", {"source": "X"})
    assert refused.status_code == 403
    article.refresh_from_db()
    assert article.source == DAILY
