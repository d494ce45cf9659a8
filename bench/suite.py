"""What ``manage.py bench`` measures, in order, and the targets it checks.

1. import throughput through ``articles.services.articles_import`` on a folder of generated
   files (first, so the process's peak memory is still Django's own);
2. suggester throughput (``annotations.suggesters.throughput``) when the suggesters offer it;
3. the archive: built (or reused) by ``archive.archive_build``; with ``growth``, the reads are
   measured at a tenth of the articles first, then at the full size;
4. the endpoints: reads, span creation (API and htmx), the workspace, the W3C export.
"""

from __future__ import annotations

import math
import os
import platform
import random
import re
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotations import models as annotation_models
from annotations.models import Entity, Span, SpanStatus
from articles import sources
from articles.models import Article
from articles.services import articles_import, import_limits
from bench import archive, synth
from bench.measure import Case, Request, Result, Runner, rss_mb

IMPORT_PREFIX = "bench-import-"


@dataclass(frozen=True)
class Options:
    articles: int = 10_000
    spans_per_article: int = 50
    entities: int = 3000
    workspace_spans: int = 1000
    seed: int = 1
    requests: int = 200
    import_files: int = 10_000
    suggester_mb: float = 2.0
    loader: str = "auto"
    reuse: bool = False
    growth: bool = False
    only: tuple[str, ...] = ()  # measure only these: endpoint keys, "import", "suggesters"

    def wants(self, part: str) -> bool:
        return not self.only or part in self.only


