"""A span's thread in the workspace: the highlight's badge, the thread in its popover, posting
and replying through htmx (plain text, links, always escaped, @username notifies), and the
threads of deleted spans in the article's history. Two users each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services, team_services
from annotations.models import Comment, Notification, Span
from tests import factories
from tests.teams.test_layers import blind  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people():
    return {
        "alice": factories.EditorFactory(username="alice"),
        "bob": factories.EditorFactory(username="bob"),
        "vera": factories.ViewerFactory(username="vera"),
    }


@pytest.fixture
def span():
    return factories.SpanFactory(kind="quote", quote="We will have it open by May,", entity=None)


def _thread(client, span, **data):
    if data:
        return client.post(f"/spans/{span.pk}/comments/", data, **HTMX)
    return client.get(f"/spans/{span.pk}/comments/", **HTMX)


def test_posting_a_comment_escapes_links_and_notifies_the_mentioned(client, people, span):
    client.force_login(people["alice"])
    body = "@bob is this right? <script>alert(1)</script> see https://example.org/x?a=1&b=2"
    response = _thread(client, span, body=body)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="span-thread"' in html
    assert 'data-count="1"' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/x?a=1&amp;b=2"' in html
    assert [n.recipient.username for n in Notification.objects.all()] == ["bob"]
    # Bob's header count says so; Alice's does not.
    client.force_login(people["bob"])
    assert ">1</a>" in client.get("/notifications/count/").content.decode()
    client.force_login(people["alice"])
    assert ">0</a>" in client.get("/notifications/count/").content.decode()


def test_the_highlight_carries_the_count_and_the_popover_loads_the_thread(client, people, span):
    team_services.comment_create(span=span, body="first", user=people["alice"])
    team_services.comment_create(span=span, body="second", user=people["bob"])
    client.force_login(people["vera"])
    page = client.get(f"/articles/{span.article_id}/").content.decode()
    assert (
        f'data-span-id="{span.pk}" data-kind="quote" data-version="{span.version}" data-comments="2"'
        in page
    )
    assert "2 comments" in page  # in the highlight's title, for a screen reader too
    popover = client.get(f"/spans/{span.pk}/", **HTMX).content.decode()
    assert f'hx-get="/spans/{span.pk}/comments/"' in popover
    thread = _thread(client, span).content.decode()
    assert thread.index("first") < thread.index("second")
    assert 'id="id_comment_body"' not in thread  # a viewer reads, never writes


def test_a_viewer_cannot_post(client, people, span):
    client.force_login(people["vera"])
    assert _thread(client, span, body="hello").status_code == 403
    assert not Comment.objects.exists()


def test_replies_nest_under_their_comment(client, people, span):
    top = team_services.comment_create(span=span, body="Which May?", user=people["alice"])
    team_services.comment_create(span=span, body="Unrelated", user=people["alice"])
    client.force_login(people["bob"])
    response = _thread(client, span, body="@alice next May", parent=top.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Which May?") < html.index("next May") < html.index("Unrelated")
    reply = Comment.objects.get(body="@alice next May")
    assert reply.parent == top
    assert reply.span == span
    assert f'class="comment depth-1" id="comment-{reply.pk}"' in html
    assert Notification.objects.get().recipient == people["alice"]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"body": "   "}, 422),
        ({"body": "x" * 10_001}, 422),
        ({"body": "hi", "parent": "x"}, 400),
        ({"body": "hi", "parent": "99999999"}, 404),
    ],
)
def test_bad_input_is_refused_and_nothing_is_lost(client, people, span, data, status):
    client.force_login(people["alice"])
    response = _thread(client, span, **data)
    assert response.status_code == status
    assert not Comment.objects.exists()
    if status == 422:
        html = response.content.decode()
        assert 'role="alert"' in html
        assert data["body"][:50] in html  # what was typed is still in the field


def test_a_reply_to_another_spans_thread_is_refused(client, people, span):
    other = factories.SpanFactory(article=span.article, quote="Springfield")
    elsewhere = team_services.comment_create(span=other, body="there", user=people["bob"])
    client.force_login(people["alice"])
    response = _thread(client, span, body="here", parent=elsewhere.pk)
    assert response.status_code == 422
    assert Comment.objects.count() == 1


def test_without_htmx_the_thread_is_a_page_and_a_post_comes_back_to_it(client, people, span):
    client.force_login(people["alice"])
    response = client.post(f"/spans/{span.pk}/comments/", {"body": "plain form"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "plain form" in page
    assert "<html" in page


def test_private_layer_threads_follow_the_layer(client, blind):  # noqa: F811
    alices = blind["alices"]
    client.force_login(blind["alice"])
    assert _thread(client, alices, body="note to self").status_code == 200
    for who in ("bob", "carol"):
        client.force_login(blind[who])
        assert _thread(client, alices).status_code == 404
        assert _thread(client, alices, body="peek").status_code == 404
    assert Comment.objects.count() == 1


def test_a_deleted_spans_thread_stays_readable_in_the_history(client, people, span):
    kept = factories.SpanFactory(article=span.article, quote="Springfield")
    team_services.comment_create(span=span, body="Is this <b>May</b> 2025?", user=people["bob"])
    team_services.comment_create(span=kept, body="fine as is", user=people["bob"])
    services.span_delete(span=span, user=people["alice"])
    client.force_login(people["vera"])
    page = client.get(f"/articles/{span.article_id}/history/").content.decode()
    assert "Comments on deleted annotations" in page
    assert "Is this &lt;b&gt;May&lt;/b&gt; 2025?" in page
    assert "We will have it open by May," in page  # what the span was
    assert "fine as is" not in page  # a live span's thread is in the workspace
    # Restored under its old id, the span has its thread again.
    entry = services.history.last_change(Span, span.pk)
    services.span_restore(entry=entry, user=people["alice"])
    page = client.get(f"/articles/{span.article_id}/").content.decode()
    assert 'data-comments="1"' in page


def test_deleted_private_layer_spans_leave_no_thread_in_the_history(client, blind):  # noqa: F811
    alices = blind["alices"]
    team_services.comment_create(span=alices, body="draft thought", user=blind["alice"])
    services.span_delete(span=alices, user=blind["alice"])
    client.force_login(blind["carol"])
    page = client.get(f"/articles/{blind['article'].pk}/history/").content.decode()
    assert "draft thought" not in page
    assert not Comment.objects.exists()  # nor through the API: the draft's thread went with it


def test_withdrawing_a_blind_assignment_removes_its_drafts_threads(blind):  # noqa: F811
    team_services.comment_create(span=blind["alices"], body="draft", user=blind["alice"])
    kept = team_services.comment_create(span=blind["shared"], body="shared", user=blind["rita"])
    team_services.assignment_delete(assignment=blind["a"], user=blind["rita"])
    assert list(Comment.objects.all()) == [kept]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **HTMX).status_code == 200
    return len(queries)


def test_thread_and_workspace_queries_do_not_grow_with_comments(client, people, span):
    client.force_login(people["alice"])
    thread = f"/spans/{span.pk}/comments/"
    workspace = f"/articles/{span.article_id}/"
    first = team_services.comment_create(span=span, body="one", user=people["bob"])
    counts = (_count(client, thread), _count(client, workspace))
    for i in range(30):
        team_services.comment_create(
            span=span, body=f"reply {i}", parent=first if i % 2 else None, user=people["bob"]
        )
    factories.SpanFactory(article=span.article, quote="Springfield")
    assert (_count(client, thread), _count(client, workspace)) == counts


def test_a_blind_worker_reads_no_shared_thread_of_that_article(blind):  # noqa: F811
    """Through the API either: the shared span's thread would tell what others marked."""
    from rest_framework.test import APIClient

    team_services.comment_create(span=blind["shared"], body="shared talk", user=blind["rita"])
    team_services.comment_create(
        article=blind["article"], body="on the article", user=blind["rita"]
    )
    team_services.comment_create(span=blind["bobs"], body="bob's draft", user=blind["bob"])
    team_services.comment_create(span=blind["alices"], body="alice's draft", user=blind["alice"])

    def bodies(user) -> set[str]:
        client = APIClient()
        client.force_login(user)
        response = client.get(f"/api/comments/?article={blind['article'].pk}")
        assert response.status_code == 200
        return {row["body"] for row in response.data["results"]}

    assert bodies(blind["bob"]) == {"on the article", "bob's draft"}
    assert bodies(blind["alice"]) == {"on the article", "alice's draft"}
    assert bodies(blind["carol"]) == {"on the article", "shared talk"}
    assert bodies(blind["rita"]) == {
        "on the article",
        "shared talk",
        "bob's draft",
        "alice's draft",
    }
