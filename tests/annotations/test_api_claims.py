"""/api/claims/ through the real API client."""

import pytest

from annotations.models import Claim, Span
from tests.factories import ClaimFactory, EntityFactory, SpanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

CLAIMS = "/api/claims/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_create_a_reviewed_claim_records_the_reviewer(editor_api, editor):
    claimant = EntityFactory()

    response = editor_api.post(
        CLAIMS,
        {"text": "  Crime  fell 40%. ", "claimant": claimant.id, "verdict": "false"},
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["text"], data["verdict"], data["claimant"]) == (
        "Crime fell 40%.",
        "false",
        claimant.id,
    )
    assert (data["reviewed_by"], data["created_by"], data["version"]) == (editor.id, editor.id, 1)
    assert data["reviewed_at"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"text": "x", "verdict": "pants-on-fire"}, "verdict", id="bad-verdict"),
        pytest.param({"text": "  "}, "text", id="blank"),
        pytest.param({"text": "x", "claimant": 999_999}, "claimant", id="unknown-claimant"),
    ],
)
def test_create_rejects_bad_input(editor_api, payload, field):
    response = editor_api.post(CLAIMS, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Claim.objects.exists()


def test_every_claim_rated_false_in_one_request(viewer_api):
    false = [ClaimFactory(verdict="false"), ClaimFactory(verdict="false")]
    ClaimFactory(verdict="true")
    ClaimFactory(verdict="mostly_false")

    assert ids(viewer_api.get(CLAIMS, {"verdict": "false"})) == [c.id for c in reversed(false)]
    assert len(ids(viewer_api.get(f"{CLAIMS}?verdict=false&verdict=mostly_false"))) == 3
    assert viewer_api.get(CLAIMS, {"verdict": "fake"}).status_code == 400


def test_claimant_and_text_filters(viewer_api):
    mayor = EntityFactory()
    said = ClaimFactory(claimant=mayor, text="The bridge carries 1,200 people a day.")
    ClaimFactory(text="Crime fell.")

    assert ids(viewer_api.get(CLAIMS, {"claimant": mayor.id})) == [said.id]
    assert ids(viewer_api.get(CLAIMS, {"q": "BRIDGE"})) == [said.id]
    assert viewer_api.get(CLAIMS, {"claimant": 999_999}).status_code == 400


def test_verdict_change_and_stale_version(editor_api, editor):
    claim = ClaimFactory()

    changed = editor_api.patch(f"{CLAIMS}{claim.id}/", {"verdict": "misleading", "version": 1})
    stale = editor_api.patch(f"{CLAIMS}{claim.id}/", {"verdict": "true", "version": 1})

    assert changed.status_code == 200
    assert (changed.json()["verdict"], changed.json()["reviewed_by"]) == ("misleading", editor.id)
    assert changed.json()["version"] == 2
    assert stale.status_code == 409
    assert stale.json()["current"]["verdict"] == "misleading"


def test_delete_removes_the_spans_that_state_it(editor_api):
    claim = ClaimFactory()
    SpanFactory(kind="claim", claim=claim, quote="1,200 people use it daily.")

    assert editor_api.delete(f"{CLAIMS}{claim.id}/").status_code == 204
    assert not Claim.objects.exists()
    assert not Span.objects.exists()


def test_claims_are_cursor_paginated_with_constant_queries(
    viewer_api, django_assert_max_num_queries
):
    Claim.objects.bulk_create(Claim(text=f"Claim {i}", verdict="false") for i in range(130))
    seen = []
    url = f"{CLAIMS}?verdict=false&page_size=100"
    while url:
        with django_assert_max_num_queries(6):
            page = viewer_api.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 130
    with django_assert_max_num_queries(6):
        assert len(viewer_api.get(f"{CLAIMS}?page_size=10").json()["results"]) == 10
