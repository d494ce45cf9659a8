"""Who may do what through the API: anonymous 401, viewers read, editors write; tokens; throttling."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from newsdesk.api import AuthRateThrottle, AuthUsernameRateThrottle
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityFactory,
    SpanFactory,
    UserFactory,
    ViewerFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


@pytest.fixture(params=["anonymous", "viewer", "editor"])
def role_client(request):
    client = APIClient()
    if request.param != "anonymous":
        user = {"viewer": ViewerFactory, "editor": EditorFactory}[request.param]()
        client.force_login(user)
    return request.param, client


@pytest.fixture
def objects(db):
    article = ArticleFactory()
    entity = EntityFactory(name="Jane Doe")
    span = SpanFactory(article=article, entity=entity)
    claim = ClaimFactory()
    return {"article": article, "entity": entity, "span": span, "claim": claim}


READS = [
    "/api/articles/",
    "/api/articles/{article}/",
    "/api/articles/{article}/spans/",
    "/api/articles/{article}/w3c/",
    "/api/articles/{article}/doccano/",
    "/api/articles/{article}/conll/",
    "/api/spans/",
    "/api/spans/{span}/",
    "/api/spans/export/",
    "/api/entities/",
    "/api/entities/{entity}/",
    "/api/entities/{entity}/quotes/",
    "/api/entities/{entity}/mentions/",
    "/api/claims/",
    "/api/claims/{claim}/",
]


def fill(url: str, objects) -> str:
    return url.format(**{name: obj.pk for name, obj in objects.items()})


@pytest.mark.parametrize("url", READS)
def test_reads(role_client, objects, url):
    role, client = role_client

    response = client.get(fill(url, objects))

    if role == "anonymous":
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    else:
        assert response.status_code == 200


def _writes(objects):
    article, entity, span, claim = (objects[k] for k in ("article", "entity", "span", "claim"))
    return {
        "create-span": (
            "post",
            "/api/spans/",
            {"article": article.pk, "kind": "quote", "text": "Springfield"},
            201,
        ),
        "update-span": ("patch", f"/api/spans/{span.pk}/", {"note": "n"}, 200),
        "delete-span": ("delete", f"/api/spans/{span.pk}/", None, 204),
        "create-entity": ("post", "/api/entities/", {"name": "Acme", "kind": "ORG"}, 201),
        "update-entity": ("patch", f"/api/entities/{entity.pk}/", {"description": "d"}, 200),
        "create-claim": ("post", "/api/claims/", {"text": "A claim."}, 201),
        "update-claim": ("put", f"/api/claims/{claim.pk}/", {"text": "B", "verdict": "false"}, 200),
        "delete-claim": ("delete", f"/api/claims/{claim.pk}/", None, 204),
    }


@pytest.mark.parametrize(
    "write",
    [
        "create-span",
        "update-span",
        "delete-span",
        "create-entity",
        "update-entity",
        "create-claim",
        "update-claim",
        "delete-claim",
    ],
)
def test_writes(role_client, objects, write):
    role, client = role_client
    method, url, data, success = _writes(objects)[write]

    response = getattr(client, method)(url, data)

    expected = {"anonymous": 401, "viewer": 403, "editor": success}[role]
    assert response.status_code == expected, response.content
    if role == "viewer":
        assert "editors" in response.json()["detail"]


def test_articles_are_read_only_even_for_editors(editor_api, objects):
    assert editor_api.post("/api/articles/", {"title": "t"}).status_code == 405
    assert editor_api.delete(f"/api/articles/{objects['article'].pk}/").status_code == 405


def test_a_user_without_a_role_reads_nothing(api_client):
    api_client.force_login(UserFactory())
    response = api_client.get("/api/spans/")
    assert response.status_code == 403
    assert "no reader role" in response.json()["detail"]


@pytest.mark.parametrize("factory", [ViewerFactory, EditorFactory], ids=["viewer", "editor"])
def test_a_token_read_loads_the_roles_with_the_user(factory, django_assert_num_queries):
    """DRF's token check reads the token, its user and the user's role groups in one query;
    then the page."""
    token = Token.objects.create(user=factory())
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    with django_assert_num_queries(2) as queries:
        assert client.get("/api/claims/").status_code == 200
    auth = queries.captured_queries[0]["sql"]
    assert "authtoken_token" in auth
    assert "auth_group" in auth
    assert "auth_group" not in queries.captured_queries[1]["sql"]


def test_the_roles_are_the_users_role_groups_and_nothing_else(editor):
    from newsdesk.roles import can_read, is_editor, roles

    editor.groups.add(Group.objects.create(name="sports desk"))  # not a role
    user = get_user_model().objects.get(pk=editor.pk)
    assert roles(user) == {"editors"}
    assert is_editor(user)
    assert can_read(user)
    viewer = ViewerFactory()
    assert roles(viewer) == {"viewers"}
    assert not is_editor(viewer)
    assert can_read(viewer)


@pytest.mark.parametrize(
    ("user", "status", "detail"),
    [
        ("inactive", 401, "User inactive or deleted."),
        ("no role", 403, "no reader role"),
        ("superuser", 200, None),
        ("unknown", 401, "Invalid token."),
    ],
)
def test_token_answers_for_each_kind_of_user(user, status, detail):
    if user == "unknown":
        key = "0" * 40
    else:
        account = {
            "inactive": lambda: ViewerFactory(is_active=False),
            "no role": lambda: get_user_model().objects.create_user("nobody"),
            "superuser": lambda: get_user_model().objects.create_superuser("root", "", "pw"),
        }[user]()
        key = Token.objects.create(user=account).key
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/claims/")
    assert response.status_code == status
    if detail:
        assert detail in response.json()["detail"]


@pytest.mark.parametrize("factory", [ViewerFactory, EditorFactory], ids=["viewer", "editor"])
def test_a_session_read_loads_the_roles_with_the_user(factory, django_assert_num_queries):
    """The session (from the cache: a table here, as with DEBUG off), the user with their role
    groups in one query, then the page (empty)."""
    client = APIClient()
    client.force_login(factory())
    with django_assert_num_queries(3) as queries:
        assert client.get("/api/claims/").status_code == 200
    groups = [q["sql"] for q in queries.captured_queries if "auth_group" in q["sql"]]
    assert len(groups) == 1
    assert "auth_user" in groups[0]


def test_a_role_given_or_taken_counts_from_the_next_request(editor):
    """The roles are read with the user on every request: nothing kept between requests."""
    client = APIClient()
    client.force_login(editor)
    entity = {"name": "Acme", "kind": "ORG"}
    assert client.post("/api/entities/", entity, format="json").status_code == 201
    editor.groups.remove(Group.objects.get(name="editors"))
    assert client.post("/api/entities/", entity, format="json").status_code == 403


def test_session_writes_need_the_csrf_token(editor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post("/api/entities/", {"name": "Acme", "kind": "ORG"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_flow(api_client):
    editor = EditorFactory(username="ed")

    response = api_client.post("/api/auth/token/", {"username": "ed", "password": PASSWORD})

    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=editor).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/spans/").status_code == 200
    # Token clients need no CSRF token: nothing rides on a cookie.
    assert client.post("/api/entities/", {"name": "Acme", "kind": "ORG"}).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param(
            {"username": "ed", "password": "wrong"}, "non_field_errors", id="wrong-password"
        ),
        pytest.param(
            {"username": "nobody", "password": PASSWORD}, "non_field_errors", id="unknown-user"
        ),
        pytest.param({"username": "ed"}, "password", id="no-password"),
    ],
)
def test_token_refused(api_client, payload, field):
    EditorFactory(username="ed")
    response = api_client.post("/api/auth/token/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Token.objects.exists()


def test_a_bad_token_is_a_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")
    response = api_client.get("/api/spans/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_token_requests_are_throttled_per_username(monkeypatch):
    EditorFactory(username="ed")
    monkeypatch.setattr(AuthUsernameRateThrottle, "rate", "3/min", raising=False)
    statuses = []
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        client = APIClient(REMOTE_ADDR=address)
        statuses.append(
            client.post("/api/auth/token/", {"username": "ed", "password": "wrong"}).status_code
        )
    right = APIClient(REMOTE_ADDR="10.0.0.5").post(
        "/api/auth/token/", {"username": "ed", "password": PASSWORD}
    )
    other_user = APIClient(REMOTE_ADDR="10.0.0.6").post(
        "/api/auth/token/", {"username": "someone", "password": "x"}
    )

    assert statuses == [400, 400, 400, 429]
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 0
    assert other_user.status_code == 400


def test_token_requests_are_throttled_per_address(monkeypatch):
    monkeypatch.setattr(AuthRateThrottle, "rate", "2/min", raising=False)
    client = APIClient(REMOTE_ADDR="10.0.0.9")
    statuses = [
        client.post("/api/auth/token/", {"username": f"u{i}", "password": "x"}).status_code
        for i in range(3)
    ]
    assert statuses == [400, 400, 429]
