import pytest
from django.core.cache import cache, caches
from django.db import connection

from tests import factories


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Throttle counts, sessions and rendered fragments live in the caches: no test inherits
    them. With DEBUG off (as here) the default cache is a table in the test database, so only
    tests with database access touch it (and a plain `db` test's writes roll back anyway)."""
    caches["template_fragments"].clear()
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("db")
        cache.clear()


@pytest.fixture
def editor(db):
    return factories.EditorFactory()


@pytest.fixture
def viewer(db):
    return factories.ViewerFactory()


@pytest.fixture
def reviewer(db):
    return factories.ReviewerFactory()


@pytest.fixture
def article(db):
    return factories.ArticleFactory()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- REST API clients (tests/*/test_api_*.py) ----------------------------------------------


@pytest.fixture
def api_client():
    """A logged-out DRF test client; requests default to JSON."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def editor_api(api_client, editor):
    api_client.force_login(editor)
    return api_client


@pytest.fixture
def viewer_api(api_client, viewer):
    api_client.force_login(viewer)
    return api_client


@pytest.fixture
def fast_passwords(settings):
    """MD5 password hashing for modules that create many users (the real hasher costs ~0.3 s
    per user). Opt in with pytest.mark.usefixtures("fast_passwords")."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
