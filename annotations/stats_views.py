"""The /stats/ page: who is quoted, claims by verdict over time, quotes reused across outlets.

Every figure comes from the selectors of annotations/stats.py (the same as /api/stats/), is
rendered as an HTML table (the data-table view, readable without JavaScript or colour), and
handed to static/stats.js through json_script to draw the charts (Chart.js, vendored).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from annotations import stats
from annotations.models import Gender, Role, SpanStatus
from annotations.views import reader_required
from annotations.workspace import workspace_sources

TOP_SPEAKERS = 10
REUSED = 50
SPLITS = (("gender", "Gender"), ("role", "Role"))


class StatsFilterForm(forms.Form):
    source = forms.ChoiceField(required=False, choices=[("", "All outlets")], label="Outlet")
    published_after = forms.DateField(
        required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"})
    )
    published_before = forms.DateField(
        required=False, label="Published before", widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        required=False,
        label="Annotations",
        choices=[(SpanStatus.ACCEPTED, "Accepted"), (SpanStatus.SUGGESTED, "Suggested")],
    )
    split = forms.ChoiceField(required=False, choices=SPLITS, label="Split outlets by")

    def __init__(self, *args, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "All outlets"), *((s, s) for s in sources)]

    def clean(self):
        data = super().clean()
        after, before = data.get("published_after"), data.get("published_before")
        if after and before and after >= before:
            self.add_error("published_before", "Must be later than “Published from”.")
        return data

    def scope(self) -> stats.Scope:
        data = self.cleaned_data if self.is_valid() else {}
        return stats.Scope(
            source=data.get("source", ""),
            published_after=_midnight(data.get("published_after")),
            published_before=_midnight(data.get("published_before")),
            status=data.get("status") or SpanStatus.ACCEPTED,
        )

    def split_by(self) -> str:
        return (self.cleaned_data.get("split") if self.is_valid() else "") or "gender"


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _scope_query(scope: stats.Scope) -> dict[str, str]:
    """The scope as query parameters of the API and the article list."""
    query = {}
    if scope.source:
        query["source"] = scope.source
    if scope.published_after:
        query["published_after"] = scope.published_after.date().isoformat()
    if scope.published_before:
        query["published_before"] = scope.published_before.date().isoformat()
    return query


def _articles_url(**query) -> str:
    return f"{reverse('article-list')}?{urlencode(query)}"


def _csv_url(name: str, scope: stats.Scope, **query) -> str:
    status = {} if scope.status == SpanStatus.ACCEPTED else {"status": scope.status}
    params = {**query, **_scope_query(scope), **status, "format": "csv"}
    return f"{reverse(name)}?{urlencode(params)}"


def _month_articles(key: str, scope: stats.Scope, **extra) -> str | None:
    """Articles published in that month (within the scope's dates)."""
    if key == stats.UNDATED:
        return None
    start, end = stats.month_bounds(key)
    if scope.published_after:
        start = max(start, scope.published_after)
    if scope.published_before:
        end = min(end, scope.published_before)
    query = {**_scope_query(scope), **extra}
    query["published_after"] = start.date().isoformat()
    query["published_before"] = end.date().isoformat()
    return _articles_url(**query)


def _rows(table: stats.Table, href) -> list[dict]:
    return [
        {
            "key": row.key,
            "label": row.label,
            "count": row.count,
            "share": row.share,
            "percent": _percent(row.share),
            "splits": [row.splits[key] for key, _ in table.split_keys],
            "href": href(row),
        }
        for row in table.rows
    ]


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"


def _chart(table: stats.Table, href, **extra) -> dict:
    return {
        "total": table.total,
        "splits": [{"key": k, "label": label} for k, label in table.split_keys],
        "rows": _rows(table, href),
        **extra,
    }


def _shares_by_month(by_gender: stats.Table, by_role: stats.Table) -> dict:
    """Per dated month: the share of its quotes from women, and from each role."""
    roles = [(k, label) for k, label in by_role.split_keys if k in Role.values]
    role_rows = {row.key: row for row in by_role.rows}
    rows = []
    for row in by_gender.rows:
        if row.key == stats.UNDATED:
            continue
        by_role_row = role_rows[row.key]
        women = row.splits.get(Gender.WOMAN, 0)
        shares = [stats.share(women, row.count)] + [
            stats.share(by_role_row.splits.get(key, 0), row.count) for key, _ in roles
        ]
        rows.append(
            {
                "key": row.key,
                "label": row.label,
                "count": row.count,
                "women": women,
                "shares": shares,
                "percents": [_percent(s) for s in shares],
            }
        )
    undated = next((r.count for r in by_gender.rows if r.key == stats.UNDATED), 0)
    series = [{"key": "woman", "label": "Women"}] + [
        {"key": key, "label": label} for key, label in roles
    ]
    return {"series": series, "rows": rows, "undated": undated}


@require_GET
@reader_required
def stats_page(request):
    form = StatsFilterForm(request.GET or None, sources=workspace_sources())
    if form.is_bound and not form.is_valid():
        context = {"form": form, "invalid": True}
        return render(request, "annotations/stats.html", context, status=400)
    scope = form.scope()
    split = form.split_by()
    where = _scope_query(scope)

    # People only: quotes without a speaker are said apart. (The limit is applied to the rows
    # in Python anyway: the query groups every speaker.)
    speakers = stats.quote_table(group_by="speaker", scope=scope)
    unattributed = next((r.count for r in speakers.rows if r.key == stats.NONE), 0)
    speakers.rows = [r for r in speakers.rows if r.key != stats.NONE][:TOP_SPEAKERS]
    outlets = stats.quote_table(group_by="source", split_by=split, scope=scope)
    by_gender = stats.quote_table(group_by="month", split_by="gender", scope=scope)
    by_role = stats.quote_table(group_by="month", split_by="role", scope=scope)
    claims = stats.claim_table(group_by="month", split_by="verdict", scope=scope)
    reused = stats.quote_reuse(scope=scope, limit=REUSED)

    charts = {
        "speakers": _chart(
            speakers,
            lambda row: _articles_url(**where, speaker=row.key),
            unattributed=unattributed,
            csv=_csv_url("api-stats-quotes", scope, group_by="speaker"),
        ),
        "outlets": _chart(
            outlets,
            lambda row: _articles_url(**{**where, "source": row.key}) if row.key else None,
            split=split,
            csv=_csv_url("api-stats-quotes", scope, group_by="source", split_by=split),
        ),
        "shares": {
            **_shares_by_month(by_gender, by_role),
            "csv_gender": _csv_url("api-stats-quotes", scope, group_by="month", split_by="gender"),
            "csv_role": _csv_url("api-stats-quotes", scope, group_by="month", split_by="role"),
        },
        "claims": _chart(
            claims,
            lambda row: _month_articles(row.key, scope, has="claim"),
            csv=_csv_url("api-stats-claims", scope, group_by="month", split_by="verdict"),
        ),
    }
    for row in charts["claims"]["rows"]:  # a bar's piece: that verdict in that month
        row["cells"] = [
            None
            if split["key"] == stats.NONE
            else _month_articles(row["key"], scope, verdict=split["key"])
            for split in charts["claims"]["splits"]
        ]
    context = {
        "form": form,
        "scope": scope,
        "split_label": dict(SPLITS)[split],
        "charts": charts,
        "reused": reused,
        "reuse_csv": _csv_url("api-stats-reuse", scope),
    }
    return render(request, "annotations/stats.html", context)
