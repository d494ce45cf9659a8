"""Agreement endpoints and page over real layers; blind layers stay private."""

import pytest
from rest_framework.test import APIClient

from annotations import services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

BODY = "a b c d e f g h i j"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def pair():
    """The hand-computed fixture of test_agreement.py, stored as two blind layers."""
    article = factories.ArticleFactory(body=BODY)
    alice, bob = factories.EditorFactory(), factories.EditorFactory()
    s1, s2, s3 = (factories.EntityFactory(kind="PERSON") for _ in range(3))
    place = factories.EntityFactory(kind="GPE")
    a = factories.AssignmentFactory(article=article, assignee=alice, blind=True)
    b = factories.AssignmentFactory(article=article, assignee=bob, blind=True)
    for user, layer, spans in (
        (alice, a, [("quote", 0, 3, s1), ("quote", 8, 11, s2), ("mention", 16, 17, place)]),
        (bob, b, [("quote", 0, 3, s1), ("quote", 10, 13, s3), ("mention", 18, 19, place)]),
    ):
        for kind, start, end, link in spans:
            services.span_create(
                article=article,
                kind=kind,
                start=start,
                end=end,
                speaker=link if kind == "quote" else None,
                entity=link if kind == "mention" else None,
                user=user,
                layer=layer,
            )
    return {"article": article, "alice": alice, "bob": bob, "a": a, "b": b}


def test_article_agreement_after_submission(pair, reviewer):
    for who, key in (("alice", "a"), ("bob", "b")):
        _client(pair[who]).post(f"/api/assignments/{pair[key].pk}/submit/")
    url = f"/api/articles/{pair['article'].pk}/agreement/?assignments={pair['a'].pk},{pair['b'].pk}"
    response = _client(factories.EditorFactory()).get(url)
    assert response.status_code == 200, response.data
    quote = response.data["kinds"]["quote"]
    assert quote["exact_f1"] == pytest.approx(0.5)
    assert quote["overlap_f1"] == pytest.approx(1.0)
    assert quote["speaker_agreement"] == pytest.approx(0.5)
    assert quote["kappa"] == pytest.approx(7 / 12)
    assert response.data["articles"] == 1


def test_blind_layers_before_submission_only_to_reviewers(pair, reviewer):
    url = f"/api/agreement/?assignments={pair['a'].pk},{pair['b'].pk}"
    assert _client(factories.EditorFactory()).get(url).status_code == 403
    assert _client(pair["alice"]).get(url).status_code == 403  # Bob's layer is still blind
    response = _client(reviewer).get(url)
    assert response.status_code == 200
    assert response.data["kinds"]["quote"]["exact_matches"] == 1


def test_corpus_by_articles_and_task(pair, reviewer):
    url = f"/api/agreement/?articles={pair['article'].pk}&task=annotate"
    response = _client(reviewer).get(url)
    assert response.status_code == 200
    assert response.data["assignments"] == [pair["a"].pk, pair["b"].pk]


@pytest.mark.parametrize(
    "query", ["", "?assignments=x", "?assignments=1", "?articles=1&task=dance"]
)
def test_bad_agreement_requests_are_400(reviewer, query):
    assert _client(reviewer).get(f"/api/agreement/{query}").status_code == 400


def test_agreement_page_shows_figures_and_disagreements(client, pair, reviewer):
    client.force_login(reviewer)
    url = f"/articles/{pair['article'].pk}/agreement/?assignments={pair['a'].pk},{pair['b'].pk}"
    html = client.get(url).content.decode()
    assert 'data-figure="kappa">0.58<' in html
    assert 'data-figure="exact_f1">0.50<' in html
    assert html.count('class="side-by-side disagreement"') == 3
    client.force_login(factories.EditorFactory())
    assert client.get(url).status_code == 403
    assert client.get(f"/articles/{pair['article'].pk}/agreement/").status_code == 400
