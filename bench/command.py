import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from bench import suite


class Command(BaseCommand):
    help = (
        "Benchmark newsdesk on a deterministic synthetic archive in the configured database: "
        "endpoint p50/p95/p99, SQL query counts and raw-SQL floors, import and suggester "
        "throughput. Bench rows are marked and removed afterwards (unless --reuse)."
    )

    def add_arguments(self, parser):
        defaults = suite.Options()
        parser.add_argument("--articles", type=int, default=defaults.articles)
        parser.add_argument("--spans-per-article", type=int, default=defaults.spans_per_article)
        parser.add_argument("--entities", type=int, default=defaults.entities)
        parser.add_argument(
            "--workspace-spans",
            type=int,
            default=defaults.workspace_spans,
            help="spans on the one article whose workspace page is measured",
        )
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--requests", type=int, default=defaults.requests, help="timed requests per endpoint"
        )
        parser.add_argument(
            "--import-files",
            type=int,
            default=None,
            help="files for the import measurement (default: --articles, at most 10,000)",
        )
        parser.add_argument(
            "--suggester-mb", type=float, default=defaults.suggester_mb, help="MB of text"
        )
        parser.add_argument(
            "--loader",
            choices=["auto", "copy", "orm"],
            default="auto",
            help="copy: PostgreSQL COPY; orm: bulk_create; auto: copy on PostgreSQL",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="reuse a bench archive with the same parameters, and keep it afterwards",
        )
        parser.add_argument(
            "--growth",
            action="store_true",
            help="also measure the reads at a tenth of --articles; report p95 full ÷ p95 tenth",
        )
        parser.add_argument(
            "--only",
            default="",
            metavar="PARTS",
            help="comma-separated: endpoint keys (e.g. workspace_cold,article_list), import, "
            "suggesters; measure only these (default: everything)",
        )
        parser.add_argument("--json", dest="json_out", metavar="OUT", help="write results here")

    def handle(self, *args, json_out=None, **o):
        if o["articles"] < 1 or o["spans_per_article"] < 0 or o["requests"] < 1:
            raise CommandError("--articles and --requests must be positive.")
        import_files = o["import_files"]
        if import_files is None:
            import_files = min(o["articles"], 10_000)
        options = suite.Options(
            articles=o["articles"],
            spans_per_article=o["spans_per_article"],
            entities=o["entities"],
            workspace_spans=o["workspace_spans"],
            seed=o["seed"],
            requests=o["requests"],
            import_files=import_files,
            suggester_mb=o["suggester_mb"],
            loader=o["loader"],
            reuse=o["reuse"],
            growth=o["growth"],
            only=tuple(part.strip() for part in o["only"].split(",") if part.strip()),
        )
        # The test client talks to "testserver"; with DEBUG off ALLOWED_HOSTS would refuse it.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            out = suite.run(options, say=lambda message: self.stderr.write(message))
        self.stdout.write(table(out))
        if json_out:
            Path(json_out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
            self.stdout.write(f"JSON written to {json_out}")


def table(out: dict) -> str:
    lines = []
    m = out["machine"]
    a = out["archive"]
    lines.append(
        f"{m['database']}, {m['cpus']} CPUs, Python {m['python']}, Django {m['django']}, "
        f"DEBUG={m['debug']}, load average {m['load_average_1m']} → "
        f"{m.get('load_average_1m_end', '?')}, CPU reference loop {m['cpu_reference_ms']} ms"
    )
    lines.append(
        f"archive: {a['articles']:,} articles, {a['spans']:,} spans, {a['claims']:,} claims, "
        f"{a['entities']:,} entities (loaded by {a['load']['loader']} in "
        f"{a['load']['seconds']} s, {a['load']['spans_per_second']:,} spans/s)"
    )
    head = (
        f"{'endpoint':<32} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'cpu50':>6} {'q@10':>5} {'q@100':>5} "
        f"{'floor95':>8} {'ratio':>6} {'growth':>6}  ok"
    )
    lines += [head, "-" * len(head)]
    growth = out.get("growth") or {}
    for key, r in out["endpoints"].items():
        if r["p95_ms"] is None:
            lines.append(f"{r['label']:<32} {r['status']} {r['error'][:70]}")
            continue
        g = growth.get(key, {}).get("ratio")
        lines.append(
            f"{r['label']:<32} {r['requests']:>4} {r['p50_ms']:>7.2f} {r['p95_ms']:>7.2f} {r['p99_ms']:>7.2f} "
            f"{_n(r.get('cpu_p50_ms'), '.1f'):>6} "
            f"{_n(r['queries_page_10']):>5} {_n(r['queries_page_100']):>5} "
            f"{_n(r['floor_p95_ms'], '.2f'):>8} {_n(r['ratio_p95'], '.1f'):>6} "
            f"{_n(g, '.2f'):>6}  {_ok(r['meets_target'])}"
        )
    imp, sug = out["import"], out["suggesters"]
    if imp is not None:
        lines.append(
            f"import: {imp['files']:,} files in {imp['seconds']} s = "
            f"{imp['articles_per_second']} articles/s, peak memory "
            f"+{imp['peak_rss_growth_mb']} MB ({imp['outcomes']})"
        )
    if sug is not None:
        lines.append(f"suggesters: {sug['mb_per_second']} MB/s {sug.get('reason', '')}".rstrip())
    missed = [t for t in out["targets"] if t["ok"] is False]
    lines.append(f"targets: {len(out['targets']) - len(missed)} of {len(out['targets'])} met")
    lines += [f"  MISSED {t['what']}: {t['value']} (target {t['target']})" for t in missed]
    return "\n".join(lines)


def _ok(meets: bool | None) -> str:
    return "—" if meets is None else "yes" if meets else "NO"


def _n(value, spec: str = "") -> str:
    return "—" if value is None else format(value, spec)
