"""Review: POST /api/spans/<id>/review/, reviewers only, never one's own span; history; an
edit sends an approved span back to unreviewed; ?review_status=."""

import pytest
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Comment, HistoryAction, HistoryEntry, ReviewStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_reviewer_approves_with_history_and_comment(reviewer):
    author = factories.EditorFactory()
    span = factories.SpanFactory(created_by=author)
    response = _client(reviewer).post(
        f"/api/spans/{span.pk}/review/",
        {"decision": "approve", "comment": "Checked against the tape."},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["review_status"] == "approved"
    assert response.data["reviewed_by"] == reviewer.pk
    span.refresh_from_db()
    assert (span.review_status, span.reviewed_by, span.version) == ("approved", reviewer, 2)
    entry = HistoryEntry.objects.get(object_id=span.pk, action=HistoryAction.REVIEWED)
    assert entry.user == reviewer
    assert entry.before["review_status"] == "unreviewed"
    assert entry.after["review_status"] == "approved"
    assert Comment.objects.get(span=span).body == "Checked against the tape."


def test_request_changes(reviewer):
    span = factories.SpanFactory(created_by=factories.EditorFactory())
    response = _client(reviewer).post(
        f"/api/spans/{span.pk}/review/", {"decision": "request_changes"}, format="json"
    )
    assert response.data["review_status"] == "changes_requested"


def test_nobody_reviews_their_own_span(reviewer):
    span = factories.SpanFactory(created_by=reviewer)
    response = _client(reviewer).post(
        f"/api/spans/{span.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    span.refresh_from_db()
    assert span.review_status == ReviewStatus.UNREVIEWED


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_only_reviewers_review(who):
    user = factories.EditorFactory() if who == "editor" else factories.ViewerFactory()
    span = factories.SpanFactory()
    response = _client(user).post(
        f"/api/spans/{span.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    assert not HistoryEntry.objects.filter(action=HistoryAction.REVIEWED).exists()


def test_bad_decision_is_a_400(reviewer):
    span = factories.SpanFactory()
    response = _client(reviewer).post(
        f"/api/spans/{span.pk}/review/", {"decision": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert "decision" in response.data


def test_review_anonymous_is_401():
    span = factories.SpanFactory()
    response = APIClient().post(f"/api/spans/{span.pk}/review/", {"decision": "approve"})
    assert response.status_code == 401


def test_editing_an_approved_span_sends_it_back(reviewer, editor):
    span = factories.SpanFactory(created_by=editor)
    _client(reviewer).post(f"/api/spans/{span.pk}/review/", {"decision": "approve"})
    span.refresh_from_db()
    changed = services.span_update(span=span, note="speaker unsure", user=editor)
    assert changed.review_status == ReviewStatus.UNREVIEWED
    assert changed.reviewed_by is None


def test_spans_filter_by_review_status(reviewer, editor_api):
    approved = factories.SpanFactory(created_by=factories.EditorFactory())
    factories.SpanFactory(article=approved.article, quote="bridge")
    _client(reviewer).post(f"/api/spans/{approved.pk}/review/", {"decision": "approve"})
    rows = editor_api.get("/api/spans/?review_status=approved").data["results"]
    assert [row["id"] for row in rows] == [approved.pk]
    rows = editor_api.get("/api/spans/?review_status=unreviewed").data["results"]
    assert approved.pk not in [row["id"] for row in rows]
    assert len(rows) == 1


HX = {"HTTP_HX_REQUEST": "true"}


def test_popover_offers_review_to_reviewers_on_others_spans(client, reviewer):
    span = factories.SpanFactory(created_by=factories.EditorFactory())
    own = factories.SpanFactory(article=span.article, quote="bridge", created_by=reviewer)
    client.force_login(reviewer)
    assert "Approve (Y)" in client.get(f"/spans/{span.pk}/", **HX).content.decode()
    assert "Approve (Y)" not in client.get(f"/spans/{own.pk}/", **HX).content.decode()
    client.force_login(factories.EditorFactory())
    assert "Approve (Y)" not in client.get(f"/spans/{span.pk}/", **HX).content.decode()


def test_htmx_approve_and_request_changes(client, reviewer):
    span = factories.SpanFactory(created_by=factories.EditorFactory())
    client.force_login(reviewer)
    response = client.post(f"/spans/{span.pk}/approve/", **HX)
    assert response.status_code == 200
    span.refresh_from_db()
    assert span.review_status == "approved"
    client.post(f"/spans/{span.pk}/request-changes/", **HX)
    span.refresh_from_db()
    assert span.review_status == "changes_requested"


def test_htmx_review_refuses_own_span_and_non_reviewers(client, reviewer):
    own = factories.SpanFactory(created_by=reviewer)
    client.force_login(reviewer)
    assert client.post(f"/spans/{own.pk}/approve/", **HX).status_code == 403
    client.force_login(factories.EditorFactory())
    other = factories.SpanFactory(article=own.article, quote="bridge")
    assert client.post(f"/spans/{other.pk}/approve/", **HX).status_code == 403
    assert not HistoryEntry.objects.filter(action=HistoryAction.REVIEWED).exists()
