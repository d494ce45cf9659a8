"""Who is quoted: statistics over quotes and claims, and articles by what they contain.

Selectors (reads only). Every figure is an exact count computed by the database from the
annotations as they are now (`values()` + `Count()`, months with `TruncMonth`): no cache, so
an edit shows in the next request. Quotes and claims are counted as spans: a quote printed by
two outlets counts once in each. Only spans of one `status` count (accepted by default).

Articles are filtered by what they contain with EXISTS subqueries on the spans, so a page of
articles costs the same whatever the page size.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from annotations.models import Gender, Role, Span, SpanKind, SpanStatus, Verdict
from annotations.suggesters import matching

QUOTE_GROUPS = ("speaker", "source", "month", "gender", "role", "affiliation")
CLAIM_GROUPS = ("verdict", "source", "month", "claimant")
UNDATED = "undated"
NONE = "none"  # the key of "no speaker", "no affiliation", "no claimant", "no claim"
ARTICLE_HAS = (SpanKind.QUOTE, SpanKind.MENTION, SpanKind.CLAIM)
ARTICLE_STATUS = (SpanStatus.SUGGESTED, SpanStatus.ORPHANED)


@dataclass(frozen=True)
class Scope:
    """Which spans count: of articles from one outlet and/or published in [after, before)."""

    source: str = ""
    published_after: dt.datetime | None = None
    published_before: dt.datetime | None = None
    status: str = SpanStatus.ACCEPTED


@dataclass
class Row:
    key: str
    label: str
    count: int
    share: float  # count ÷ the total of the table, to 4 decimals
    splits: dict[str, int] = field(default_factory=dict)  # split key -> count (when split)


@dataclass
class Table:
    group_by: str
    split_by: str
    total: int
    rows: list[Row]
    split_keys: list[tuple[str, str]]  # (key, label) of every split column, in order


@dataclass(frozen=True)
class _Dimension:
    """How spans group by one attribute: the values() it reads, and its key and label."""

    fields: tuple[str, ...]  # the values() names; the first is the grouping value
    key: Callable[[tuple], str]
    label: Callable[[tuple], str]
    # Row order: "count" (most first), or a fixed order of keys (choices, months).
    order: Callable[[list[str]], list[str]] | None = None


def _id_key(values: tuple) -> str:
    return NONE if values[0] is None else str(values[0])


def _choice(choices, none_label: str) -> _Dimension:
    labels = dict(choices.choices)

    def order(keys: list[str]) -> list[str]:
        ranked = {value: i for i, value in enumerate([*choices.values, NONE])}
        return sorted(keys, key=lambda k: ranked.get(k, len(ranked)))

    return _Dimension(
        fields=(),
        key=lambda v: NONE if v[0] is None else v[0],
        label=lambda v: none_label if v[0] is None else labels.get(v[0], v[0]),
        order=order,
    )


def _month_key(values: tuple) -> str:
    return UNDATED if values[0] is None else f"{values[0]:%Y-%m}"


def _month_label(values: tuple) -> str:
    return "Undated" if values[0] is None else f"{values[0]:%b %Y}"


def _months(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda k: (k == UNDATED, k))  # undated last


def _named(field: str, none_label: str) -> _Dimension:
    return _Dimension(
        fields=(f"{field}_id", f"{field}__name"),
        key=_id_key,
        label=lambda v: none_label if v[0] is None else v[1],
    )


def _dimensions(kind: str) -> dict[str, _Dimension]:
    gender = _choice(Gender, "No speaker")
    role = _choice(Role, "No speaker")
    verdict = _choice(Verdict, "No claim")
    common = {
        "source": _Dimension(
            fields=("article__source",),
            key=lambda v: v[0],
            label=lambda v: v[0] or "Unknown outlet",
        ),
        "month": _Dimension(fields=("month",), key=_month_key, label=_month_label, order=_months),
    }
    if kind == SpanKind.QUOTE:
        return {
            **common,
            "speaker": _named("speaker", "No speaker"),
            "gender": _Dimension(("speaker__gender",), gender.key, gender.label, gender.order),
            "role": _Dimension(("speaker__role",), role.key, role.label, role.order),
            "affiliation": _named("speaker__affiliation", "No affiliation"),
        }
    return {
        **common,
        "verdict": _Dimension(("claim__verdict",), verdict.key, verdict.label, verdict.order),
        "claimant": _named("claim__claimant", "No claimant"),
    }


def scoped_spans(kind: str, scope: Scope) -> QuerySet[Span]:
    """The spans of a kind that the statistics count (served by span_kind_status_stats_idx):
    the shared layer only, never a blind assignee's private one."""
    spans = Span.objects.filter(kind=kind, status=scope.status, layer__isnull=True)
    if scope.source:
        spans = spans.filter(article__source=scope.source)
    if scope.published_after is not None:
        spans = spans.filter(article__published_at__gte=scope.published_after)
    if scope.published_before is not None:
        spans = spans.filter(article__published_at__lt=scope.published_before)
    return spans


