"""The API's contract with generated clients and careless callers (issues 14 and 20): bad
query parameters and bodies are a 400/413 with a message, the schema declares JSON bodies,
the token scheme and the JSONL exports as they are, and the doccano export can leave out
the layers that overlap."""

import base64
import json

import pytest
import yaml

from annotations.models import Span
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    SpanFactory,
)

pytestmark = pytest.mark.django_db


def forged_cursor(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.fixture
def data():
    article = ArticleFactory(body="Jane Doe said the bridge reopens in May. Acme agreed.")
    jane = EntityFactory(name="Jane Doe")
    mention = SpanFactory(article=article, start=0, end=8, entity=jane)
    SpanFactory(article=article, kind="quote", start=14, end=39, entity=None, speaker=jane)
    ClaimFactory(claimant=jane)
    return {"article": article, "entity": jane, "span": mention}


# Each list and export, with the query it is asked. (No value is ever silently ignored.)
LISTS = [
    "/api/spans/",
    "/api/spans/export/",
    "/api/articles/",
    "/api/claims/",
    "/api/entities/",
    "/api/articles/{article}/spans/",
    "/api/entities/{entity}/quotes/",
    "/api/entities/{entity}/mentions/",
    "/api/articles/{article}/history/",
    "/api/articles/{article}/orphans/",
    "/api/spans/{span}/history/",
    "/api/entities/{entity}/history/",
]


def url(template: str, data) -> str:
    return template.format(
        article=data["article"].pk, entity=data["entity"].pk, span=data["span"].pk
    )


@pytest.mark.parametrize("template", LISTS)
def test_an_unknown_parameter_is_a_400_naming_it(viewer_api, data, template):
    response = viewer_api.get(url(template, data) + "?colour=red")

    assert response.status_code == 400
    assert response.json()["colour"][0].startswith("Unknown parameter.")


@pytest.mark.parametrize(
    ("template", "query", "field"),
    [
        pytest.param("/api/spans/", "page_size=true", "page_size", id="page_size-bool"),
        pytest.param("/api/spans/", "page_size=0", "page_size", id="page_size-zero"),
        pytest.param("/api/entities/", "page_size=-3", "page_size", id="page_size-negative"),
        pytest.param("/api/entities/", "page=abc", "page", id="page-word"),
        pytest.param("/api/claims/", "ordering=zzz", "ordering", id="ordering-unknown"),
        pytest.param("/api/spans/export/", "ordering=text", "ordering", id="export-ordering"),
        pytest.param("/api/spans/", "created_after=", "created_after", id="date-empty"),
        pytest.param("/api/spans/", "created_after=yesterday", "created_after", id="date-bad"),
        pytest.param("/api/articles/", "imported_before=2024-13-01", "imported_before", id="a"),
        pytest.param("/api/spans/", "q=", "q", id="text-empty"),
        pytest.param("/api/articles/", "source=", "source", id="source-empty"),
        pytest.param("/api/spans/", "revised=maybe", "revised", id="bool-bad"),
        pytest.param("/api/spans/", "cursor=", "cursor", id="cursor-empty"),
        pytest.param("/api/spans/", "cursor=garbage", "cursor", id="cursor-garbage"),
        # Unicode digits: "²".isdigit() is true, int("²") fails; "١٢" is 12 to int().
        pytest.param("/api/spans/", "article=²", "article", id="article-superscript"),
        pytest.param("/api/spans/", "entity=١٢", "entity", id="entity-arabic"),
        pytest.param("/api/spans/", "speaker=²", "speaker", id="speaker"),
        pytest.param("/api/spans/", "claim=²", "claim", id="claim"),
        pytest.param("/api/spans/", "created_by=²", "created_by", id="created_by"),
        pytest.param("/api/claims/", "claimant=²", "claimant", id="claimant"),
        pytest.param("/api/spans/export/", "article=²", "article", id="export-article"),
        pytest.param("/api/spans/", "article=1234567890123456789012345", "article", id="25-digits"),
        pytest.param("/api/articles/{article}/doccano/", "kinds=quote,opinion", "kinds", id="k"),
    ],
)
def test_an_ill_typed_parameter_is_a_400_naming_it(viewer_api, data, template, query, field):
    response = viewer_api.get(f"{url(template, data)}?{query}")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {field}
    assert response.json()[field][0]


def test_an_unknown_id_in_a_filter_is_a_400_that_says_so(viewer_api):
    response = viewer_api.get("/api/spans/?article=999999")

    assert response.status_code == 400
    assert response.json() == {"article": ["No article with id 999999."]}


def test_a_page_size_over_the_limit_is_the_limit(viewer_api):
    SpanFactory.create_batch(3)
    assert len(viewer_api.get("/api/spans/?page_size=100000").json()["results"]) == 3


@pytest.mark.parametrize(
    "template",
    ["/api/articles/{article}/spans/", "/api/spans/", "/api/claims/", "/api/articles/"],
)
@pytest.mark.parametrize(
    "position", ["x", "99999999999999999999999", "²", "9999-12-31 23:59-14:00"]
)
def test_a_forged_cursor_is_a_400(viewer_api, data, template, position):
    response = viewer_api.get(f"{url(template, data)}?cursor={forged_cursor(position)}")

    assert response.status_code == 400, response.content
    assert response.json() == {"cursor": ["Invalid cursor"]}


def test_a_real_cursor_still_pages(viewer_api, data):
    first = viewer_api.get(f"/api/articles/{data['article'].pk}/spans/?page_size=1").json()
    second = viewer_api.get(first["next"]).json()

    assert [s["start"] for s in first["results"] + second["results"]] == [0, 14]


def test_delete_with_a_unicode_digit_version_is_a_400_and_deletes_nothing(editor_api, data):
    span = data["span"]
    response = editor_api.delete(f"/api/spans/{span.pk}/?version=²")

    assert response.status_code == 400
    assert response.json() == {"version": ["Enter a whole number."]}
    assert Span.objects.filter(pk=span.pk).exists()


@pytest.mark.parametrize("depth", [900, 5_000, 100_000])
def test_deeply_nested_json_is_a_400_even_for_anonymous(api_client, depth):
    response = api_client.post(
        "/api/auth/token/", data="[" * depth + "]" * depth, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


def test_deeply_nested_json_in_a_write_is_a_400(editor_api):
    body = '{"article": ' + "[" * 5000 + "]" * 5000 + "}"
    response = editor_api.post("/api/spans/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert Span.objects.count() == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_upload_limit_is_a_json_413(editor_api, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    body = b'{"note": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    if content_type != "application/json":
        body = b"note=" + b"x" * (10 * 1024 * 1024)

    response = editor_api.post("/api/spans/", data=body, content_type=content_type)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is larger than 5242880 bytes."}
    assert Span.objects.count() == 0


def test_a_body_under_the_limit_is_read(editor_api, data, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    payload = {"article": data["article"].pk, "kind": "mention", "start": 41, "end": 45}
    payload["entity"] = data["entity"].pk

    assert editor_api.post("/api/spans/", payload, format="json").status_code == 201
    big = {**payload, "note": "x" * 300}
    assert editor_api.post("/api/spans/", big, format="json").status_code == 413


# --- the schema ------------------------------------------------------------------------------


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_format_is_chosen_by_the_query(api_client):
    as_json = api_client.get("/api/schema/?format=json")
    as_yaml = api_client.get("/api/schema/?format=yaml")

    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content) == json.loads(as_json.content)
    assert api_client.get("/api/schema/?format=xml").status_code == 404


def test_request_bodies_are_json_only(schema):
    bodies = [
        (path, method, list(operation["requestBody"]["content"]))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(bodies) >= 13
    assert {tuple(types) for _, _, types in bodies} == {("application/json",)}


def test_forms_are_still_parsed_for_the_browsable_api(editor_api, data):
    form = {"article": data["article"].pk, "kind": "mention", "start": 41, "end": 45}
    form["entity"] = data["entity"].pk
    response = editor_api.post("/api/spans/", form, format="multipart")

    assert response.status_code == 201


def test_token_auth_is_an_api_key_with_the_token_prefix(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]

    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert '"Token"' in scheme["description"]


@pytest.mark.parametrize("path", ["/api/spans/export/", "/api/articles/{id}/doccano/"])
def test_jsonl_responses_are_declared_with_an_example(schema, path):
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]

    assert list(content) == ["application/jsonl"]
    (example,) = content["application/jsonl"]["examples"].values()
    lines = example["value"].splitlines()
    assert lines
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_string_query_parameters_say_they_may_not_be_empty(schema):
    q = next(p for p in schema["paths"]["/api/spans/"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["minLength"] == 1


# --- doccano ---------------------------------------------------------------------------------


def doccano_drops(labels: list[list]) -> list[list]:
    """doccano's rule for a project that does not allow overlapping spans: a label that
    overlaps one already kept is dropped, without an error (seen in doccano 1.8.4)."""
    kept, dropped = [], []
    for start, end, label in sorted(labels):
        if any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            dropped.append([start, end, label])
        else:
            kept.append([start, end, label])
    return dropped


@pytest.fixture
def overlapping(editor):
    article = ArticleFactory(body="Jane Doe said: “Acme will close the plant in Leeds.”")
    jane, acme = EntityFactory(name="Jane Doe"), EntityFactory(name="Acme", kind="ORG")
    SpanFactory(article=article, start=0, end=8, entity=jane)
    SpanFactory(article=article, kind="quote", start=15, end=51, entity=None, speaker=jane)
    SpanFactory(article=article, start=16, end=20, entity=acme)
    SpanFactory(article=article, start=45, end=50, entity=EntityFactory(name="Leeds", kind="GPE"))
    claim = ClaimFactory()
    SpanFactory(article=article, kind="claim", start=16, end=50, entity=None, claim=claim)
    return article


def doccano(client, article, query=""):
    response = client.get(f"/api/articles/{article.pk}/doccano/{query}")
    assert response.status_code == 200, response.content
    (line,) = response.content.decode().splitlines()
    return json.loads(line)["label"]


def test_the_full_doccano_export_overlaps(viewer_api, overlapping):
    labels = doccano(viewer_api, overlapping)

    assert len(labels) == 5
    assert doccano_drops(labels)  # why the README says to allow overlapping spans


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kinds=mention", {"PERSON", "ORG", "GPE"}),
        ("?kinds=quote", {"QUOTE"}),
        ("?kinds=claim", {"CLAIM"}),
        ("?kinds=mention&kinds=quote", {"PERSON", "ORG", "GPE", "QUOTE"}),
    ],
)
def test_a_doccano_layer_loses_nothing_in_doccano(viewer_api, overlapping, query, expected):
    labels = doccano(viewer_api, overlapping, query)

    assert {label for _, _, label in labels} == expected
    if "&" not in query:  # one layer: nothing overlaps, doccano keeps every label
        assert doccano_drops(labels) == []


def test_the_doccano_layers_together_are_the_whole_export(viewer_api, overlapping):
    whole = doccano(viewer_api, overlapping)
    layers = [doccano(viewer_api, overlapping, f"?kinds={k}") for k in ("mention", "quote,claim")]

    assert sorted(layers[0] + layers[1]) == sorted(whole)
    assert doccano_drops(layers[0]) == []
