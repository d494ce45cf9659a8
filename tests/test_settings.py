"""Settings come from the environment; production refuses to start with a weak key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_check(**env) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(None, id="missing"),
        pytest.param("short", id="short"),
        pytest.param("django-insecure-" + "x" * 40, id="insecure-default"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    env = {"DEBUG": "false"} | ({"SECRET_KEY": key} if key else {})
    result = run_check(**env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = run_check(DEBUG="false", SECRET_KEY="k" * 50, ALLOWED_HOSTS="news.example")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(None, "sqlite3 " + str(ROOT / "newsdesk.sqlite3"), id="default-sqlite"),
        pytest.param(
            "postgres://ed@db.internal:5433/news", "postgresql db.internal 5433 news", id="postgres"
        ),
    ],
)
def test_database_url_selects_the_database(url, expected):
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'].rsplit('.', 1)[1], *[d[k] for k in ('HOST', 'PORT') if d.get(k)], d['NAME'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if url:
        env["DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**env, "SECRET_KEY": "k" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr
