"""Suggestions through the API: POST /api/articles/<id>/suggest/, deciding one with PATCH
/api/spans/<id>/ {"status": …}, and a kind at once with POST /api/articles/<id>/suggestions/.
On the seeds, through the real importer."""

import pytest
from rest_framework.test import APIClient

from annotations import suggesting
from annotations.models import Claim, Entity, Span, SpanKind, SpanStatus
from tests.annotations.test_suggesting import DAILY, WION, import_seeds
from tests.factories import (
    ArticleFactory,
    EditorFactory,
    EntityFactory,
    SpanFactory,
    ViewerFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

SPANS = "/api/spans/"


def suggest_url(article) -> str:
    return f"/api/articles/{article.pk}/suggest/"


def decide_url(article) -> str:
    return f"/api/articles/{article.pk}/suggestions/"


@pytest.fixture
def seeds(db):
    return import_seeds()


def suggested(article, kind=None, **filters):
    spans = Span.objects.filter(article=article, status=SpanStatus.SUGGESTED, **filters)
    return spans.filter(kind=kind) if kind else spans


# --- who may ---------------------------------------------------------------------------------


@pytest.fixture(params=["anonymous", "viewer", "editor"])
def role_client(request):
    client = APIClient()
    if request.param != "anonymous":
        client.force_login({"viewer": ViewerFactory, "editor": EditorFactory}[request.param]())
    return request.param, client


def _requests(article, span):
    return {
        "suggest": ("post", suggest_url(article), {"kinds": ["claim"]}, 201),
        "accept-all": ("post", decide_url(article), {"kind": "claim", "action": "accept"}, 200),
        "reject-all": ("post", decide_url(article), {"kind": "quote", "action": "reject"}, 200),
        "accept-one": ("patch", f"{SPANS}{span.pk}/", {"status": "accepted"}, 200),
        "reject-one": ("patch", f"{SPANS}{span.pk}/", {"status": "rejected"}, 200),
    }


@pytest.mark.parametrize(
    "what", ["suggest", "accept-all", "reject-all", "accept-one", "reject-one"]
)
def test_only_editors_suggest_and_decide(role_client, what):
    role, client = role_client
    article = ArticleFactory(body="The toll rose to 1,200 people on Monday, officials said.")
    span = SpanFactory(
        article=article, kind=SpanKind.QUOTE, status=SpanStatus.SUGGESTED, quote="officials"
    )
    method, url, data, success = _requests(article, span)[what]

    response = getattr(client, method)(url, data, format="json")

    expected = {"anonymous": 401, "viewer": 403, "editor": success}[role]
    assert response.status_code == expected, response.content
    if role != "editor":
        assert Span.objects.get(pk=span.pk).status == SpanStatus.SUGGESTED
        assert Span.objects.filter(article=article).count() == 1
        assert "detail" in response.json()


def test_suggest_on_an_unknown_article_is_a_json_404(editor_api):
    response = editor_api.post("/api/articles/987654321/suggest/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Article matches the given query."}


# --- suggest ---------------------------------------------------------------------------------


def test_suggest_creates_suggestions_and_a_second_run_none(editor_api, editor, seeds):
    article = seeds[DAILY]

    first = editor_api.post(suggest_url(article))  # no body: every kind

    assert first.status_code == 201, first.content
    report = first.json()
    assert set(report["counts"]) == {"quote", "mention", "claim"}
    assert report["article"] == article.pk
    stored = Span.objects.filter(article=article)
    assert report["created"] == stored.count() > 50
    for kind, counts in report["counts"].items():
        made = stored.filter(kind=kind)
        assert counts == {"created": made.count(), "existing": 0, "rejected": 0}
        assert made.count() > 0
    assert set(stored.values_list("status", flat=True)) == {SpanStatus.SUGGESTED}
    assert set(stored.values_list("created_by", flat=True)) == {editor.pk}
    listed = editor_api.get(f"/api/articles/{article.pk}/spans/?status=suggested&page_size=200")
    assert len(listed.json()["results"]) == report["created"]

    second = editor_api.post(suggest_url(article), {}, format="json")

    assert second.status_code == 200, second.content
    again = second.json()
    assert again["created"] == 0
    for kind, counts in again["counts"].items():
        assert counts == {
            "created": 0,
            "existing": report["counts"][kind]["created"],
            "rejected": 0,
        }
    assert Span.objects.filter(article=article).count() == report["created"]


def test_kinds_choose_the_suggesters(editor_api, seeds):
    response = editor_api.post(suggest_url(seeds[WION]), {"kinds": ["mention"]}, format="json")

    assert response.status_code == 201
    assert set(response.json()["counts"]) == {"mention"}
    assert set(Span.objects.values_list("kind", flat=True)) == {SpanKind.MENTION}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"kinds": ["quote", "verdict"]}, id="unknown-kind"),
        pytest.param({"kinds": []}, id="empty"),
        pytest.param({"kinds": "quote"}, id="not-a-list"),
    ],
)
def test_bad_kinds_are_a_400_naming_the_field(editor_api, article, body):
    response = editor_api.post(suggest_url(article), body, format="json")

    assert response.status_code == 400
    assert "kinds" in response.json()
    assert not Span.objects.exists()


