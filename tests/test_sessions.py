"""newsdesk.sessions: Django's database sessions, loaded with one plain query."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from newsdesk.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_back():
    store = SessionStore()
    store["who"] = "editor"
    store.save()
    again = SessionStore(session_key=store.session_key)
    assert again["who"] == "editor"
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_loads_empty_and_gets_a_new_key():
    store = SessionStore()
    store["who"] = "editor"
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert "who" not in unknown
    assert unknown.session_key is None


def test_an_expired_session_signs_nobody_in(client, editor):
    client.force_login(editor)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302  # the expired session signs nobody in
    assert "/accounts/login/" in response["Location"]
