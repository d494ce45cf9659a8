"""The login lockout holds across processes: gunicorn with two workers, as in production.

The hand-written lockout this replaced counted in each worker's own memory: under five
workers, 40 wrong passwords got 4 lockout answers and the right password then got in 7 times
out of 10. django-axes counts in the database, which every worker shares.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests import factories

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
LIMIT = 4  # NEWSDESK_LOGIN_FAILURES_PER_USER for this server

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(tmp_path: Path, env: dict) -> str:
    """PostgreSQL: the test database itself (this test commits its rows). SQLite: the test
    database lives in this process's memory, so a scratch file, migrated, with the user."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        factories.EditorFactory(username="ada")
        auth = urllib.parse.quote(settings["USER"] or "")
        if settings.get("PASSWORD"):
            auth += ":" + urllib.parse.quote(settings["PASSWORD"])
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        return f"postgres://{auth}@{host}/{settings['NAME']}"
    url = f"sqlite:///{tmp_path / 'lockout.sqlite3'}"
    manage = [sys.executable, "manage.py"]
    run = {"cwd": ROOT, "env": {**env, "DATABASE_URL": url}, "check": True, "timeout": 120}
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], **run)
    subprocess.run([*manage, "createcachetable"], **run)
    create = "from tests.factories import EditorFactory; EditorFactory(username='ada')"
    subprocess.run([*manage, "shell", "--no-imports", "-c", create], **run)
    return url


class Browser:
    """One client with a cookie jar: the CSRF cookie and token from the login page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect(),
        )
        page = self.opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def login(self, password: str) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(
            {"username": "ada", "password": password, "csrfmiddlewaretoken": self.csrf}
        ).encode()
        request = urllib.request.Request(
            f"{self.base}/accounts/login/", data=body, headers={"Referer": self.base + "/"}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a successful sign-in's 302 is the answer itself


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer on {base} within {timeout}s")


def test_wrong_passwords_spread_over_two_workers_lock_the_account(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DEBUG": "false",  # production settings: the database cache, cached templates
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "false",
        "NEWSDESK_LOGIN_FAILURES_PER_USER": str(LIMIT),
        "CONN_MAX_AGE": "0",
    }
    env["DATABASE_URL"] = database_url(tmp_path, env)
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            # Which worker (process id) answered each request.
            "--access-logformat",
            '%(p)s %(s)s "%(r)s"',
        ],
        cwd=ROOT,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": str(access_log),
            "GUNICORN_ERROR_LOG": str(tmp_path / "error.log"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, server)
        browsers = [Browser(base), Browser(base)]
        answers: list[int] = []

        def attempt(browser, barrier):
            barrier.wait()
            answers.append(browser.login("wrong")[0])

        # Wrong passwords two at a time: each takes a password hash (a few hundred ms), so
        # while one worker hashes, the other worker takes the second request.
        for _ in range(LIMIT // 2):
            barrier = threading.Barrier(2)
            pair = [threading.Thread(target=attempt, args=(b, barrier)) for b in browsers]
            for thread in pair:
                thread.start()
            for thread in pair:
                thread.join(timeout=60)

        status, body, headers = browsers[0].login(PASSWORD)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    log = access_log.read_text().splitlines()
    wrong = [line.split()[0] for line in log if '"POST /accounts/login/' in line][:LIMIT]
    assert len(set(wrong)) == 2, log  # both workers answered wrong passwords
    # The form again (with its error) below the limit; the failure that reaches it is
    # answered with the lockout (both of the last pair may be, when they finish together).
    assert answers[:2] == [200, 200]
    assert 429 in answers[2:]
    assert set(answers) <= {200, 429}
    assert status == 429  # the right password, after the limit: refused
    assert headers["Retry-After"] == "900"
    assert "Too many failed sign-ins" in body