def quote_table(
    *, group_by: str, split_by: str = "", scope: Scope = Scope(), limit: int | None = None
) -> Table:
    """Quotes counted by speaker, outlet, month, or the speaker's gender, role or
    affiliation, optionally split by a second of these."""
    return _table(SpanKind.QUOTE, group_by, split_by, scope, limit)


def claim_table(
    *, group_by: str, split_by: str = "", scope: Scope = Scope(), limit: int | None = None
) -> Table:
    """Claim spans (statements of a claim in an article) counted by the claim's verdict, the
    outlet, the month, or the claimant, optionally split by a second of these."""
    return _table(SpanKind.CLAIM, group_by, split_by, scope, limit)


def _table(kind: str, group_by: str, split_by: str, scope: Scope, limit: int | None) -> Table:
    dimensions = _dimensions(kind)
    if group_by not in dimensions or (split_by and split_by not in dimensions):
        raise ValueError(f"Cannot group {kind}s by {group_by!r} / {split_by!r}.")
    group = dimensions[group_by]
    split = dimensions[split_by] if split_by else None
    spans = scoped_spans(kind, scope)
    if "month" in (group_by, split_by):
        spans = spans.annotate(month=TruncMonth("article__published_at"))
    names = list(dict.fromkeys([*_fields(group_by, group), *_fields(split_by, split)]))
    counted = spans.values(*names).annotate(n=Count("*")).order_by()

    counts: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    split_counts: dict[str, int] = defaultdict(int)
    split_labels: dict[str, str] = {}
    for item in counted:
        values = tuple(item[name] for name in _fields(group_by, group))
        key = group.key(values)
        counts[key] += item["n"]
        labels[key] = group.label(values)
        if split is not None:
            split_values = tuple(item[name] for name in _fields(split_by, split))
            split_key = split.key(split_values)
            split_labels[split_key] = split.label(split_values)
            split_counts[split_key] += item["n"]
            cells[key][split_key] += item["n"]

    total = sum(counts.values())
    keys = _ordered(group, counts, labels)
    if limit is not None:
        keys = keys[:limit]
    split_keys = _ordered(split, split_counts, split_labels) if split is not None else []
    rows = [
        Row(
            key=key,
            label=labels[key],
            count=counts[key],
            share=share(counts[key], total),
            splits={s: cells[key].get(s, 0) for s in split_keys} if split is not None else {},
        )
        for key in keys
    ]
    return Table(
        group_by=group_by,
        split_by=split_by,
        total=total,
        rows=rows,
        split_keys=[(s, split_labels[s]) for s in split_keys],
    )


def _fields(name: str, dimension: _Dimension | None) -> tuple[str, ...]:
    if dimension is None:
        return ()
    return dimension.fields or (name,)


def _ordered(dimension: _Dimension, counts: dict[str, int], labels: dict[str, str]) -> list[str]:
    if dimension.order is not None:
        return dimension.order(list(counts))
    return sorted(counts, key=lambda k: (-counts[k], labels[k].casefold(), k))


def share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


# --- reused quotes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Appearance:
    span_id: int
    article_id: int
    title: str
    source: str
    published_at: dt.datetime | None
    text: str


@dataclass
class Reuse:
    """One quote that ran in two or more articles: a speaker's quotes of one wording group."""

    speaker_id: int | None
    speaker_name: str
    appearances: list[Appearance]  # first appearance first (undated last)
    words_differ: bool  # some article printed other words (punctuation and case aside)

    @property
    def first(self) -> Appearance:
        return self.appearances[0]

    @property
    def articles(self) -> int:
        return len({a.article_id for a in self.appearances})

    @property
    def outlets(self) -> list[str]:
        return sorted({a.source for a in self.appearances if a.source})


def quote_reuse(*, scope: Scope = Scope(), limit: int = 100) -> list[Reuse]:
    """Quotes that appear in two or more articles, most articles first (then dated before
    undated, then by the first appearance's span id).

    "The same quote" is the same speaker's quotes (quotes without a speaker are left out)
    whose wordings are in one group (`Span.match_key`, annotations.quote_keys: words that
    score at least `matching.MATCH` with the group's first wording, the score of the
    quote-match check). The groups are counted by the database (GROUP BY speaker and key);
    only the appearances of the groups shown are read.
    """
    quotes = (
        scoped_spans(SpanKind.QUOTE, scope)
        .filter(speaker__isnull=False)  # "the same quote" is the same person's words
        .exclude(match_key="")
    )
    # The groups in two or more articles; their quotes bound their articles from above (a
    # quote may stand twice in one article), which is cheaper to count than DISTINCT.
    groups = sorted(
        quotes.values("speaker_id", "match_key")
        .annotate(quotes=Count("*"), first=Min("article"), last=Max("article"))
        .filter(first__lt=F("last"))
        .order_by()
        .values_list("speaker_id", "match_key", "quotes"),
        key=lambda group: -group[2],
    )
    # Read the groups that may be among the first `limit`; then any other whose quotes could
    # still reach the articles of the last one shown (a tie is decided by first appearance).
    found: list[Reuse] = []
    wanted, rest = groups, []
    if len(groups) > limit:
        least = groups[limit - 1][2]
        wanted = [group for group in groups if group[2] >= least]
        rest = [group for group in groups if group[2] < least]
    while wanted:
        found += _reuses(quotes, {(speaker, key) for speaker, key, _ in wanted})
        found.sort(key=lambda r: (-r.articles, r.first.published_at is None, r.first.span_id))
        if len(found) < limit:
            break
        least = found[limit - 1].articles
        wanted = [group for group in rest if group[2] >= least]
        rest = [group for group in rest if group[2] < least]
    return found[:limit]


def _reuses(quotes: QuerySet[Span], wanted: set[tuple[int, str]]) -> list[Reuse]:
    """The reused quotes of these (speaker, match key) groups, with every appearance."""
    rows = (
        quotes.filter(
            reduce(or_, (Q(speaker_id=speaker, match_key=key) for speaker, key in wanted))
        )
        .order_by(F("article__published_at").asc(nulls_last=True), "article_id", "start", "pk")
        .values_list(
            "pk",
            "article_id",
            "article__title",
            "article__source",
            "article__published_at",
            "text",
            "speaker_id",
            "speaker__name",
            "match_key",
        )
    )
    members: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        members[(row[6], row[8])].append(row)
    found = []
    for group in members.values():
        found.append(
            Reuse(
                speaker_id=group[0][6],
                speaker_name=group[0][7] or "",
                appearances=[
                    Appearance(
                        span_id=row[0],
                        article_id=row[1],
                        title=row[2],
                        source=row[3],
                        published_at=row[4],
                        text=row[5],
                    )
                    for row in group
                ],
                words_differ=_words_differ({row[5] for row in group}),
            )
        )
    return found


def _words_differ(texts: set[str]) -> bool:
    """Whether these printed texts say other words (punctuation and case aside)."""
    seen = set()
    for text in texts:  # most groups print one text, or differ in the first two
        seen.add(matching.normalise(text))
        if len(seen) > 1:
            return True
    return False


# --- articles by what they contain ------------------------------------------------------------


def articles_containing(
    articles: QuerySet,
    *,
    speaker: int | None = None,
    entity: int | None = None,
    has: Iterable[str] = (),
    verdict: str = "",
    status: str = "",
) -> QuerySet:
    """Articles with an accepted quote by `speaker`, an accepted mention of `entity`, an
    accepted span of each kind in `has`, an accepted claim span whose claim has `verdict`,
    and any span in `status` (suggested or orphaned); the criteria combine (AND). Shared
    spans only: an article must not be found by what a private layer holds."""
    shared = Span.objects.filter(article=OuterRef("pk"), layer__isnull=True)
    accepted = shared.filter(status=SpanStatus.ACCEPTED)
    if speaker is not None:
        articles = articles.filter(Exists(accepted.filter(kind=SpanKind.QUOTE, speaker=speaker)))
    if entity is not None:
        articles = articles.filter(Exists(accepted.filter(kind=SpanKind.MENTION, entity=entity)))
    for kind in has:
        articles = articles.filter(Exists(accepted.filter(kind=kind)))
    if verdict:
        articles = articles.filter(
            Exists(accepted.filter(kind=SpanKind.CLAIM, claim__verdict=verdict))
        )
    if status:
        articles = articles.filter(Exists(shared.filter(status=status)))
    return articles


def month_bounds(key: str) -> tuple[dt.datetime, dt.datetime]:
    """[first instant of the month, first instant of the next) in UTC, for "2023-10"."""
    year, month = (int(part) for part in key.split("-"))
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    days = calendar.monthrange(year, month)[1]
    return start, start + dt.timedelta(days=days)
