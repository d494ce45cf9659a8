"""A blind assignee works in the ordinary htmx workspace: every write lands in their private
layer, and nobody else reaches that layer through the workspace (with two users each)."""

import pytest
from rest_framework.test import APIClient

from annotations.models import Claim, HistoryBatch, HistoryEntry, Span
from tests import factories
from tests.teams.test_layers import blind  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _htmx(client, url, data=None):
    return client.post(url, data or {}, **HTMX)


def test_the_assignee_edits_their_layer_span_in_the_workspace(client, blind):  # noqa: F811
    span = blind["bobs"]
    client.force_login(blind["bob"])
    opened = client.get(f"/spans/{span.pk}/", **HTMX)
    assert opened.status_code == 200
    assert "Approve" not in opened.content.decode()  # a draft is not reviewed
    response = _htmx(
        client,
        f"/spans/{span.pk}/",
        {"version": span.version, "speaker": blind["speaker"].pk, "note": "checked"},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    span.refresh_from_db()
    assert (span.speaker_id, span.note, span.layer_id) == (
        blind["speaker"].pk,
        "checked",
        blind["b"].pk,
    )
    # The re-rendered text is Bob's layer, not the shared spans.
    html = response.content.decode()
    assert f'data-span-id="{span.pk}"' in html
    assert f'data-span-id="{blind["shared"].pk}"' not in html
    assert not HistoryEntry.objects.filter(object_id=span.pk).exists()


@pytest.mark.parametrize("who", ["alice", "carol", "rita"])
def test_nobody_else_opens_or_changes_the_layer_span_in_the_workspace(
    client,
    blind,  # noqa: F811
    who,
):
    span = blind["bobs"]
    client.force_login(blind[who])
    assert client.get(f"/spans/{span.pk}/", **HTMX).status_code == 404
    assert _htmx(client, f"/spans/{span.pk}/", {"version": span.version}).status_code == 404
    assert _htmx(client, f"/spans/{span.pk}/delete/", {"version": span.version}).status_code in (
        404,
        409,  # htmx: "deleted meanwhile" in the form region
    )
    assert Span.objects.filter(pk=span.pk, layer=blind["b"]).exists()


def test_a_working_assignee_cannot_open_the_shared_span(client, blind):  # noqa: F811
    client.force_login(blind["bob"])
    assert client.get(f"/spans/{blind['shared'].pk}/", **HTMX).status_code == 404
    client.force_login(blind["carol"])
    assert client.get(f"/spans/{blind['shared'].pk}/", **HTMX).status_code == 200


def test_the_assignee_deletes_their_layer_span(client, blind):  # noqa: F811
    span = blind["bobs"]
    client.force_login(blind["bob"])
    response = _htmx(client, f"/spans/{span.pk}/delete/", {"version": span.version})
    assert response.status_code == 200
    assert not Span.objects.filter(pk=span.pk).exists()
    assert Span.objects.filter(pk=blind["alices"].pk).exists()
    assert not HistoryEntry.objects.filter(object_id=span.pk).exists()  # a draft: no history


def test_suggest_accept_one_and_accept_all_stay_in_the_layer(client, blind):  # noqa: F811
    article = blind["article"]
    client.force_login(blind["bob"])
    assert _htmx(client, f"/articles/{article.pk}/suggest/").status_code == 200
    suggested = Span.objects.filter(layer=blind["b"], status="suggested")
    assert suggested.exists()
    assert not Span.objects.filter(layer__isnull=True, status="suggested").exists()
    first = suggested.order_by("start").first()
    response = _htmx(client, f"/spans/{first.pk}/accept/", {"version": first.version})
    assert response.status_code == 200, response.content.decode()[:2000]
    first.refresh_from_db()
    assert (first.status, first.layer_id) == ("accepted", blind["b"].pk)
    kinds = set(suggested.values_list("kind", flat=True))
    for kind in kinds:
        response = _htmx(client, f"/articles/{article.pk}/suggestions/{kind}/accept/")
        assert response.status_code == 200
    assert not Span.objects.filter(layer=blind["b"], status="suggested").exists()
    # A private layer's claims state no shared Claim, and its drafts leave no history: the
    # article's history says nothing of them (new entities are shared, and recorded).
    assert not Claim.objects.exists()
    assert not HistoryBatch.objects.exists()
    assert not HistoryEntry.objects.filter(article=article).exists()
    # Alice's layer and the shared layer are as they were.
    assert Span.objects.filter(layer=blind["a"]).count() == 1
    assert Span.objects.filter(layer__isnull=True).count() == 1


def test_reject_all_in_the_layer(client, blind):  # noqa: F811
    article = blind["article"]
    client.force_login(blind["bob"])
    _htmx(client, f"/articles/{article.pk}/suggest/")
    kinds = set(
        Span.objects.filter(layer=blind["b"], status="suggested").values_list("kind", flat=True)
    )
    for kind in kinds:
        assert (
            _htmx(client, f"/articles/{article.pk}/suggestions/{kind}/reject/").status_code == 200
        )
    assert not Span.objects.filter(layer=blind["b"], status="suggested").exists()
    assert Span.objects.filter(layer=blind["b"], status="rejected").exists()


def test_tag_all_mentions_inside_the_layer(client, blind):  # noqa: F811
    article = blind["article"]
    entity = factories.EntityFactory(name="Springfield", kind="GPE")
    client.force_login(blind["bob"])
    response = _htmx(client, f"/articles/{article.pk}/entities/{entity.pk}/tag-all/")
    assert response.status_code == 200
    assert Span.objects.filter(layer=blind["b"], entity=entity).count() == 1
    assert not Span.objects.filter(layer__isnull=True, entity=entity).exists()
    assert not HistoryBatch.objects.exists()


def test_after_submission_the_layer_is_closed_to_the_workspace(client, blind):  # noqa: F811
    span = blind["bobs"]
    client.force_login(blind["bob"])
    client.post(f"/queue/{blind['b'].pk}/submit/")
    # Bob sees the shared layer again, and his draft no longer opens for writing.
    html = client.get(f"/articles/{blind['article'].pk}/").content.decode()
    assert f'data-span-id="{blind["shared"].pk}"' in html
    assert _htmx(client, f"/spans/{span.pk}/", {"version": span.version}).status_code == 404


def test_the_api_refuses_writes_into_someone_elses_layer(blind):  # noqa: F811
    """A reviewer may read a blind layer, never write it; the assignee not after submitting."""
    span = blind["alices"]
    rita = APIClient()
    rita.force_login(blind["rita"])
    assert rita.get(f"/api/spans/{span.pk}/").status_code == 200
    response = rita.patch(
        f"/api/spans/{span.pk}/", {"note": "x", "version": span.version}, format="json"
    )
    assert response.status_code == 403
    assert rita.delete(f"/api/spans/{span.pk}/?version={span.version}").status_code == 403
    alice = APIClient()
    alice.force_login(blind["alice"])
    alice.post(f"/api/assignments/{blind['a'].pk}/submit/")
    response = alice.patch(
        f"/api/spans/{span.pk}/", {"note": "late", "version": span.version}, format="json"
    )
    assert response.status_code == 400
    span.refresh_from_db()
    assert span.note == ""


def test_workspace_says_the_assignee_works_blind(client, blind):  # noqa: F811
    client.force_login(blind["bob"])
    html = client.get(f"/articles/{blind['article'].pk}/").content.decode()
    assert 'id="blind-layer"' in html
    client.force_login(blind["carol"])
    html = client.get(f"/articles/{blind['article'].pk}/").content.decode()
    assert 'id="blind-layer"' not in html
