"""Sessions: Django's cached_db engine (read from the shared cache, written through to the
database), so a signed-in user stays signed in whichever worker answers and whatever the
cache loses."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def test_sessions_are_djangos_cached_db_engine():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_a_form_login_stores_the_session_in_the_database_and_survives_an_empty_cache(client):
    factories.EditorFactory(username="ada")

    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert response.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(pk=key).exists()
    cache.clear()  # e.g. Redis restarted: the database still has the session
    assert client.get("/").status_code == 200


def test_an_expired_session_signs_nobody_in(client, editor):
    client.force_login(editor)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    cache.clear()
    response = client.get("/")
    assert response.status_code == 302  # the expired session signs nobody in
    assert "/accounts/login/" in response["Location"]


def test_logging_out_ends_the_session_in_the_cache_and_the_database(client, editor):
    client.force_login(editor)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("logout"))

    assert not Session.objects.filter(pk=key).exists()
    assert client.get("/").status_code == 302