def run(options: Options, say: Callable[[str], None] = print) -> dict:
    out: dict = {"machine": machine(), "options": asdict(options)}
    user = archive.bench_user()
    cast = synth.entities_build(options.seed, options.entities)

    out["import"] = out["suggesters"] = None
    if options.wants("import"):
        say(f"import: {options.import_files:,} generated files through articles_import …")
        out["import"] = import_measure(options, cast, user)
    if options.wants("suggesters"):
        say("suggesters …")
        out["suggesters"] = suggesters_measure(options, cast)

    params = archive.Params(
        seed=options.seed,
        spans_per_article=options.spans_per_article,
        entities=options.entities,
        workspace_spans=options.workspace_spans,
    )
    growth_small = None
    if options.growth:
        small = max(1, options.articles // 10)
        say(f"archive: {small:,} articles (growth baseline) …")
        out["archive_small"] = archive_describe(
            archive.archive_build(
                params=params, articles=small, loader=options.loader, progress=say
            )
        )
        growth_small = {r.key: r for r in endpoints_measure(options, cast, user, say, reads=True)}

    say(f"archive: {options.articles:,} articles × {options.spans_per_article} spans …")
    load = archive.archive_build(
        params=params, articles=options.articles, loader=options.loader, progress=say
    )
    out["archive"] = archive_describe(load)
    results = endpoints_measure(options, cast, user, say, reads=False)
    out["endpoints"] = {r.key: asdict(r) for r in results}
    out["growth"] = growth_describe(growth_small, results)
    if not options.reuse:
        say("removing the bench archive …")
        archive.archive_delete()
    out["targets"] = targets(out)
    out["machine"]["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    return out


# --- who is quoted: article filters by content and the statistics ----------------------------

STATS_TARGET_MS = 200.0  # uncached: every request counts again
ARTICLE_FILTER_TARGET_MS = 15.0


def stats_cases(get, rotate, people: list[int], named: list[int], verdicts: list[str]) -> list:
    """Rows for /api/articles/ filtered by what articles contain, and for /api/stats/."""
    outlets = [o.replace(" ", "+") for o in synth.OUTLETS]
    month = synth.EPOCH.strftime("%Y-%m")
    after = f"published_after={month}-01&published_before={synth.EPOCH.year + 1}-01-01"
    statuses = ["suggested", "orphaned"]
    return [
        Case(
            "articles_by_speaker",
            "articles quoting a person",
            rotate(people, lambda e: get(f"/api/articles/?speaker={e}")),
            paged=True,
            target_ms=ARTICLE_FILTER_TARGET_MS,
        ),
        Case(
            "articles_by_entity",
            "articles mentioning an entity",
            rotate(named, lambda e: get(f"/api/articles/?entity={e}")),
            paged=True,
            target_ms=ARTICLE_FILTER_TARGET_MS,
        ),
        Case(
            "articles_by_verdict",
            "articles with a claim of a verdict",
            rotate(verdicts, lambda v: get(f"/api/articles/?has=quote&verdict={v}")),
            paged=True,
            target_ms=ARTICLE_FILTER_TARGET_MS,
        ),
        Case(
            "articles_by_status",
            "articles with suggested / orphaned spans",
            rotate(statuses, lambda s: get(f"/api/articles/?status={s}")),
            paged=True,
            target_ms=ARTICLE_FILTER_TARGET_MS,
        ),
        Case(
            "articles_by_outlet_dates",
            "articles of an outlet, published in a range, quoting a person",
            rotate(
                list(zip(outlets, people, strict=False)),
                lambda o: get(f"/api/articles/?source={o[0]}&{after}&speaker={o[1]}"),
            ),
            paged=True,
            target_ms=ARTICLE_FILTER_TARGET_MS,
        ),
        Case(
            "stats_quotes_speaker",
            "stats: quotes by speaker",
            lambda i: get("/api/stats/quotes/?group_by=speaker"),
            target_ms=STATS_TARGET_MS,
        ),
        Case(
            "stats_quotes_outlet_gender",
            "stats: quotes by outlet × gender",
            lambda i: get("/api/stats/quotes/?group_by=source&split_by=gender"),
            target_ms=STATS_TARGET_MS,
        ),
        Case(
            "stats_quotes_month_role",
            "stats: an outlet's quotes by month × role",
            rotate(
                outlets,
                lambda o: get(f"/api/stats/quotes/?group_by=month&split_by=role&source={o}"),
            ),
            target_ms=STATS_TARGET_MS,
        ),
        Case(
            "stats_claims_month_verdict",
            "stats: claims by month × verdict",
            lambda i: get("/api/stats/claims/?group_by=month&split_by=verdict"),
            target_ms=STATS_TARGET_MS,
        ),
        Case(
            "stats_reuse_outlet",
            "stats: reused quotes of an outlet",
            rotate(outlets, lambda o: get(f"/api/stats/reuse/?source={o}")),
            target_ms=STATS_TARGET_MS,
        ),
        Case(
            "stats_reuse",
            "stats: reused quotes, whole archive",
            lambda i: get("/api/stats/reuse/"),
            target_ms=STATS_TARGET_MS,
        ),
    ]


# --- machine and archive ----------------------------------------------------------------------


def machine() -> dict:
    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        database = f"{connection.vendor} {sqlite3.sqlite_version}"
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "debug": settings.DEBUG,
        # Other work on the machine inflates every wall-clock figure: say how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_reference_ms": cpu_reference_ms(),
    }


def cpu_reference_ms() -> float:
    """How fast this machine runs plain Python: the best of 5 runs of a fixed loop (7–10 ms on
    the project's shared 2-core machine on 2026-11-22). Shared cloud cores differ from day to
    day; compare runs from different days with this figure beside them."""
    best = math.inf
    for _ in range(5):
        began = time.perf_counter()
        sum(i * i for i in range(100_000))
        best = min(best, time.perf_counter() - began)
    return round(best * 1000, 2)


def archive_describe(load: archive.LoadReport) -> dict:
    articles = archive.archive_articles()
    return {
        "articles": articles.count(),
        "spans": Span.objects.filter(article__source_file__startswith="bench-").count(),
        "claims": annotation_models.Claim.objects.filter(
            created_by__username=archive.BENCH_USER
        ).count(),
        "entities": Entity.objects.filter(created_by__username=archive.BENCH_USER).count(),
        "load": {
            "loader": load.loader,
            "articles_added": load.articles,
            "spans_added": load.spans,
            "seconds": round(load.seconds, 2),
            "spans_per_second": round(load.spans_per_second),
        },
    }


# --- import and suggesters --------------------------------------------------------------------


def import_measure(options: Options, cast: synth.Cast, user) -> dict:
    imported = Article.objects.filter(source_file__startswith=IMPORT_PREFIX)
    archive.articles_delete(imported)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as folder:
        size = 0
        for i in range(options.import_files):
            name, data = synth.import_file(options.seed, i, cast)
            (Path(folder) / name).write_bytes(data)
            size += len(data)
        rss_before = rss_mb()
        began = time.perf_counter()
        reports = articles_import(
            files=sources.from_paths([folder], import_limits()), imported_by=user
        )
        seconds = time.perf_counter() - began
        rss_after = rss_mb()
    outcomes = Counter(str(report.outcome) for report in reports)
    archive.articles_delete(imported)
    return {
        "files": options.import_files,
        "megabytes": round(size / 1e6, 2),
        "outcomes": dict(outcomes),
        "seconds": round(seconds, 3),
        "articles_per_second": round(len(reports) / seconds, 1) if seconds else None,
        "peak_rss_growth_mb": round(rss_after - rss_before, 1),
    }


def suggesters_measure(options: Options, cast: synth.Cast) -> dict:
    try:
        from annotations.suggesters import throughput
    except ImportError as error:
        return {"mb_per_second": "n/a", "reason": str(error)}
    bodies, size, i = [], 0, 0
    while size < options.suggester_mb * 1e6:
        body = synth.article_build(options.seed, i, cast, 0, stream="suggest").body
        bodies.append(body)
        size += len(body.encode("utf-8"))
        i += 1
    try:
        rate = throughput("\n\n".join(bodies))
    except Exception as error:  # noqa: BLE001 — a suggester still being written: report, go on
        return {"mb_per_second": "n/a", "reason": f"{type(error).__name__}: {error}"}
    return {"mb_per_second": round(rate, 3), "megabytes": round(size / 1e6, 2)}


# --- endpoints --------------------------------------------------------------------------------


def endpoints_measure(
    options: Options, cast: synth.Cast, user, say: Callable[[str], None], *, reads: bool
) -> list[Result]:
    token, _ = Token.objects.get_or_create(user=user)
    api = Client()
    auth = {"Authorization": f"Token {token.key}"}
    html = Client()
    html.force_login(user)
    runner = Runner(api, options.requests)
    html_runner = Runner(html, options.requests)

    ids = list(archive.archive_articles().order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // 50)
    articles = ids[::step][:50]
    workspace = Article.objects.get(source_file=archive.WORKSPACE_NAME).id
    by_name = dict(
        Entity.objects.filter(created_by=user).values_list("name", "id")
    )  # a few thousand rows
    people = [by_name[e.name] for e in cast.by_kind["PERSON"][:20] if e.name in by_name]
    named = [
        by_name[e.name]
        for kind in ("PERSON", "ORG", "GPE")
        for e in cast.by_kind.get(kind, [])[:7]
        if e.name in by_name
    ]
    surnames = [e.aliases[0] for e in cast.by_kind["PERSON"][:5] if e.aliases]
    terms = [*surnames, "reservoir", "nurses recruited", "fishing quota", "wind farms", "budget"]
    verdicts = ["false", "misleading", "true", "mostly_false"]

    def get(path: str) -> Request:
        return Request("GET", path, headers=auth)

    def rotate(values: list, make: Callable[[object], Request]) -> Callable[[int], Request]:
        return lambda i: make(values[i % len(values)])

    cases = [
        # The API root runs no list query, only the token and role checks: the stack's own
        # cost, beside which the reads' floors are measured (README, Performance).
        Case(
            "api_root", "stack alone: API root", lambda i: get("/api/"), read=False, baseline=True
        ),
        Case("article_list", "article list", lambda i: get("/api/articles/"), paged=True),
        Case(
            "article_search",
            "article full-text search",
            rotate(terms, lambda t: get(f"/api/articles/?q={t.replace(' ', '+')}")),
            paged=True,
        ),
        Case(
            "article_spans",
            "one article's spans",
            rotate(articles, lambda a: get(f"/api/articles/{a}/spans/")),
            paged=True,
        ),
        Case(
            "spans_by_article",
            "spans ?article=",
            rotate(articles, lambda a: get(f"/api/spans/?article={a}")),
            paged=True,
        ),
        Case(
            "entity_mentions",
            "spans of an entity (archive)",
            rotate(named, lambda e: get(f"/api/entities/{e}/mentions/")),
            paged=True,
        ),
        Case(
            "speaker_quotes",
            "quotes by a speaker",
            rotate(people, lambda e: get(f"/api/spans/?kind=quote&speaker={e}")),
            paged=True,
        ),
        Case(
            "claims_by_verdict",
            "claims by verdict",
            rotate(verdicts, lambda v: get(f"/api/claims/?verdict={v}")),
            paged=True,
        ),
        Case(
            "w3c_export",
            "W3C export of one article",
            rotate(articles, lambda a: get(f"/api/articles/{a}/w3c/")),
        ),
        *stats_cases(get, rotate, people, named, verdicts),
    ]
    html_cases = [
        Case(
            "workspace",
            f"workspace, {options.workspace_spans:,} spans",
            lambda i: Request("GET", f"/articles/{workspace}/"),
            target_ms=150.0,
            max_ratio=None,
        ),
        # The same page when its cached fragments are gone (the first view after a write):
        # tokens, panel and both templates rendered. The cache is emptied before the clock starts.
        Case(
            "workspace_cold",
            f"workspace, {options.workspace_spans:,} spans, no cache",
            lambda i: (cache.clear(), Request("GET", f"/articles/{workspace}/"))[1],
            target_ms=150.0,
            max_ratio=None,
        ),
    ]
    results = []
    for case in cases:
        if options.wants(case.key):
            say(f"  {case.label} …")
            results.append(runner.run(case))
    for case in html_cases:
        if options.wants(case.key):
            say(f"  {case.label} …")
            results.append(html_runner.run(case))
    if reads:
        return results

    began = timezone.now()
    new = _NewSpans(options.seed, articles, by_name, people)
    writes = [
        (
            runner,
            Case(
                "span_create_api",
                "span create (API)",
                lambda i: Request("POST", "/api/spans/", new.api(), json=True, headers=auth),
                read=False,
                target_ms=12.0,
                expect=(201,),
            ),
        ),
        (
            html_runner,
            Case(
                "span_create_htmx",
                "span create (htmx)",
                lambda i: new.htmx(),
                read=False,
                target_ms=30.0,
                expect=(200,),
            ),
        ),
    ]
    try:
        for write_runner, case in writes:
            if options.wants(case.key):
                say(f"  {case.label} …")
                results.append(write_runner.run(case))
    finally:
        _created_delete(user, began)
    results.extend(team_measure(options, user, ids[:100], runner, html_runner, auth, say))
    return results


def team_measure(options: Options, user, article_ids: list[int], runner, html_runner, auth, say):
    """The team workflow (issue 16): the caller's queue (API and page), a review decision, and
    agreement over two blind layers of up to 100 articles. The layers copy each article's
    shared spans, the second without every third one, so the figures are not trivial. Its
    assignments (and with them the layers) are removed afterwards."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from annotations.models import Assignment

    wanted = [k for k in ("queue", "queue_page", "review", "agreement_corpus") if options.wants(k)]
    if not wanted or len(article_ids) < 2:
        return []
    other, _ = get_user_model().objects.get_or_create(username="bench-team-other")
    user.groups.add(*Group.objects.filter(name__in=["editors", "reviewers"]))
    layers = []
    for person in (user, other):
        layers.append(
            Assignment.objects.bulk_create(
                [
                    Assignment(article_id=a, assignee=person, blind=True, status="submitted")
                    for a in article_ids
                ]
            )
        )
    try:
        copies = []
        spans = Span.objects.filter(article_id__in=article_ids, layer__isnull=True).values(
            "article_id",
            "kind",
            "start",
            "end",
            "text",
            "speaker_id",
            "entity_id",
            "status",
            "match_key",
        )
        by_article = {a.article_id: (a, b) for a, b in zip(*layers, strict=True)}
        for n, row in enumerate(spans):
            first, second = by_article[row["article_id"]]
            for layer in (first, second) if n % 3 else (first,):
                copies.append(Span(**row, layer=layer, created_by=other))
        Span.objects.bulk_create(copies, batch_size=2000)
        targets_ = list(
            Span.objects.filter(layer=layers[0][0]).values_list("id", flat=True)[:50]
        ) or [0]
        ids = ",".join(str(a.pk) for group in layers for a in group)
        cases = [
            (
                runner,
                Case(
                    "queue",
                    "my assignments (?assignee=me)",
                    lambda i: Request("GET", "/api/assignments/?assignee=me", headers=auth),
                    paged=True,
                    target_ms=30.0,
                ),
            ),
            (
                html_runner,
                Case(
                    "queue_page",
                    "/queue/ page",
                    lambda i: Request("GET", "/queue/"),
                    target_ms=30.0,
                ),
            ),
            (
                runner,
                Case(
                    "review",
                    "a review decision",
                    lambda i: Request(
                        "POST",
                        f"/api/spans/{targets_[i % len(targets_)]}/review/",
                        {"decision": "approve" if i % 2 else "request_changes"},
                        json=True,
                        headers=auth,
                    ),
                    read=False,
                    target_ms=30.0,
                ),
            ),
            (
                runner,
                Case(
                    "agreement_corpus",
                    f"agreement over {len(article_ids)} articles",
                    lambda i: Request("GET", f"/api/agreement/?assignments={ids}", headers=auth),
                    target_ms=500.0,
                ),
            ),
        ]
        results = []
        for case_runner, case in cases:
            if case.key in wanted:
                say(f"  {case.label} …")
                results.append(case_runner.run(case))
        return results
    finally:
        Assignment.objects.filter(assignee__in=[user, other]).delete()


class _NewSpans:
    """Mentions over word windows no live mention covers yet: every create really creates."""

    def __init__(self, seed: int, articles: list[int], by_name: dict[str, int], people: list[int]):
        self.rng = random.Random(f"newsdesk-bench:{seed}:create")
        self.articles = articles
        self.people = people
        self.bodies = dict(Article.objects.filter(id__in=articles).values_list("id", "body"))
        self.words = {a: [m.span() for m in re.finditer(r"\w+", b)] for a, b in self.bodies.items()}
        self.taken = set(
            Span.objects.filter(
                article_id__in=articles,
                kind="mention",
                status__in=(SpanStatus.ACCEPTED, SpanStatus.SUGGESTED),
            ).values_list("article_id", "start", "end")
        )
        self.count = 0

    def next(self) -> tuple[int, int, int, str]:
        while True:
            article = self.articles[self.count % len(self.articles)]
            words = self.words[article]
            first = self.rng.randrange(len(words))
            last = min(len(words) - 1, first + self.rng.randrange(3))
            start, end = words[first][0], words[last][1]
            if (article, start, end) not in self.taken:
                self.taken.add((article, start, end))
                self.count += 1
                return article, start, end, self.bodies[article][start:end]

    def api(self) -> dict:
        article, start, end, text = self.next()
        entity = self.people[self.count % len(self.people)]
        return {
            "article": article,
            "kind": "mention",
            "start": start,
            "end": end,
            "text": text,
            "entity": entity,
        }

    def htmx(self) -> Request:
        article, start, end, text = self.next()
        entity = self.people[self.count % len(self.people)]
        data = {
            "kind": "mention",
            "start": start,
            "end": end,
            "text": text,
            "entity": entity,
            "entity_name": "",
            "entity_kind": "PERSON",
            "verdict": "unreviewed",
        }
        return Request(
            "POST", f"/articles/{article}/spans/new/", data, headers={"HX-Request": "true"}
        )


def _created_delete(user, began) -> None:
    Span.objects.filter(created_by=user, created_at__gte=began).delete()
    history = getattr(annotation_models, "HistoryEntry", None)
    if history is not None:
        history.objects.filter(user=user, created_at__gte=began).delete()


# --- growth and targets -----------------------------------------------------------------------


def growth_describe(small: dict[str, Result] | None, full: list[Result]) -> dict | None:
    if small is None:
        return None
    growth = {}
    for result in full:
        if result.baseline:
            continue
        before = small.get(result.key)
        if before is None or not before.p95_ms or result.p95_ms is None:
            continue
        growth[result.key] = {
            "p95_small_ms": before.p95_ms,
            "p95_full_ms": result.p95_ms,
            "ratio": round(result.p95_ms / before.p95_ms, 2),
        }
    return growth


def targets(out: dict) -> list[dict]:
    checks = []

    def check(what: str, target: str, value, ok: bool | None) -> None:
        checks.append({"what": what, "target": target, "value": value, "ok": ok})

    for key, r in out["endpoints"].items():
        if r["baseline"] and r["p95_ms"] is not None:
            continue  # no target
        if r["p95_ms"] is None:
            check(f"{key} p95", f"≤ {r['target_p95_ms']:g} ms", r["error"] or None, False)
            continue
        check(
            f"{key} p95",
            f"≤ {r['target_p95_ms']:g} ms",
            r["p95_ms"],
            r["p95_ms"] <= r["target_p95_ms"],
        )
        if r["queries_page_10"] is not None:
            check(
                f"{key} queries",
                "same at page size 10 and 100",
                f"{r['queries_page_10']} / {r['queries_page_100']}",
                r["queries_page_10"] == r["queries_page_100"],
            )
    for key, g in (out.get("growth") or {}).items():
        check(f"{key} growth", "≤ 1.5", g["ratio"], g["ratio"] <= 1.5)
    imp = out["import"]
    if imp is not None:
        rate = imp["articles_per_second"]
        check("import", "≥ 300 articles/s", rate, rate is not None and rate >= 300)
        check(
            "import memory",
            f"≤ 200 MB for 10,000 files ({imp['files']:,} here)",
            imp["peak_rss_growth_mb"],
            imp["peak_rss_growth_mb"] <= 200,
        )
    if out["suggesters"] is not None:
        mbs = out["suggesters"]["mb_per_second"]
        check("suggesters", "≥ 1 MB/s", mbs, None if mbs == "n/a" else mbs >= 1)
    return checks
