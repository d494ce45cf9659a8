"""Hardened deployment: headers, CSP, HTTPS settings, login throttling, CSRF, request limits."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from annotations.models import Span, SpanStatus
from articles.models import Article
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


# --- headers and Content-Security-Policy ---------------------------------------------------


def test_article_list_has_a_strict_csp_and_the_other_security_headers(editor_client):
    response = editor_client.get(reverse("article-list"))

    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_pages_need_nothing_the_strict_policy_forbids(editor_client, article):
    # No inline <script> or <style>, no inline event handlers, no javascript: URLs.
    for url in (reverse("article-list"), reverse("article-workspace", args=[article.pk])):
        html = editor_client.get(url).content.decode()
        assert "<script>" not in html, url
        assert "<script type=" not in html, url
        assert "<style" not in html, url
        assert " onclick=" not in html, url
        assert " onload=" not in html, url
        assert "javascript:" not in html, url


def test_admin_keeps_strict_scripts_and_may_use_inline_styles(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    policy = csp(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["frame-ancestors"] == "'none'"


def test_api_docs_get_the_documented_relaxation_only(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    policy = csp(response)
    assert policy["script-src"] == "'self' 'unsafe-inline'"  # Swagger UI's inline start-up
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert policy["connect-src"] == "'self'"
    # Everything else is the strict policy.
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["font-src"] == "'self'"


def test_only_swagger_ui_is_offered_and_loads_nothing_from_elsewhere(client):
    # ReDoc's bundle loads a logo from a CDN: its old address leads to Swagger UI.
    redoc = client.get("/api/redoc/")
    docs = client.get("/api/docs/")

    assert redoc.status_code == 302
    assert redoc.headers["Location"] == "/api/docs/"
    html = docs.content.decode()
    assert "https://" not in html  # no CDN script, stylesheet or font
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def test_api_responses_carry_the_headers_too(client):
    response = client.get("/api/articles/")

    assert response.status_code == 401
    assert csp(response)["default-src"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- HTTPS: check --deploy, cookies, HSTS, redirect ----------------------------------------


def production_env(**extra) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SECURE_")
        and k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": "p" * 20 + "-production-key-" + "q" * 20,
        "ALLOWED_HOSTS": "news.example",
        "CSRF_TRUSTED_ORIGINS": "https://news.example",
        "DATABASE_URL": "postgres://newsdesk@db.internal:5432/newsdesk",
        **extra,
    }


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_https_is_switched_off():
    # The check above can fail: turning the HTTPS settings off is reported.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client):
    factories.EditorFactory(username="ada")

    page = client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"),
        {
            "username": "ada",
            "password": PASSWORD,
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
        secure=True,
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert page.cookies["csrftoken"]["secure"]


def test_https_responses_carry_hsts(client):
    response = client.get(reverse("login"), secure=True)

    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def test_plain_http_is_redirected_unless_the_proxy_says_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # the production default (tests run on plain HTTP)

    plain = client.get(reverse("login"))
    proxied = client.get(reverse("login"), headers={"x-forwarded-proto": "https"})

    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")
    assert proxied.status_code == 200


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_form_post_without_csrf_token_is_rejected(editor):
    span = factories.SpanFactory(status=SpanStatus.SUGGESTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    url = reverse("span-reject", args=[span.pk])
    data = {"version": span.version}

    response = client.post(url, data, headers={"hx-request": "true"})

    assert response.status_code == 403
    assert Span.objects.get(pk=span.pk).status == SpanStatus.SUGGESTED
    # The same request with the token goes through: the 403 was the missing token.
    token = str(client.get(reverse("article-list")).context["csrf_token"])
    ok = client.post(url, data, headers={"hx-request": "true", "x-csrftoken": token})
    assert ok.status_code == 200
    assert Span.objects.get(pk=span.pk).status == SpanStatus.REJECTED


@pytest.mark.django_db
def test_a_login_post_without_csrf_token_is_rejected():
    factories.EditorFactory(username="ada")
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_api_write_with_a_session_but_without_csrf_token_is_rejected(editor, article):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(
        "/api/spans/",
        {"article": article.pk, "kind": "quote", "start": 0, "end": 8},
        format="json",
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Span.objects.exists()


# --- login lockout (django-axes) -----------------------------------------------------------


@pytest.fixture
def few_attempts(settings):
    settings.NEWSDESK_LOGIN_FAILURES_PER_USER = settings.AXES_FAILURE_LIMIT = 3
    settings.NEWSDESK_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.NEWSDESK_LOGIN_LOCKOUT_SECONDS = 600


def login(client, username, password, **kwargs):
    return client.post(reverse("login"), {"username": username, "password": password}, **kwargs)


def token(username, password, **kwargs):
    return APIClient(**kwargs).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_too_many_failed_logins_lock_the_account_even_with_the_right_password(client):
    factories.EditorFactory(username="ada")
    for _ in range(2):
        assert login(client, "ada", "wrong").status_code == 200  # the form again, with an error
    assert login(client, "ada", "wrong").status_code == 429  # the third failure locks

    response = login(client, "ada", PASSWORD)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "600"
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Still the strict policy: the lockout page is an ordinary page.
    assert csp(response)["script-src"] == "'self'"


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_below_the_limit_a_login_succeeds_and_clears_the_count(client):
    factories.EditorFactory(username="ada")
    for _ in range(2):
        login(client, "ada", "wrong")

    assert login(client, "ada", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        login(client, "ada", "wrong")
    assert login(client, "ada", PASSWORD).status_code == 302  # the count had started over


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_below_the_limit_a_token_request_succeeds_and_clears_the_count(client):
    factories.EditorFactory(username="ada")
    assert [token("ada", "wrong").status_code for _ in range(2)] == [400, 400]

    assert "token" in token("ada", PASSWORD).json()
    # The count started over: two more failures do not lock, on the API or the login form.
    assert [token("ada", "wrong").status_code for _ in range(2)] == [400, 400]
    assert token("ada", PASSWORD).status_code == 200
    login(client, "ada", "wrong")
    login(client, "ada", "wrong")
    assert login(client, "ada", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_a_token_clears_the_username_count_but_not_the_address_count():
    factories.EditorFactory(username="mallory")
    for number in range(4):
        token(f"guess{number}", "wrong")
    assert token("mallory", PASSWORD).status_code == 200

    assert token("guess5", "wrong").status_code == 429


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_the_lock_covers_the_admin_login_and_the_api_token_endpoint(client):
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(3):
        login(client, "root", "wrong")

    admin = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    api = token("root", PASSWORD)

    assert admin.status_code == 429
    assert "Too many failed sign-ins" in admin.content.decode()
    assert "_auth_user_id" not in client.session
    assert api.status_code == 429
    assert api.headers["Retry-After"] == "600"
    assert "Too many failed sign-ins" in api.json()["detail"]
    assert "token" not in api.json()


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_failed_token_requests_lock_the_login_form_too(client):
    factories.EditorFactory(username="ada")
    answers = [token("ada", "wrong").status_code for _ in range(3)]

    assert answers == [400, 400, 429]  # a wrong password is a 400; the third one locks
    assert login(client, "ada", PASSWORD).status_code == 429
    assert token("ada", PASSWORD).status_code == 429


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_guessing_many_usernames_from_one_address_locks_the_address(client):
    factories.EditorFactory(username="ada")
    for number in range(4):
        assert login(client, f"guess{number}", "wrong").status_code == 200
    assert login(client, "guess4", "wrong").status_code == 429  # the address's 5th failure

    assert login(client, "ada", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert login(other, "ada", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_signing_in_clears_the_username_count_but_not_the_address_count(client):
    # An attacker who owns an account cannot wipe the count of the address they guess from.
    factories.EditorFactory(username="mallory")
    for number in range(4):
        login(client, f"guess{number}", "wrong")
    assert login(client, "mallory", PASSWORD).status_code == 302
    client.logout()

    assert login(client, "guess5", "wrong").status_code == 429


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_without_proxies_a_rotating_forwarded_for_dodges_neither_lockout_nor_throttle(
    client, settings
):
    assert settings.NUM_PROXIES == 0  # the default: clients connect directly
    factories.EditorFactory(username="ada")
    for number in range(4):
        forged = {"x-forwarded-for": f"198.51.100.{number}"}
        login(client, f"guess{number}", "wrong", headers=forged)
    assert (
        login(client, "guess4", "wrong", headers={"x-forwarded-for": "192.0.2.1"}).status_code
        == 429
    )

    # DRF's throttle on the token endpoint (20/min per address) counts REMOTE_ADDR too: the
    # 21st request is refused before the view, whatever each one claimed. (The first 20 get
    # the address's lockout from above; only DRF's refusal says "throttled".)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}  # reloads DRF's settings
    details = [
        token(f"user{n}", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").json()["detail"]
        for n in range(21)
    ]
    assert not any("throttled" in detail for detail in details[:20])
    assert "throttled" in details[20]


@pytest.mark.django_db
@pytest.mark.usefixtures("few_attempts")
def test_behind_a_proxy_a_forged_forwarded_for_does_not_dodge_the_address_lock(client, settings):
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    factories.EditorFactory(username="ada")
    for number in range(5):
        # The client sends its own X-Forwarded-For; the proxy appends the real address.
        forged = f"198.51.100.{number}, 192.0.2.7"
        login(client, f"guess{number}", "wrong", headers={"x-forwarded-for": forged})

    blocked = login(client, "ada", PASSWORD, headers={"x-forwarded-for": "192.0.2.7"})
    elsewhere = login(client, "ada", PASSWORD, headers={"x-forwarded-for": "192.0.2.8"})

    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


# --- request size limits -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversized_request_is_refused_before_it_is_read(admin_client, settings):
    settings.NEWSDESK_MAX_REQUEST_BYTES = 1024 * 1024

    response = admin_client.post(
        "/api/spans/",
        data=b"x",
        content_type="application/json",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.django_db
def test_too_many_files_in_one_upload_are_refused(admin_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [SimpleUploadedFile(f"a{n}.txt", b"Title\n\nBody\n") for n in range(4)]

    response = admin_client.post(reverse("admin:articles_article_import"), {"files": files})

    assert response.status_code == 400
    assert not Article.objects.exists()
