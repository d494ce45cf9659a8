"""manage.py bench: the synthetic archive generator and the command, end to end on a tiny
archive. No timing assertions: the targets are checked by running the command, not by tests."""

import json
from collections import Counter

import pytest
from django.core.management import call_command

from annotations.models import Entity, Span
from articles.importing import Cleaner
from articles.models import Article
from bench import archive, synth

ENDPOINTS = {
    "api_root",
    "article_list",
    "article_search",
    "article_spans",
    "spans_by_article",
    "entity_mentions",
    "speaker_quotes",
    "claims_by_verdict",
    "w3c_export",
    "workspace",
    "workspace_cold",
    "span_create_api",
    "span_create_htmx",
    # Who is quoted: article filters by content, statistics.
    "articles_by_speaker",
    "articles_by_entity",
    "articles_by_verdict",
    "articles_by_status",
    "articles_by_outlet_dates",
    "stats_quotes_speaker",
    "stats_quotes_outlet_gender",
    "stats_quotes_month_role",
    "stats_claims_month_verdict",
    "stats_reuse_outlet",
    "stats_reuse",
}
TEAM = {"queue", "queue_page", "review", "agreement_corpus"}  # measured on the full archive
ENDPOINTS |= TEAM
WORKSPACE = {"workspace", "workspace_cold"}
READS = ENDPOINTS - WORKSPACE - TEAM - {"span_create_api", "span_create_htmx", "api_root"}
RESULT_KEYS = {
    "key",
    "label",
    "path",
    "status",
    "error",
    "requests",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "mean_ms",
    "cpu_p50_ms",
    "queries_page_10",
    "queries_page_100",
    "floor_p50_ms",
    "floor_p95_ms",
    "ratio_p95",
    "target_p95_ms",
    "meets_target",
    "baseline",
}


def _archive(seed: int, n: int = 5):
    cast = synth.entities_build(seed, 300)
    return cast, [synth.article_build(seed, i, cast, 50) for i in range(n)]


def test_same_seed_gives_the_same_archive():
    cast_a, articles_a = _archive(7)
    cast_b, articles_b = _archive(7)
    assert cast_a.entities == cast_b.entities
    assert articles_a == articles_b
    assert synth.import_file(7, 3, cast_a) == synth.import_file(7, 3, cast_b)


def test_another_seed_gives_another_archive():
    _, articles_a = _archive(7)
    _, articles_b = _archive(8)
    assert [a.body for a in articles_a] != [b.body for b in articles_b]


def test_an_article_does_not_depend_on_how_many_come_before_it():
    cast, _ = _archive(7)
    assert synth.article_build(7, 42, cast, 50) == synth.article_build(7, 42, cast, 50)
    assert synth.article_build(7, 42, cast, 50) != synth.article_build(7, 43, cast, 50)


def test_generated_articles_read_like_news_with_spans_of_every_kind():
    cast, articles = _archive(3, 20)
    kinds = Counter(e.kind for e in cast.entities)
    assert set(kinds) >= {"PERSON", "ORG", "GPE", "NORP"}
    assert sum(1 for e in cast.entities if e.aliases) > len(cast.entities) // 2
    for article in articles:
        assert 450 <= len(article.body.split()) <= 800
        assert "“" in article.body
        assert any(ch.isdigit() for ch in article.body)
        assert len(article.spans) == 50
        live = [(s.kind, s.start, s.end) for s in article.spans if s.status != "rejected"]
        assert len(live) == len(set(live))  # the database's one-live-span-per-stretch rule
        for span in article.spans:
            assert 0 <= span.start < span.end <= len(article.body)
            if span.kind == "mention" and span.status == "accepted":
                assert span.entity is not None
            if span.claim is not None:
                assert span.kind == "claim"
                assert span.status == "accepted"
    spans = [s for a in articles for s in a.spans]
    assert {s.kind for s in spans} == {"quote", "mention", "claim"}
    assert {s.status for s in spans} == {"accepted", "suggested", "rejected"}
    assert any(s.speaker is not None for s in spans)
    # Nesting and overlap: some span lies inside another one of the same article.
    assert any(
        inner is not outer and outer.start <= inner.start and inner.end <= outer.end
        for article in articles[:3]
        for outer in article.spans
        for inner in article.spans
    )


def test_the_workspace_article_carries_the_spans_asked_for():
    cast, _ = _archive(3)
    article = synth.workspace_article(3, cast, 1000)
    assert len(article.spans) == 1000


def test_an_archive_file_cleans_to_the_same_body_and_hash():
    cast, articles = _archive(5, 10)
    cleaner = Cleaner()
    for article in articles:
        cleaned = cleaner.clean(article.file_text.encode("utf-8"))
        assert cleaned.title == article.title
        assert cleaned.body == article.body  # so the generated offsets hold after an import


