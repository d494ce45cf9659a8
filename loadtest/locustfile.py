"""A newsroom's mix against a running newsdesk: mostly reads, some span writes.

Environment: LOADTEST_TOKEN (an editor's API token), LOADTEST_USERNAME / LOADTEST_PASSWORD
(the same editor, for the htmx workspace page, which uses a session). `make loadtest` sets
them up (loadtest/run.py); to aim at another server:

    locust -f loadtest/locustfile.py --headless -u 20 -r 10 -t 30s --host http://127.0.0.1:8765
"""

import os
import random
import re

from locust import FastHttpUser, constant, task

TOKEN = os.environ.get("LOADTEST_TOKEN", "")
USERNAME = os.environ.get("LOADTEST_USERNAME", "loadtest")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "")
WORD = re.compile(r"\w{4,}")


class Editor(FastHttpUser):
    # Closed loop with no think time by default: 20 clients measure what the server can
    # serve, not how long simulated people pause (LOADTEST_WAIT adds a pause, in seconds).
    # FastHttpUser: the load generator shares the machine's 2 cores, so its own cost matters.
    wait_time = constant(float(os.environ.get("LOADTEST_WAIT", "0")))

    def on_start(self):
        self.api = {"Authorization": f"Token {TOKEN}", "Accept": "application/json"}
        articles = self.client.get("/api/articles/?page_size=50", headers=self.api).json()
        self.articles = [a["id"] for a in articles["results"]]
        entities = self.client.get("/api/entities/?page_size=50", headers=self.api).json()
        self.entities = [e["id"] for e in entities["results"]]
        self.bodies = {
            pk: self.client.get(
                f"/api/articles/{pk}/", headers=self.api, name="/api/articles/[id]/"
            )
            .json()
            .get("body", "")
            for pk in self.articles[:5]
        }
        self._log_in()

    def _log_in(self):
        # The workspace is an htmx page behind a session: sign in through the form.
        self.client.get("/accounts/login/", name="/accounts/login/")
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        self.client.post(
            "/accounts/login/",
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/",
        )

    @task(3)
    def article_list(self):
        self.client.get("/api/articles/", headers=self.api)

    @task(3)
    def spans_of_an_article(self):
        pk = random.choice(self.articles)
        self.client.get(f"/api/spans/?article={pk}", headers=self.api, name="/api/spans/?article=")

    @task(2)
    def quotes_of_an_entity(self):
        if self.entities:
            pk = random.choice(self.entities)
            self.client.get(
                f"/api/entities/{pk}/quotes/", headers=self.api, name="/api/entities/[id]/quotes/"
            )

    @task(2)
    def false_claims(self):
        self.client.get(
            "/api/claims/?verdict=false", headers=self.api, name="/api/claims/?verdict="
        )

    @task(2)
    def workspace(self):
        pk = random.choice(self.articles)
        self.client.get(f"/articles/{pk}/", name="/articles/[id]/ (workspace)")

    @task(1)
    def mark_a_quote(self):
        """A new quote over a random word (or the existing one: the API returns the twin)."""
        pk = random.choice(list(self.bodies))
        words = list(WORD.finditer(self.bodies[pk]))
        if not words:
            return
        word = random.choice(words)
        with self.client.post(
            "/api/spans/",
            json={"article": pk, "kind": "quote", "start": word.start(), "end": word.end()},
            headers=self.api,
            name="/api/spans/ (POST)",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 201):
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
