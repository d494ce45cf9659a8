"""Time requests through the whole Django stack, count their SQL, and time that SQL raw.

A request goes through ``django.test.Client``: URL routing, every middleware, authentication
(an API token, or a logged-in session for the HTML pages), permissions, the view, the
serializer or template, and the renderer — everything but the socket. For reads, the
statements the endpoint ran to fetch its rows are recorded (``connection.execute_wrapper``)
and run again through a plain cursor with ``fetchall()``: that is the *floor*, what the rows
cost the database and the driver alone. Authentication bookkeeping (sessions, users, tokens,
groups) is left out of the floor: it fetches no rows of the answer.
"""

from __future__ import annotations

import math
import re
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Statements whose main table is one of these fetch who is asking, not the answer.
BOOKKEEPING = re.compile(
    r'\bFROM\s+"(django_session|auth_user|auth_group|auth_user_groups|auth_permission'
    r'|authtoken_token)"',
    re.IGNORECASE,
)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linearly interpolated between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Stats:
    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Stats:
        ms = [s * 1000 for s in seconds]
        return cls(
            round(percentile(ms, 50), 3),
            round(percentile(ms, 95), 3),
            round(percentile(ms, 99), 3),
            round(statistics.fmean(ms), 3) if ms else math.nan,
        )


@dataclass
class Request:
    method: str  # "GET" or "POST"
    path: str
    data: dict | None = None
    json: bool = False  # POST the data as JSON (the API) or as a form (htmx)
    headers: dict = field(default_factory=dict)


@dataclass
class Case:
    key: str  # the JSON key
    label: str  # the table's row name
    requests: Callable[[int], Request]  # request number -> request (rotates targets)
    read: bool = True
    paged: bool = False  # a list: count queries at ?page_size=10 and 100
    target_ms: float = 15.0  # p95 (issue 13: every API read ≤ 15 ms)
    max_ratio: float | None = None  # endpoint p95 ÷ floor p95 (reads), when it is a target
    expect: tuple[int, ...] = (200,)
    # No target: what the stack itself costs (middleware, routing, DRF, token check), the
    # part of every endpoint's time no query or serializer can remove.
    baseline: bool = False


@dataclass
class Result:
    key: str
    label: str
    path: str
    status: int | None = None
    error: str = ""
    requests: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None
    # CPU time of this process per request (median): the app's own work, unaffected by other
    # processes competing for the cores, and without the database server's share.
    cpu_p50_ms: float | None = None
    queries_page_10: int | None = None
    queries_page_100: int | None = None
    floor_p50_ms: float | None = None
    floor_p95_ms: float | None = None
    ratio_p95: float | None = None  # endpoint p95 ÷ floor p95
    target_p95_ms: float = 30.0
    meets_target: bool | None = None
    baseline: bool = False


TIME_BUDGET_S = 30.0
MIN_REQUESTS = 10


class Runner:
    def __init__(self, client: Client, requests: int, warmup: int = 5):
        self.client = client
        self.n = requests
        self.warmup = warmup

    def send(self, request: Request):
        # secure: as behind the TLS proxy of a deployment (SECURE_SSL_REDIRECT would answer 301).
        if request.method == "GET":
            return self.client.get(request.path, headers=request.headers, secure=True)
        if request.json:
            return self.client.post(
                request.path,
                request.data,
                content_type="application/json",
                headers=request.headers,
                secure=True,
            )
        return self.client.post(request.path, request.data, headers=request.headers, secure=True)

    def run(self, case: Case) -> Result:
        first = case.requests(0)
        result = Result(
            case.key, case.label, first.path, target_p95_ms=case.target_ms, baseline=case.baseline
        )
        response = self.send(first)
        result.status = response.status_code
        if response.status_code not in case.expect:
            result.error = _short(response)
            return result
        for i in range(1, self.warmup):
            self.send(case.requests(i))
        seconds, cpu = [], []
        for i in range(self.n):
            # A row far over its target (whole-archive statistics at seconds a request) stops
            # after TIME_BUDGET_S with at least MIN_REQUESTS: the table shows how many it made.
            if i >= MIN_REQUESTS and sum(seconds) > TIME_BUDGET_S:
                break
            request = case.requests(self.warmup + i)
            began, began_cpu = time.perf_counter(), time.process_time()
            response = self.send(request)
            seconds.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            if response.status_code not in case.expect:
                result.status, result.error = response.status_code, _short(response)
                return result
        stats = Stats.of(seconds)
        result.requests = len(seconds)
        result.p50_ms, result.p95_ms, result.p99_ms, result.mean_ms = (
            stats.p50,
            stats.p95,
            stats.p99,
            stats.mean,
        )
        result.cpu_p50_ms = round(percentile(cpu, 50) * 1000, 3)
        result.meets_target = None if case.baseline else stats.p95 <= case.target_ms
        if case.paged:
            result.queries_page_10 = self.count(_with_page_size(first, 10))
            result.queries_page_100 = self.count(_with_page_size(first, 100))
        else:
            result.queries_page_10 = result.queries_page_100 = self.count(
                case.requests(self.warmup + self.n)
            )
        if case.read:
            floor = self.floor(case)
            result.floor_p50_ms, result.floor_p95_ms = floor.p50, floor.p95
            if floor.p95 > 0:
                result.ratio_p95 = round(stats.p95 / floor.p95, 2)
            if case.max_ratio is not None:
                result.meets_target = result.meets_target and (
                    result.ratio_p95 is not None and result.ratio_p95 <= case.max_ratio
                )
        return result

    def count(self, request: Request) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.send(request)
        return sum(1 for q in queries.captured_queries if not _transaction(q["sql"]))

    def statements(self, request: Request) -> list[tuple[str, tuple]]:
        """The SQL (and parameters) a request runs to fetch its rows."""
        recorded: list[tuple[str, tuple]] = []

        def record(execute, sql, params, many, context):
            if not many and not BOOKKEEPING.search(sql) and sql.lstrip()[:6].upper() == "SELECT":
                recorded.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            self.send(request)
        return recorded

    def floor(self, case: Case) -> Stats:
        # The statements of each distinct request, captured once, then re-run raw n times.
        plans: dict[str, list[tuple[str, tuple]]] = {}
        order = []
        for i in range(self.n):
            request = case.requests(self.warmup + i)
            if request.path not in plans:
                plans[request.path] = self.statements(request)
            order.append(request.path)
        seconds = []
        with connection.cursor() as cursor:
            for path in order:
                began = time.perf_counter()
                for sql, params in plans[path]:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                seconds.append(time.perf_counter() - began)
        return Stats.of(seconds)


def _transaction(sql: str) -> bool:
    return bool(re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", sql, re.IGNORECASE))


def _with_page_size(request: Request, size: int) -> Request:
    joiner = "&" if "?" in request.path else "?"
    return Request(
        request.method, f"{request.path}{joiner}page_size={size}", headers=request.headers
    )


def _short(response) -> str:
    body = response.content[:300].decode("utf-8", "replace")
    return " ".join(body.split())


def rss_mb() -> float:
    """This process's peak resident memory so far (MB); Linux reports kilobytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
