"""The cache is shared by every process: Redis with REDIS_URL, else (DEBUG off) a database
table; per-process memory only with DEBUG on. Rendered fragments (content-addressed) go to
Redis when there is one, else to each process's memory."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def cache_backend(**env) -> str:
    script = (
        "from django.core.cache import caches; "
        "print(*(type(caches[a]).__name__ for a in ('default', 'template_fragments')))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "k" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        pytest.param({"REDIS_URL": REDIS_URL}, "RedisCache RedisCache", id="redis"),
        # Fragments are keyed by a digest of their content: per process is correct.
        pytest.param({"DEBUG": "false"}, "DatabaseCache LocMemCache", id="production-database"),
        pytest.param({"DEBUG": "true"}, "LocMemCache LocMemCache", id="debug-memory"),
    ],
)
def test_the_environment_picks_the_cache(env, backend):
    assert cache_backend(**env) == backend


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def test_two_processes_share_the_redis_cache():
    if not redis_reachable():
        message = f"no Redis at {REDIS_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    key, value = f"test-{uuid.uuid4().hex}", uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env |= {"SECRET_KEY": "k" * 50, "REDIS_URL": REDIS_URL, "DEBUG": "true"}

    def run(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    run(f"from django.core.cache import cache; cache.set({key!r}, {value!r}, 60)")
    read = run(
        f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})"
    )
    assert read == value
