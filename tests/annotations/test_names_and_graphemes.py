"""Entity names and span boundaries, through the htmx views, the API and the admin: one
length limit per field, visible names without bidi or control characters, spans of whole
grapheme clusters with something visible in them. A clear 4xx; nothing written."""

import pytest
from django.urls import reverse

from annotations.models import NAME_MAX_LENGTH, Entity, EntityAlias, HistoryEntry, Span
from annotations.text import has_visible, is_grapheme_boundary, name_problem
from tests.factories import ArticleFactory, EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
ENTITIES = "/api/entities/"
SPANS = "/api/spans/"
THUMB = "👍🏽"  # U+1F44D and a skin-tone modifier: one character to a reader, two code points
BODY = f"Great work {THUMB} said the mayor.\nA zero\u200dwidth joiner and 🇫🇷 too."

BAD_NAMES = [
    pytest.param("\u200b", "at least one visible character", id="zero-width-space"),
    pytest.param("\u202e\u200b", "at least one visible character", id="rlo-zwsp"),
    pytest.param("Jane\u202eDoe", "U+202E (right-to-left override)", id="bidi-override"),
    pytest.param("Jane\u2066Doe", "U+2066 (left-to-right isolate)", id="bidi-isolate"),
    pytest.param("Jane\x07Doe", "U+0007", id="control"),
    pytest.param("x" * 301, "at most 300 characters; this one has 301", id="301-chars"),
    pytest.param("x" * 10_000, "this one has 10,000", id="10000-chars"),
]


# --- the plain-Python rules ----------------------------------------------------------------


def test_grapheme_boundaries():
    at = BODY.index(THUMB)
    assert is_grapheme_boundary(BODY, at)
    assert not is_grapheme_boundary(BODY, at + 1)  # between the thumb and its skin tone
    assert is_grapheme_boundary(BODY, at + 2)
    flag = BODY.index("🇫🇷")
    assert not is_grapheme_boundary(BODY, flag + 1)  # between two regional indicators
    assert is_grapheme_boundary(BODY, flag + 2)
    joiner = BODY.index("\u200d")
    assert not is_grapheme_boundary(BODY, joiner)  # a joiner belongs to the character before
    assert is_grapheme_boundary(BODY, 0)
    assert is_grapheme_boundary(BODY, len(BODY))


def test_visible_and_names():
    assert not has_visible("\u200d \u200b\u2060\u3164\ufe0f")
    assert has_visible("\u200bx")
    assert name_problem("Zoë Ní Fhaoláin", NAME_MAX_LENGTH) == ""
    assert name_problem("می\u200cخواهم", NAME_MAX_LENGTH) == ""  # a Persian ZWNJ is allowed
    assert "written out for search" in name_problem("ß" * 200, NAME_MAX_LENGTH)


# --- names through the htmx views ----------------------------------------------------------


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
@pytest.mark.parametrize("kind", ["quote", "mention"])
def test_span_form_refuses_a_bad_new_name(editor_client, name, message, kind):
    article = ArticleFactory()
    field = "speaker" if kind == "quote" else "entity"
    data = {"kind": kind, "start": 0, "end": 8, "text": article.body[:8]}
    data.update({field: "new", f"{field}_name": name, "entity_kind": "PERSON"})
    response = editor_client.post(f"/articles/{article.pk}/spans/new/", data, **HX)
    assert response.status_code == 422
    content = response.content.decode()
    if len(name) > NAME_MAX_LENGTH:  # the form says it before anything is written
        assert f"Ensure this value has at most 300 characters (it has {len(name)})." in content
    else:
        assert message.replace("(", "").split(")")[0] in content.replace("(", "")
    assert Entity.objects.count() == 0
    assert Span.objects.count() == 0


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_entity_edit_refuses_a_bad_name(editor_client, name, message):
    entity = EntityFactory(name="Jane Doe")
    data = {"name": name, "kind": "PERSON", "version": entity.version}
    response = editor_client.post(f"/entities/{entity.pk}/edit/", data, **HX)
    assert response.status_code == 422
    content = response.content.decode()
    assert ("Ensure this value has at most 300" if len(name) > 300 else "name") in content
    entity.refresh_from_db()
    assert (entity.name, entity.version) == ("Jane Doe", 1)


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_alias_add_refuses_a_bad_name(editor_client, name, message):
    entity = EntityFactory(name="Jane Doe")
    response = editor_client.post(f"/entities/{entity.pk}/aliases/", {"name": name}, **HX)
    assert response.status_code == 422
    assert EntityAlias.objects.count() == 0


