"""Curation: agreed spans into the shared layer in one action; take A / take B per
disagreement; the result is ordinary shared spans of origin `curation`."""

import pytest

from annotations.models import HistoryEntry, Span
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _url(pair, suffix=""):
    return (
        f"/articles/{pair['article'].pk}/curate/?assignments={pair['a'].pk},{pair['b'].pk}{suffix}"
    )


def test_merge_agreed_then_take_b(client, pair, reviewer):
    client.force_login(reviewer)
    page = client.get(_url(pair)).content.decode()
    assert 'id="agreed-count">1<' in page
    assert client.post(_url(pair), {"action": "merge"}).status_code == 302
    shared = Span.objects.get(layer__isnull=True)
    assert (shared.start, shared.end, shared.origin) == (0, 3, "curation")
    assert shared.speaker is not None
    assert shared.review_status == "approved"  # the curator reviews
    entry = HistoryEntry.objects.get(object_id=shared.pk)
    assert entry.after["origin"] == "curation"
    # Again: nothing new.
    client.post(_url(pair), {"action": "merge"})
    assert Span.objects.filter(layer__isnull=True).count() == 1
    bobs_quote = Span.objects.get(layer=pair["b"], start=10)
    client.post(_url(pair), {"action": "take", "span": bobs_quote.pk})
    assert Span.objects.filter(layer__isnull=True, start=10, end=13).exists()
    page = client.get(_url(pair)).content.decode()
    assert page.count("disagreement settled") == 1


def test_an_editor_who_is_not_a_reviewer_curates_unreviewed_after_submission(
    client,
    pair,
):
    for who, key in (("alice", "a"), ("bob", "b")):
        client.force_login(pair[who])
        client.post(f"/queue/{pair[key].pk}/submit/")
    client.force_login(factories.EditorFactory())
    client.post(_url(pair), {"action": "merge"})
    assert Span.objects.get(layer__isnull=True).review_status == "unreviewed"


def test_blind_layers_cannot_be_curated_by_others_before_submission(client, pair):
    client.force_login(factories.EditorFactory())
    assert client.post(_url(pair), {"action": "merge"}).status_code == 403
    assert not Span.objects.filter(layer__isnull=True).exists()


def test_viewers_cannot_curate(viewer_client, pair):
    assert viewer_client.get(_url(pair)).status_code == 403
