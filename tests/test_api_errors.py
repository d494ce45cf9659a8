"""Errors raised outside the API's views (handler404 / handler500 in newsdesk.urls): JSON
{"detail": …} under /api/, Django's HTML pages elsewhere."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from annotations import selectors
from newsdesk import api_views
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/spans/abc/", id="id-not-a-number"),
        pytest.param("/api/spans/1/matches/x/", id="trailing-junk"),
        pytest.param("/api/articles/1234567890123456789/suggest/", id="id-too-long"),
        pytest.param("/api/nothing-here/", id="no-route"),
        # Formats are negotiated with Accept only: no ".json" twins of the routes.
        pytest.param("/api/articles.json", id="format-suffix"),
        pytest.param("/api/claims/1.json", id="format-suffix-detail"),
    ],
)
def test_an_api_path_no_route_matches_is_a_json_404(editor_api, api_client, path):
    for client in (editor_api, api_client):  # signed in or not: the URL matches nothing
        response = client.get(path)

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_other_paths_get_the_html_404(editor_client):
    response = editor_client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Not Found" in response.content


def test_an_uncaught_error_in_the_api_is_a_json_500(editor_api, monkeypatch):
    def broken():
        raise RuntimeError("bug")

    monkeypatch.setattr(selectors, "api_claim_list", broken)
    editor_api.raise_request_exception = False

    response = editor_api.get("/api/claims/")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}
    assert "bug" not in response.content.decode()


def test_an_uncaught_error_elsewhere_is_the_html_500(editor_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(selectors, "history_for_article", broken)
    editor_client.raise_request_exception = False

    response = editor_client.get(f"/articles/{ArticleFactory().pk}/history/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"bug" not in response.content


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/spans/", "application/json"), ("/articles/", "text/html; charset=utf-8")],
)
def test_a_lost_database_outside_a_view_is_still_a_503(path, content_type):
    request = RequestFactory().get(path)
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = api_views.server_error(request)

    assert response.status_code == 503
    assert response["Content-Type"] == content_type
    assert response["Retry-After"]
