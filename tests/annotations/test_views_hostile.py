"""Hostile input to the htmx views and forms: Unicode digits, 25-digit ids, over-long and
invisible names, and the login redirect of an htmx request. A clear 4xx, nothing written."""

from urllib.parse import parse_qs, urlsplit

import pytest

from annotations.models import Entity, HistoryEntry, Span
from newsdesk.numbers import MAX_ID, InvalidNumber, OutOfRange, parse_id, parse_int
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
HUGE = "1" * 25


# --- the parser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["²", "١٢", "12.0", "1e3", "", " ", "0x10", "+1", "1_000", "٣", "𝟙"]
)
def test_parse_int_takes_ascii_digits_only(text):
    with pytest.raises(InvalidNumber):
        parse_int(text)


def test_parse_int_bounds_and_white_space():
    assert parse_int(" 42\n") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    with pytest.raises(OutOfRange):
        parse_id(str(MAX_ID + 1))
    with pytest.raises(OutOfRange):
        parse_id("0")
    with pytest.raises(OutOfRange):
        parse_int("-1")
    with pytest.raises(InvalidNumber, match="is not an id"):
        parse_id("²")


# --- the entity merge page and form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "status"),
    [("²", 400), ("١", 400), ("x", 400), (HUGE, 404), (str(MAX_ID + 1), 404)],
    ids=["superscript", "arabic-indic", "letter", "25-digits", "past-bigint"],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_merge_page_with_a_bad_id_is_4xx(editor_client, first, status, htmx):
    b = EntityFactory(name="Issac Herzog")
    response = editor_client.get(
        "/entities/merge/", {"first": first, "second": b.pk}, **(HX if htmx else {})
    )
    assert response.status_code == status
    assert "Choose two entities to merge" in response.content.decode()
    assert Entity.objects.count() == 1


def test_merge_page_with_a_bad_keep_is_400(editor_client):
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    response = editor_client.get(
        "/entities/merge/", {"first": a.pk, "second": b.pk, "keep": "²"}, **HX
    )
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["first", "second", "keep"])
@pytest.mark.parametrize("value", ["²", HUGE], ids=["superscript", "25-digits"])
def test_merge_form_with_a_bad_id_is_422_and_merges_nothing(editor_client, field, value):
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    data = {"first": a.pk, "second": b.pk, "first_version": 1, "second_version": 1, "keep": a.pk}
    entries = HistoryEntry.objects.count()
    response = editor_client.post("/entities/merge/", {**data, field: value}, **HX)
    assert response.status_code == 422
    message = "Enter a whole number." if value == "²" else "Enter a number of at most"
    assert message in response.content.decode()
    assert Entity.objects.count() == 2
    assert HistoryEntry.objects.count() == entries


@pytest.mark.parametrize("value", ["²", HUGE, "-1"], ids=["superscript", "25-digits", "negative"])
def test_merge_form_with_a_bad_version_is_422(editor_client, value):
    a, b = EntityFactory(name="Isaac Herzog"), EntityFactory(name="Issac Herzog")
    data = {"first": a.pk, "second": b.pk, "first_version": value, "second_version": 1}
    response = editor_client.post("/entities/merge/", {**data, "keep": a.pk}, **HX)
    assert response.status_code == 422
    assert Entity.objects.count() == 2


# --- the span form -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١٢", HUGE], ids=["superscript", "arabic-indic", "25"])
@pytest.mark.parametrize("field", ["speaker", "entity", "claimant"])
def test_span_form_with_a_bad_entity_id_is_422(editor_client, article, field, value):
    kind = {"speaker": "quote", "entity": "mention", "claimant": "claim"}[field]
    text = article.body[:8]
    data = {"kind": kind, "start": 0, "end": 8, "text": text, field: value}
    data[f"{field}_name"] = "Jane Doe"
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 422
    assert "That entity no longer exists; pick another." in response.content.decode()
    assert Span.objects.count() == 0
    assert Entity.objects.count() == 0


@pytest.mark.parametrize("value", ["²", HUGE, "12.0"], ids=["superscript", "25-digits", "decimal"])
@pytest.mark.parametrize("field", ["start", "end"])
def test_span_form_with_a_bad_offset_is_422(editor_client, article, field, value):
    data = {"kind": "quote", "start": 0, "end": 8, "text": article.body[:8], field: value}
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 422
    assert Span.objects.count() == 0


@pytest.mark.parametrize("value", ["²", HUGE])
def test_span_form_opened_with_bad_offsets_says_select_text(editor_client, article, value):
    response = editor_client.get(
        f"/articles/{article.pk}/spans/new/", {"kind": "quote", "start": value, "end": "3"}, **HX
    )
    assert response.status_code == 422
    assert Span.objects.count() == 0


# --- the login redirect of an htmx request -------------------------------------------------------


def test_htmx_login_redirect_keeps_the_whole_next_url(client):
    page = "/entities/?q=x&kind=ORG"
    response = client.get(
        "/entities/",
        {"q": "x", "kind": "ORG"},
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
        **HX,
    )
    assert response.status_code == 200
    location = response["HX-Redirect"]
    assert location == "/accounts/login/?next=%2Fentities%2F%3Fq%3Dx%26kind%3DORG"
    assert parse_qs(urlsplit(location).query) == {"next": [page]}