@pytest.mark.django_db
def test_archive_build_reuses_extends_and_removes():
    params = archive.Params(seed=2, spans_per_article=8, entities=120, workspace_spans=40)
    report = archive.archive_build(params=params, articles=6)
    assert report.articles == 7  # six articles and the workspace article
    assert archive.archive_size() == 6
    assert archive.archive_params() == params
    article = Article.objects.get(source_file=archive.WORKSPACE_NAME)
    assert article.spans.count() == 40
    for span in Span.objects.filter(article__source_file__startswith="bench-"):
        assert span.article.body[span.start : span.end] == span.text

    assert archive.archive_build(params=params, articles=6).articles == 0
    assert archive.archive_build(params=params, articles=9).articles == 3
    assert archive.archive_build(params=params, articles=4).articles == 0
    assert archive.archive_size() == 4

    archive.archive_delete()
    assert not Article.objects.filter(source_file__startswith="bench-").exists()
    assert not Entity.objects.filter(created_by__username=archive.BENCH_USER).exists()


@pytest.mark.django_db
def test_bench_command_measures_everything_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    call_command(
        "bench",
        articles=20,
        spans_per_article=10,
        entities=150,
        workspace_spans=60,
        requests=5,
        import_files=5,
        suggester_mb=0.05,
        growth=True,
        json_out=str(out),
    )
    data = json.loads(out.read_text())
    assert set(data) >= {
        "machine",
        "options",
        "import",
        "suggesters",
        "archive",
        "archive_small",
        "endpoints",
        "growth",
        "targets",
    }
    assert data["archive"]["articles"] == 20
    assert data["archive"]["spans"] == 20 * 10 + 60
    assert data["archive_small"]["articles"] == 2
    assert set(data["endpoints"]) == ENDPOINTS
    for key, result in data["endpoints"].items():
        assert set(result) == RESULT_KEYS
        assert result["error"] == "", (key, result["status"], result["error"])
        assert result["requests"] == 5
        assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
        assert result["queries_page_10"] > 0
        assert result["queries_page_100"] > 0
    for key in READS:
        assert data["endpoints"][key]["floor_p95_ms"] > 0
        assert data["endpoints"][key]["ratio_p95"] > 0
    assert set(data["growth"]) == READS | WORKSPACE
    # The stack alone: measured (the token query), no floor, no target, no growth.
    root = data["endpoints"]["api_root"]
    assert root["baseline"]
    assert root["meets_target"] is None
    assert root["floor_p95_ms"] is None
    assert root["queries_page_10"] == 1  # the token with its user and their roles
    assert not any(t["what"].startswith("api_root") for t in data["targets"])
    assert all(not r["baseline"] for k, r in data["endpoints"].items() if k != "api_root")
    assert data["import"]["files"] == 5
    assert data["import"]["outcomes"] == {"imported": 5}
    assert data["import"]["articles_per_second"] > 0
    assert "mb_per_second" in data["suggesters"]
    assert {t["what"] for t in data["targets"]} >= {"import", "import memory", "suggesters"}
    assert "article list" in capsys.readouterr().out
    # Without --reuse, nothing of the bench stays behind, including the created spans.
    assert not Article.objects.filter(source_file__startswith="bench-").exists()
    assert not Span.objects.exists()


@pytest.mark.django_db
def test_bench_reuse_keeps_the_archive_for_the_next_run(tmp_path):
    options = {
        "articles": 5,
        "spans_per_article": 5,
        "entities": 100,
        "workspace_spans": 20,
        "requests": 1,
        "import_files": 1,
        "suggester_mb": 0.01,
        "reuse": True,
    }
    call_command("bench", json_out=str(tmp_path / "first.json"), **options)
    first = Article.objects.filter(source_file__startswith="bench-").order_by("id")
    ids = list(first.values_list("id", flat=True))
    assert len(ids) == 6
    call_command("bench", json_out=str(tmp_path / "second.json"), **options)
    second = json.loads((tmp_path / "second.json").read_text())
    assert second["archive"]["load"]["articles_added"] == 0
    assert list(first.values_list("id", flat=True)) == ids


@pytest.mark.django_db
def test_bench_only_measures_the_parts_named(tmp_path):
    out = tmp_path / "only.json"
    call_command(
        "bench",
        articles=4,
        spans_per_article=5,
        entities=100,
        workspace_spans=20,
        requests=2,
        only="article_list,workspace_cold",
        json_out=str(out),
    )
    data = json.loads(out.read_text())
    assert set(data["endpoints"]) == {"article_list", "workspace_cold"}
    assert data["import"] is None
    assert data["suggesters"] is None
    assert all(t["what"].split()[0] in {"article_list", "workspace_cold"} for t in data["targets"])