def test_suggest_with_a_bounded_number_of_queries(editor_api, seeds, django_assert_max_num_queries):
    suggesting.known_entities()  # the gazetteer is cached per change of the entities
    with django_assert_max_num_queries(20):
        response = editor_api.post(suggest_url(seeds[DAILY]))
    assert response.json()["created"] > 50  # one bulk insert, one history insert


# --- deciding one suggestion -----------------------------------------------------------------


def test_accepting_a_mention_without_entity_creates_the_candidate(editor_api, editor, seeds):
    article = seeds[DAILY]
    editor_api.post(suggest_url(article), {"kinds": ["mention"]}, format="json")
    vatanka = suggested(article, "mention", text="Alex Vatanka").get()
    assert vatanka.entity is None
    assert vatanka.proposal["candidate"] == {"name": "Alex Vatanka", "kind": "PERSON"}
    listed = editor_api.get(f"{SPANS}{vatanka.pk}/").json()
    assert (listed["proposal"], listed["note"]) == (vatanka.proposal, "")

    response = editor_api.patch(
        f"{SPANS}{vatanka.pk}/", {"status": "accepted", "version": vatanka.version}
    )

    assert response.status_code == 200, response.content
    data = response.json()
    entity = Entity.objects.get(name="Alex Vatanka")
    assert (entity.kind, entity.created_by) == ("PERSON", editor)
    assert (data["status"], data["entity"], data["note"]) == ("accepted", entity.pk, "")
    assert data["version"] == vatanka.version + 1
    # A second suggestion of the same name is accepted onto the same entity, not a twin.
    entities_before = Entity.objects.count()
    other = SpanFactory(
        article=ArticleFactory(body="Alex Vatanka said so."),
        kind=SpanKind.MENTION,
        start=0,
        end=12,
        entity=None,
        status=SpanStatus.SUGGESTED,
        proposal={"candidate": {"name": "Alex Vatanka", "kind": "PERSON"}},
    )
    assert editor_api.patch(f"{SPANS}{other.pk}/", {"status": "accepted"}).json()["entity"] == (
        entity.pk
    )
    assert Entity.objects.count() == entities_before


def test_accepting_with_a_chosen_entity_or_speaker_uses_it(editor_api, seeds):
    article = seeds[DAILY]
    editor_api.post(suggest_url(article), {"kinds": ["mention", "quote"]}, format="json")
    chosen = EntityFactory(name="A. Vatanka", kind="PERSON")
    mention = suggested(article, "mention", text="Alex Vatanka").get()
    quote = suggested(article, "quote", text__startswith="The attack by").get()
    assert (quote.proposal["speaker"], quote.note) == ("Alex Vatanka", "")

    mention_data = editor_api.patch(
        f"{SPANS}{mention.pk}/", {"status": "accepted", "entity": chosen.pk}
    ).json()
    quote_data = editor_api.patch(
        f"{SPANS}{quote.pk}/", {"status": "accepted", "speaker": chosen.pk}
    ).json()

    assert (mention_data["entity"], mention_data["note"]) == (chosen.pk, "")
    assert (quote_data["status"], quote_data["speaker"], quote_data["note"]) == (
        "accepted",
        chosen.pk,
        "",
    )
    assert not Entity.objects.filter(name="Alex Vatanka").exists()


def test_accepting_a_claim_suggestion_creates_its_claim(editor_api, seeds):
    article = seeds[DAILY]
    editor_api.post(suggest_url(article), {"kinds": ["claim"]}, format="json")
    span = suggested(article, "claim").order_by("start").first()
    assert span.claim_id is None

    response = editor_api.patch(f"{SPANS}{span.pk}/", {"status": "accepted", "note": "check"})

    assert response.status_code == 200, response.content
    data = response.json()
    claim = Claim.objects.get(pk=data["claim"])
    assert claim.text == " ".join(span.text.split())
    assert (claim.verdict, data["status"], data["note"]) == ("unreviewed", "accepted", "check")
    assert data["version"] == span.version + 2  # the note, then the decision


def test_a_rejected_suggestion_does_not_come_back(editor_api, seeds):
    article = seeds[DAILY]
    editor_api.post(suggest_url(article), {"kinds": ["quote"]}, format="json")
    absence = suggested(article, "quote", text__startswith="The attack by").get()

    rejected = editor_api.patch(f"{SPANS}{absence.pk}/", {"status": "rejected"})
    again = editor_api.post(suggest_url(article), {"kinds": ["quote"]}, format="json")

    assert rejected.json()["status"] == "rejected"
    assert again.status_code == 200
    assert again.json()["counts"]["quote"]["created"] == 0
    assert again.json()["counts"]["quote"]["rejected"] == 1
    same_place = Span.objects.filter(article=article, kind="quote", start=absence.start)
    assert [s.status for s in same_place] == [SpanStatus.REJECTED]
    # An editor may still change their mind: accepting the rejected one goes through too.
    back = editor_api.patch(f"{SPANS}{absence.pk}/", {"status": "accepted"})
    assert back.json()["status"] == "accepted"


