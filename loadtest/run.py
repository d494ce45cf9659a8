"""`make loadtest`: a bounded load test on loopback, with its figures printed at the end.

1. a scratch database — PostgreSQL (database newsdesk_loadtest on the server DATABASE_URL
   names) when DATABASE_URL points at PostgreSQL, else an SQLite file — migrated, seeded;
2. an editor with a password and an API token, an entity with its mentions tagged;
3. gunicorn (gunicorn.conf.py, production settings over plain HTTP) on 127.0.0.1:8765 with
   one worker per core;
4. locust, headless: LOADTEST_USERS users (20), spawned LOADTEST_RATE a second (10), for
   LOADTEST_TIME (30s); then gunicorn stops, the scratch database goes, and requests/s, p95 and
   the error count are printed. Exit status 1 when any request failed.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "loadtest"
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("LOADTEST_PORT", "8765"))
HOST = f"http://127.0.0.1:{PORT}"
SCRATCH_PG = "newsdesk_loadtest"

PREPARE = """
import json, secrets
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from annotations import services
from articles.models import Article
password = secrets.token_urlsafe(16)
user = get_user_model().objects.create_user(username="loadtest", password=password)
user.groups.add(Group.objects.get(name="editors"))
token = Token.objects.create(user=user).key
blinken = services.entity_create(
    name="Antony Blinken", kind="PERSON", aliases=["Anthony Blinken", "Blinken"], user=user
)
for article in Article.objects.all():
    services.mentions_tag_all(article=article, entity=blinken, user=user)
print(json.dumps({"token": token, "password": password}))
"""


def scratch_database() -> tuple[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        # CREATE/DROP DATABASE from the server's maintenance database.
        maintenance = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH_PG} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {SCRATCH_PG}")

        def drop():
            with psycopg.connect(maintenance, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH_PG} WITH (FORCE)")

        return urlunsplit(parts._replace(path="/" + SCRATCH_PG)), drop
    path = OUT / "loadtest.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", lambda: None


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    database_url, drop = scratch_database()
    # One worker per core: on loopback the app is CPU-bound and shares the cores with
    # PostgreSQL and locust; more workers only add switching (2 cores: 5 workers 214 req/s,
    # 3 → 245, 2 → 255). LOADTEST_WORKERS overrides.
    workers = int(os.environ.get("LOADTEST_WORKERS") or os.cpu_count() or 1)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no HTTPS redirect, cookies not Secure-only.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "true",  # as in production: hashed names after collectstatic
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": str(OUT / "access.log"),
        "GUNICORN_ERROR_LOG": str(OUT / "gunicorn.log"),
    }
    manage = [str(BIN / "python"), "manage.py"]
    try:
        print(f"database: {database_url}", flush=True)
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        # The shared cache (DEBUG off, no REDIS_URL): a table every worker reads.
        subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [*manage, "import_articles", "seeds/"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        prepared = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", PREPARE],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        secrets_ = json.loads(prepared.stdout.strip().splitlines()[-1])
        env |= {
            "LOADTEST_TOKEN": secrets_["token"],
            "LOADTEST_USERNAME": "loadtest",
            "LOADTEST_PASSWORD": secrets_["password"],
        }
        return run_load(env, workers)
    finally:
        drop()


def port_is_free() -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) != 0


def run_load(env: dict, workers: int) -> int:
    if not port_is_free():
        raise SystemExit(f"127.0.0.1:{PORT} is taken by another server; set LOADTEST_PORT.")
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env
    )
    try:
        wait_until_up()
        users = os.environ.get("LOADTEST_USERS", "20")
        rate = os.environ.get("LOADTEST_RATE", "10")
        duration = os.environ.get("LOADTEST_TIME", "30s")
        print(f"gunicorn: {workers} workers on {HOST}; locust: {users} users for {duration}")
        with open(OUT / "locust.log", "w") as log:
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    "loadtest/locustfile.py",
                    "--headless",
                    "-u",
                    users,
                    "-r",
                    rate,
                    "-t",
                    duration,
                    "--host",
                    HOST,
                    "--csv",
                    str(OUT / "locust"),
                    "--exit-code-on-error",
                    "0",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
    return summarise(OUT / "locust_stats.csv", OUT / "locust_failures.csv")


def wait_until_up(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{HOST}/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on {HOST} within {timeout}s")


def summarise(stats_path: Path, failures_path: Path) -> int:
    with open(stats_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(
        f"\n{'endpoint':<44} {'requests':>9} {'fails':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}"
    )
    for row in rows:
        label = f"{row['Type']} {row['Name']}".strip() if row["Type"] else row["Name"]
        print(
            f"{label[:44]:<44} {row['Request Count']:>9} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):>8.1f} {row['50%']:>7} {row['95%']:>7}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    print(
        f"\nTOTAL: {float(total['Requests/s']):.1f} requests/s, p95 {total['95%']} ms, "
        f"{errors} errors of {total['Request Count']} requests"
    )
    if errors and failures_path.exists():
        print(failures_path.read_text())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
