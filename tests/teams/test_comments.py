"""Comments on spans and articles, @mentions and notifications: two users each."""

import pytest
from rest_framework.test import APIClient

from annotations.models import Comment, Notification
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_comment_with_mention_notifies_that_user_only():
    alice = factories.EditorFactory(username="alice")
    bob = factories.EditorFactory(username="bob")
    carol = factories.EditorFactory(username="carol")
    span = factories.SpanFactory()
    response = _client(alice).post(
        "/api/comments/",
        {"span": span.pk, "body": "@bob is this Jane? cc @alice and mail x@carol.org"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["article"] == span.article_id
    assert [n.recipient for n in Notification.objects.all()] == [bob]
    bobs = _client(bob).get("/api/notifications/").data
    assert bobs["unread"] == 1
    assert bobs["results"][0]["comment"]["body"].startswith("@bob")
    assert _client(carol).get("/api/notifications/").data["unread"] == 0
    assert _client(bob).post("/api/notifications/read/").data == {"read": 1}
    assert _client(bob).get("/api/notifications/").data["unread"] == 0


def test_replies_and_article_threads(editor_api, article):
    top = editor_api.post(
        "/api/comments/", {"article": article.pk, "body": "Check the date"}, format="json"
    )
    reply = editor_api.post(
        "/api/comments/", {"parent": top.data["id"], "body": "Done"}, format="json"
    )
    assert reply.status_code == 201, reply.data
    assert reply.data["article"] == article.pk
    rows = editor_api.get(f"/api/comments/?article={article.pk}").data["results"]
    assert [r["body"] for r in rows] == ["Check the date", "Done"]


def test_empty_body_and_no_target_are_400(editor_api, article):
    assert (
        editor_api.post("/api/comments/", {"article": article.pk, "body": " "}).status_code == 400
    )
    assert editor_api.post("/api/comments/", {"body": "hi"}).status_code == 400
    assert not Comment.objects.exists()


def test_comments_on_a_private_layer_stay_private():
    article = factories.ArticleFactory()
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    layer = factories.AssignmentFactory(article=article, assignee=alice, blind=True)
    span = factories.SpanFactory(article=article, layer=layer, created_by=alice)
    made = _client(alice).post("/api/comments/", {"span": span.pk, "body": "mine"}, format="json")
    assert made.status_code == 201
    assert _client(bob).get("/api/comments/").data["results"] == []
    denied = _client(bob).post("/api/comments/", {"span": span.pk, "body": "x"}, format="json")
    assert denied.status_code == 400


def test_comment_on_a_deleted_span_stays_readable(editor_api, editor):
    span = factories.SpanFactory()
    editor_api.post("/api/comments/", {"span": span.pk, "body": "doubtful"}, format="json")
    editor_api.delete(f"/api/spans/{span.pk}/")
    rows = editor_api.get(f"/api/comments/?article={span.article_id}").data["results"]
    assert [r["body"] for r in rows] == ["doubtful"]


def test_notification_page_escapes_and_links(client):
    alice = factories.EditorFactory(username="alice")
    bob = factories.EditorFactory(username="bob")
    _client(alice).post(
        "/api/comments/",
        {
            "article": factories.ArticleFactory().pk,
            "body": "@bob <script>x()</script> see https://example.org/a",
        },
        format="json",
    )
    client.force_login(bob)
    html = client.get("/notifications/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>x()" not in html
    assert 'href="https://example.org/a"' in html
    badge = client.get("/notifications/count/").content.decode()
    assert ">1<" in badge
    client.force_login(alice)
    assert ">0<" in client.get("/notifications/count/").content.decode()


@pytest.mark.parametrize("size", [10, 100])
def test_comment_and_notification_lists_query_counts(django_assert_num_queries, size):
    alice = factories.EditorFactory(username="alice2")
    bob = factories.EditorFactory(username="bob2")
    article = factories.ArticleFactory()
    for _ in range(size):
        _client(alice).post(
            "/api/comments/", {"article": article.pk, "body": "@bob2 hi"}, format="json"
        )
    client = _client(bob)
    # session, user with roles, the page
    with django_assert_num_queries(3):
        assert len(client.get(f"/api/comments/?page_size={size}").data["results"]) == size
    # session, user with roles, the page, the unread count
    with django_assert_num_queries(4):
        assert len(client.get(f"/api/notifications/?page_size={size}").data["results"]) == size
