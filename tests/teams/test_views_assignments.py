"""/queue/, bulk assignment from the article list, the article list's assignment filters."""

import datetime

import pytest

from annotations.models import Assignment, AssignmentStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def test_queue_shows_only_my_open_assignments_due_first_two_users(client):
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    later = factories.AssignmentFactory(assignee=alice, due=datetime.date(2030, 5, 2))
    sooner = factories.AssignmentFactory(assignee=alice, due=datetime.date(2030, 5, 1))
    undated = factories.AssignmentFactory(assignee=alice)
    factories.AssignmentFactory(assignee=alice, status=AssignmentStatus.SUBMITTED)
    bobs = factories.AssignmentFactory(assignee=bob)
    client.force_login(alice)
    html = client.get("/queue/").content.decode()
    order = [html.index(f'data-assignment="{a.pk}"') for a in (sooner, later, undated)]
    assert order == sorted(order)
    assert html.count("data-assignment=") == 3
    client.force_login(bob)
    html = client.get("/queue/").content.decode()
    assert f'data-assignment="{bobs.pk}"' in html
    assert html.count("data-assignment=") == 1


def test_queue_requires_sign_in(client):
    response = client.get("/queue/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [10, 100])
def test_queue_query_count_is_fixed(client, django_assert_num_queries, size):
    alice = factories.EditorFactory()
    factories.AssignmentFactory.create_batch(size, assignee=alice)
    client.force_login(alice)
    # session, user with roles, the queue, the articles' submitted blind layers
    with django_assert_num_queries(4):
        response = client.get("/queue/")
    assert response.content.decode().count("data-assignment=") == size


def test_a_review_row_links_the_submitted_blind_layers_to_their_agreement(client):
    article = factories.ArticleFactory()
    rita = factories.ReviewerFactory()
    review = factories.AssignmentFactory(article=article, assignee=rita, task="review")
    layers = [
        factories.AssignmentFactory(article=article, blind=True, status=AssignmentStatus.SUBMITTED)
        for _ in range(2)
    ]
    factories.AssignmentFactory(article=article, blind=True)  # still open: not yet compared
    client.force_login(rita)
    html = client.get("/queue/").content.decode()
    ids = ",".join(str(a.pk) for a in layers)
    assert f'href="/articles/{article.pk}/agreement/?assignments={ids}"' in html
    assert f'data-assignment="{review.pk}"' in html


def test_a_review_assignment_is_done_once_every_shared_span_is_reviewed(client):
    from annotations import team_services

    rita = factories.ReviewerFactory()
    span = factories.SpanFactory(kind="quote", entity=None)
    other = factories.SpanFactory(article=span.article, quote="Springfield")
    review = factories.AssignmentFactory(article=span.article, assignee=rita, task="review")
    team_services.span_review(span=span, user=rita, decision="approve")
    review.refresh_from_db()
    assert review.status == AssignmentStatus.OPEN  # one span is still unreviewed
    team_services.span_review(span=other, user=rita, decision="request_changes")
    review.refresh_from_db()
    assert review.status == AssignmentStatus.DONE
    client.force_login(rita)
    assert "data-assignment=" not in client.get("/queue/").content.decode()


def test_submit_from_the_queue(client):
    alice = factories.EditorFactory()
    assignment = factories.AssignmentFactory(assignee=alice)
    client.force_login(alice)
    response = client.post(f"/queue/{assignment.pk}/submit/")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED


def test_bulk_assign_spreads_evenly(editor_client, editor):
    articles = factories.ArticleFactory.create_batch(5)
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    response = editor_client.post(
        "/assignments/bulk/",
        {
            "articles": [a.pk for a in articles],
            "assignees": [alice.pk, bob.pk],
            "spread": "on",
            "task": "annotate",
            "next": "/",
        },
    )
    assert response.status_code == 302
    counts = sorted(Assignment.objects.filter(assignee=u).count() for u in (alice, bob))
    assert counts == [2, 3]
    assert Assignment.objects.filter(created_by=editor).count() == 5


def test_bulk_assign_to_everyone_blind_skips_open_twins(editor_client):
    articles = factories.ArticleFactory.create_batch(2)
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    factories.AssignmentFactory(article=articles[0], assignee=alice)
    editor_client.post(
        "/assignments/bulk/",
        {
            "articles": [a.pk for a in articles],
            "assignees": [alice.pk, bob.pk],
            "task": "annotate",
            "blind": "on",
        },
    )
    assert Assignment.objects.count() == 4
    assert Assignment.objects.filter(blind=True).count() == 3


def test_bulk_assign_without_people_changes_nothing(editor_client, article):
    response = editor_client.post("/assignments/bulk/", {"articles": [article.pk]}, follow=True)
    assert "Pick at least one person." in response.content.decode()
    assert not Assignment.objects.exists()


def test_viewer_cannot_bulk_assign(viewer_client, viewer, article):
    response = viewer_client.post(
        "/assignments/bulk/", {"articles": [article.pk], "assignees": [viewer.pk]}
    )
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_article_list_filters_by_assignee_and_status(editor_client):
    alice = factories.EditorFactory()
    mine = factories.AssignmentFactory(assignee=alice).article
    submitted = factories.AssignmentFactory(
        assignee=alice, status=AssignmentStatus.SUBMITTED
    ).article
    other = factories.ArticleFactory()
    html = editor_client.get(f"/?assignee={alice.pk}").content.decode()
    assert mine.title in html
    assert submitted.title in html
    assert other.title not in html
    html = editor_client.get(f"/?assignee={alice.pk}&assignment=open").content.decode()
    assert mine.title in html
    assert submitted.title not in html
    html = editor_client.get("/?assignment=submitted").content.decode()
    assert submitted.title in html
    assert mine.title not in html


def test_article_list_shows_reviewed_share(editor_client, article):
    factories.SpanFactory(article=article, review_status="approved")
    factories.SpanFactory(article=article, quote="bridge")
    html = editor_client.get("/").content.decode()
    assert ">1/2</td>" in html
