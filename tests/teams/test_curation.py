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
    entries = HistoryEntry.objects.filter(object_type="span", object_id=shared.pk)
    assert sorted(entries.values_list("action", flat=True)) == ["created", "reviewed"]
    assert all(e.after["origin"] == "curation" for e in entries)
    assert entries.get(action="reviewed").after["review_status"] == "approved"
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


def test_take_b_after_take_a_changes_the_speaker(client, pair, reviewer):
    """Alice and Bob quote the same words with different speakers: take A, then take B."""
    alices = Span.objects.get(layer=pair["a"], start=8)
    client.force_login(reviewer)
    client.post(_url(pair), {"action": "take", "span": alices.pk})
    bobs = Span.objects.create(
        article=pair["article"],
        kind="quote",
        start=8,
        end=11,
        text=alices.text,
        speaker=factories.EntityFactory(kind="PERSON"),
        layer=pair["b"],
    )
    client.post(_url(pair), {"action": "take", "span": bobs.pk})
    shared = Span.objects.get(layer__isnull=True, start=8, end=11)
    assert shared.speaker_id == bobs.speaker_id
    assert shared.review_status == "approved"
    assert shared.origin == "curation"


def test_drop_leaves_a_rejected_curation_span_and_settles_the_row(client, pair, reviewer):
    client.force_login(reviewer)
    page = client.get(_url(pair)).content.decode()
    assert page.count('data-settled=""') == 3
    mentions = list(Span.objects.filter(layer__isnull=False, kind="mention").order_by("start"))
    response = client.post(_url(pair), {"action": "drop", "span": [m.pk for m in mentions]})
    assert response.status_code == 302
    dropped = Span.objects.filter(layer__isnull=True, kind="mention").order_by("start")
    assert [(s.start, s.status, s.origin) for s in dropped] == [
        (16, "rejected", "curation"),
        (18, "rejected", "curation"),
    ]
    assert all(s.review_status == "approved" for s in dropped)
    entry = HistoryEntry.objects.get(object_id=dropped[0].pk, action="created")
    assert (entry.after["origin"], entry.after["status"]) == ("curation", "rejected")
    page = client.get(_url(pair)).content.decode()
    assert page.count('data-settled="dropped"') == 2
    # Dropping again makes nothing new.
    client.post(_url(pair), {"action": "drop", "span": [m.pk for m in mentions]})
    assert Span.objects.filter(layer__isnull=True, kind="mention").count() == 2


def test_drop_after_take_rejects_the_taken_span(client, pair, reviewer):
    bobs = Span.objects.get(layer=pair["b"], start=10)
    client.force_login(reviewer)
    client.post(_url(pair), {"action": "take", "span": bobs.pk})
    client.post(_url(pair), {"action": "drop", "span": bobs.pk})
    shared = Span.objects.get(layer__isnull=True, start=10)
    assert shared.status == "rejected"
    assert list(
        HistoryEntry.objects.filter(object_id=shared.pk)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["created", "reviewed", "rejected", "reviewed"]


def test_edit_takes_the_span_and_opens_it_in_the_workspace(client, pair, reviewer):
    alices = Span.objects.get(layer=pair["a"], start=8)
    client.force_login(reviewer)
    response = client.post(_url(pair), {"action": "edit", "span": alices.pk})
    shared = Span.objects.get(layer__isnull=True, start=8)
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{pair['article'].pk}/#span-{shared.pk}"
    assert shared.speaker_id == alices.speaker_id


@pytest.mark.parametrize(
    "data",
    [{"action": "take", "span": "x"}, {"action": "drop"}, {"action": "take", "span": "99999"}],
)
def test_bad_span_is_a_404_and_changes_nothing(client, pair, reviewer, data):
    client.force_login(reviewer)
    assert client.post(_url(pair), data).status_code == 404
    assert not Span.objects.filter(layer__isnull=True).exists()


def test_unknown_action_is_a_400(client, pair, reviewer):
    client.force_login(reviewer)
    assert client.post(_url(pair), {"action": "burn"}).status_code == 400


def test_a_span_of_another_layer_cannot_be_curated_here(client, pair, reviewer):
    other = factories.AssignmentFactory(article=pair["article"], blind=True)
    stray = Span.objects.create(
        article=pair["article"], kind="quote", start=0, end=1, text="a", layer=other
    )
    client.force_login(reviewer)
    assert client.post(_url(pair), {"action": "take", "span": stray.pk}).status_code == 404


def test_the_curate_page_names_the_speakers_escaped(client, pair, reviewer):
    alices = Span.objects.get(layer=pair["a"], start=8)
    alices.speaker.name = "<b>Ann</b>"
    alices.speaker.save()
    client.force_login(reviewer)
    page = client.get(_url(pair)).content.decode()
    assert "— &lt;b&gt;Ann&lt;/b&gt;" in page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_curate_and_agreement_pages_do_not_grow_with_disagreements(client, pair, reviewer):
    client.force_login(reviewer)
    agreement = (
        f"/articles/{pair['article'].pk}/agreement/?assignments={pair['a'].pk},{pair['b'].pk}"
    )
    before = (_queries(client, _url(pair)), _queries(client, agreement))
    body = pair["article"].body
    for start in range(0, len(body) - 1, 2):  # a one-letter claim on every letter: Alice's only
        Span.objects.create(
            article=pair["article"],
            kind="claim",
            start=start,
            end=start + 1,
            text=body[start],
            layer=pair["a"],
            speaker=None,
        )
    page = client.get(_url(pair)).content.decode()
    assert page.count("disagreement") > 10
    assert (_queries(client, _url(pair)), _queries(client, agreement)) == before
