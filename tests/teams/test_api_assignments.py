"""/api/assignments/: editors hand articles out; ?assignee=me; submit; two users each."""

import pytest
from rest_framework.test import APIClient

from annotations.models import Assignment, AssignmentStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_editor_creates_an_assignment_and_the_duplicate_is_a_400(editor_api, editor, article):
    other = factories.EditorFactory()
    payload = {"article": article.pk, "assignee": other.pk, "task": "annotate", "blind": True}
    response = editor_api.post("/api/assignments/", payload, format="json")
    assert response.status_code == 201, response.data
    made = Assignment.objects.get(pk=response.data["id"])
    assert (made.created_by, made.assignee, made.blind, made.status) == (
        editor,
        other,
        True,
        "open",
    )
    again = editor_api.post("/api/assignments/", payload, format="json")
    assert again.status_code == 400
    assert Assignment.objects.count() == 1


def test_viewer_cannot_create_assignments(viewer_api, viewer, article):
    response = viewer_api.post(
        "/api/assignments/", {"article": article.pk, "assignee": viewer.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_bad_task_is_a_400(editor_api, editor, article):
    response = editor_api.post(
        "/api/assignments/",
        {"article": article.pk, "assignee": editor.pk, "task": "dance"},
        format="json",
    )
    assert response.status_code == 400
    assert "task" in response.data


def test_assignee_me_lists_only_the_callers_own_two_users():
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    mine = factories.AssignmentFactory.create_batch(2, assignee=alice)
    theirs = factories.AssignmentFactory(assignee=bob)
    for user, expected in ((alice, mine), (bob, [theirs])):
        response = _client(user).get("/api/assignments/?assignee=me")
        assert response.status_code == 200
        assert {row["id"] for row in response.data["results"]} == {a.pk for a in expected}


def test_a_viewer_sees_only_their_own_assignments_an_editor_all():
    viewer, editor = factories.ViewerFactory(), factories.EditorFactory()
    own = factories.AssignmentFactory(assignee=viewer)
    factories.AssignmentFactory(assignee=editor)
    seen = _client(viewer).get("/api/assignments/").data["results"]
    assert [row["id"] for row in seen] == [own.pk]
    assert len(_client(editor).get("/api/assignments/").data["results"]) == 2


def test_submit_by_assignee_only_and_once():
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    assignment = factories.AssignmentFactory(assignee=alice, blind=True)
    url = f"/api/assignments/{assignment.pk}/submit/"
    assert _client(bob).post(url).status_code == 403
    response = _client(alice).post(url)
    assert response.status_code == 200
    assert response.data["status"] == "submitted"
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert assignment.submitted_at is not None
    assert _client(alice).post(url).status_code == 400


def test_status_filter(editor_api):
    done = factories.AssignmentFactory(status="done")
    factories.AssignmentFactory()
    rows = editor_api.get("/api/assignments/?status=done").data["results"]
    assert [row["id"] for row in rows] == [done.pk]
    assert editor_api.get("/api/assignments/?assignee=nobody").status_code == 400


@pytest.mark.parametrize("size", [10, 100])
def test_list_query_count_is_fixed(django_assert_num_queries, size):
    alice = factories.EditorFactory()
    factories.AssignmentFactory.create_batch(size, assignee=alice)
    client = _client(alice)
    client.get("/api/assignments/?assignee=me")  # session, roles warm-up is per request anyway
    # session, user with roles, the page
    with django_assert_num_queries(3):
        response = client.get(f"/api/assignments/?assignee=me&page_size={size}")
    assert len(response.data["results"]) == size