def test_entity_edit_message_names_the_bidi_character(editor_client):
    entity = EntityFactory(name="Jane Doe")
    data = {"name": "Jane\u202eDoe", "kind": "PERSON", "version": 1}
    response = editor_client.post(f"/entities/{entity.pk}/edit/", data, **HX)
    assert "A name cannot hold U+202E (right-to-left override)." in response.content.decode()


# --- names through the API and the admin -----------------------------------------------------


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_api_refuses_a_bad_entity_name(editor_api, name, message):
    entries = HistoryEntry.objects.count()
    response = editor_api.post(ENTITIES, {"name": name, "kind": "PERSON"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert Entity.objects.count() == 0
    assert HistoryEntry.objects.count() == entries


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_api_refuses_a_bad_alias(editor_api, name, message):
    response = editor_api.post(
        ENTITIES, {"name": "Jane Doe", "kind": "PERSON", "aliases": [name]}, format="json"
    )
    assert response.status_code == 400
    assert Entity.objects.count() == 0


def test_api_rename_to_an_invisible_name_is_400(editor_api):
    entity = EntityFactory(name="Jane Doe")
    response = editor_api.patch(
        f"{ENTITIES}{entity.pk}/", {"name": "\u202e\u200b", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "visible character" in str(response.json())
    entity.refresh_from_db()
    assert (entity.name, entity.version) == ("Jane Doe", 1)


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_admin_refuses_a_bad_entity_name(client, name, message):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {
        "name": name,
        "kind": "PERSON",
        "description": "",
        "external_id": "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:annotations_entity_add"), data)
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["name"]
    assert Entity.objects.count() == 0


# --- span boundaries --------------------------------------------------------------------------


@pytest.fixture
def emoji_article(db):
    return ArticleFactory(body=BODY)


def _cuts(body: str):
    thumb, joiner, flag = body.index(THUMB), body.index("\u200d"), body.index("🇫🇷")
    return {
        "thumb-without-skin-tone": (thumb, thumb + 1, "cuts a character in two"),
        "skin-tone-alone": (thumb + 1, thumb + 2, "cuts a character in two"),
        "half-a-flag": (flag, flag + 1, "cuts a character in two"),
        "zero-width-joiner-alone": (joiner, joiner + 1, "cuts a character in two"),
    }


@pytest.mark.parametrize(
    "case",
    ["thumb-without-skin-tone", "skin-tone-alone", "half-a-flag", "zero-width-joiner-alone"],
)
def test_api_refuses_a_span_that_cuts_a_character(editor_api, emoji_article, case):
    start, end, message = _cuts(BODY)[case]
    payload = {"article": emoji_article.pk, "kind": "quote", "start": start, "end": end}
    response = editor_api.post(SPANS, {**payload, "text": BODY[start:end]}, format="json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert Span.objects.count() == 0


def test_api_refuses_a_span_of_only_a_joiner(editor_api):
    article = ArticleFactory(body="Before\n\u200d\nafter the joiner line.")
    start = article.body.index("\u200d")
    payload = {"article": article.pk, "kind": "quote", "start": start, "end": start + 1}
    response = editor_api.post(SPANS, {**payload, "text": "\u200d"}, format="json")
    assert response.status_code == 400
    assert "no visible character" in str(response.json())
    assert Span.objects.count() == 0


def test_htmx_refuses_a_span_that_cuts_a_character(editor_client, emoji_article):
    start, end, message = _cuts(BODY)["thumb-without-skin-tone"]
    data = {"kind": "quote", "start": start - 5, "end": end, "text": BODY[start - 5 : end]}
    response = editor_client.post(f"/articles/{emoji_article.pk}/spans/new/", data, **HX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Span.objects.count() == 0


def test_whole_characters_are_accepted(editor_api, emoji_article):
    start = BODY.index("work")
    end = BODY.index(THUMB) + len(THUMB)
    payload = {"article": emoji_article.pk, "kind": "quote", "start": start, "end": end}
    response = editor_api.post(SPANS, {**payload, "text": BODY[start:end]}, format="json")
    assert response.status_code == 201
    assert Span.objects.get().text == f"work {THUMB}"