def test_deciding_with_a_stale_version_is_a_409_and_changes_nothing(editor_api, seeds):
    article = seeds[DAILY]
    editor_api.post(suggest_url(article), {"kinds": ["mention"]}, format="json")
    vatanka = suggested(article, "mention", text="Alex Vatanka").get()

    response = editor_api.patch(
        f"{SPANS}{vatanka.pk}/",
        {"status": "accepted", "note": "x", "version": vatanka.version + 5},
    )

    assert response.status_code == 409
    assert response.json()["current"]["status"] == "suggested"
    assert response.json()["current"]["note"] == vatanka.note
    assert not Entity.objects.filter(name="Alex Vatanka").exists()


def test_a_link_of_the_wrong_kind_is_still_a_400(editor_api):
    span = SpanFactory(kind=SpanKind.CLAIM, status=SpanStatus.SUGGESTED, entity=None)

    response = editor_api.patch(
        f"{SPANS}{span.pk}/", {"status": "accepted", "entity": EntityFactory().pk}
    )

    assert response.status_code == 400
    assert "entity" in response.json()
    assert Span.objects.get(pk=span.pk).status == SpanStatus.SUGGESTED
    assert not Claim.objects.exists()


def test_an_accepted_span_rejected_later_takes_the_ordinary_path(editor_api):
    span = SpanFactory(kind=SpanKind.QUOTE, status=SpanStatus.ACCEPTED)
    response = editor_api.patch(f"{SPANS}{span.pk}/", {"status": "rejected"})
    assert (response.status_code, response.json()["status"]) == (200, "rejected")


# --- a kind at once --------------------------------------------------------------------------


def test_accept_all_mentions_links_every_one_to_an_entity(
    editor_api, seeds, django_assert_max_num_queries
):
    article = seeds[DAILY]
    editor_api.post(suggest_url(article), {"kinds": ["mention", "claim"]}, format="json")
    waiting = suggested(article, "mention").count()
    unlinked = suggested(article, "mention", entity__isnull=True).count()
    assert waiting > 10
    assert unlinked > 0

    with django_assert_max_num_queries(20):
        response = editor_api.post(
            decide_url(article), {"kind": "mention", "action": "accept"}, format="json"
        )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "article": article.pk,
        "kind": "mention",
        "action": "accept",
        "count": waiting,
    }
    mentions = Span.objects.filter(article=article, kind="mention")
    assert set(mentions.values_list("status", flat=True)) == {SpanStatus.ACCEPTED}
    assert not mentions.filter(entity__isnull=True).exists()
    assert Entity.objects.filter(name="Alex Vatanka", kind="PERSON").exists()
    assert suggested(article, "claim").exists()  # another kind: untouched

    rejected = editor_api.post(
        decide_url(article), {"kind": "claim", "action": "reject"}, format="json"
    )
    assert rejected.json()["count"] > 0
    assert not suggested(article).exists()
    nothing_left = editor_api.post(
        decide_url(article), {"kind": "claim", "action": "reject"}, format="json"
    )
    assert nothing_left.json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"kind": "mention", "action": "approve"}, "action", id="bad-action"),
        pytest.param({"kind": "verdict", "action": "accept"}, "kind", id="bad-kind"),
        pytest.param({"action": "accept"}, "kind", id="no-kind"),
    ],
)
def test_bad_decisions_are_a_400(editor_api, article, body, field):
    SpanFactory(article=article, kind=SpanKind.QUOTE, status=SpanStatus.SUGGESTED)

    response = editor_api.post(decide_url(article), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Span.objects.get().status == SpanStatus.SUGGESTED


def test_a_put_of_the_whole_suggestion_decides_it_without_an_empty_write(editor_api):
    span = SpanFactory(
        kind=SpanKind.MENTION,
        status=SpanStatus.SUGGESTED,
        entity=None,
        proposal={"candidate": {"name": "Jane Doe", "kind": "PERSON"}},
    )
    data = editor_api.get(f"{SPANS}{span.pk}/").json()

    response = editor_api.put(f"{SPANS}{span.pk}/", {**data, "status": "accepted"}, format="json")

    assert response.status_code == 200, response.content
    accepted = response.json()
    assert accepted["entity"] == Entity.objects.get(name="Jane Doe", kind="PERSON").pk
    assert (accepted["note"], accepted["version"]) == ("", span.version + 1)


@pytest.mark.parametrize(
    ("code", "status"),
    [pytest.param("conflict", 409, id="conflict"), pytest.param("gone", 400, id="other")],
)
def test_a_concurrent_change_while_suggesting_is_a_409(
    editor_api, article, monkeypatch, code, status
):
    from django.core.exceptions import ValidationError

    def changed_meanwhile(**kwargs):  # the race article_suggest reports (rows locked: rare)
        raise ValidationError("The annotations of this article changed meanwhile.", code=code)

    monkeypatch.setattr(suggesting, "article_suggest", changed_meanwhile)

    response = editor_api.post(suggest_url(article))

    assert response.status_code == status
    if status == 409:
        assert response.json() == {
            "detail": "The annotations of this article changed meanwhile.",
            "code": "conflict",
        }
