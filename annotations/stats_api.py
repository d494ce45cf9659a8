"""/api/stats/: who is quoted, claims by verdict, reused quotes (read-only, viewers and editors).

Plain DRF views over the selectors of annotations/stats.py; `format=csv` returns the same rows
as a CSV file.
"""

from __future__ import annotations

import csv
import io
from functools import cached_property

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import stats
from annotations.models import SpanStatus
from newsdesk.api import check_query_parameters
from newsdesk.api_views import VALIDATION_ERROR_SCHEMA

_CSV = (200, "text/csv")
_INVALID = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Invalid parameter values.")


class StatsQuerySerializer(serializers.Serializer):
    """The filters every statistics endpoint takes."""

    source = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Only this outlet."
    )
    published_after = serializers.DateTimeField(
        required=False,
        help_text="Only articles published at or after this (ISO 8601 date or date-time; "
        "naive is UTC). Undated articles are then left out.",
    )
    published_before = serializers.DateTimeField(
        required=False,
        help_text="Only articles published before this (exclusive). Undated articles are then "
        "left out.",
    )
    status = serializers.ChoiceField(
        choices=SpanStatus.choices,
        default=SpanStatus.ACCEPTED,
        help_text="Count spans of this status (default: accepted annotations only).",
    )
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        default="json",
        help_text="csv: the rows as a CSV file (columns key, label, count, share, then one "
        "per split value).",
    )

    def validate(self, data):
        after, before = data.get("published_after"), data.get("published_before")
        if after and before and after >= before:
            raise serializers.ValidationError(
                {"published_before": "Must be later than published_after."}
            )
        return data

    def scope(self) -> stats.Scope:
        data = self.validated_data
        return stats.Scope(
            source=data.get("source", ""),
            published_after=data.get("published_after"),
            published_before=data.get("published_before"),
            status=data["status"],
        )


class _GroupQuery(StatsQuerySerializer):
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        help_text="At most this many rows, the first in order (shares stay of the whole).",
    )

    def validate(self, data):
        data = super().validate(data)
        if data.get("split_by") and data["split_by"] == data["group_by"]:
            raise serializers.ValidationError({"split_by": "Split by another attribute."})
        return data


class QuoteStatsQuerySerializer(_GroupQuery):
    group_by = serializers.ChoiceField(
        choices=stats.QUOTE_GROUPS,
        help_text="speaker, source (outlet), month (of publication; `undated` for articles "
        "without a date), or the speaker's gender, role or affiliation.",
    )
    split_by = serializers.ChoiceField(
        choices=stats.QUOTE_GROUPS,
        required=False,
        help_text="A second attribute: each row then counts its quotes per value of it.",
    )


class ClaimStatsQuerySerializer(_GroupQuery):
    group_by = serializers.ChoiceField(
        choices=stats.CLAIM_GROUPS,
        help_text="verdict, source (outlet), month (of publication; `undated`), or claimant.",
    )
    split_by = serializers.ChoiceField(
        choices=stats.CLAIM_GROUPS,
        required=False,
        help_text="A second attribute: each row then counts its claim spans per value of it.",
    )


class ReuseQuerySerializer(StatsQuerySerializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=500, default=100, help_text="At most this many."
    )


class SplitColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class StatsRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="The group's value: an entity id, an outlet, 2023-10 (`undated`), a "
        "gender, role or verdict; `none` for no speaker, affiliation, claimant or claim."
    )
    label = serializers.CharField(help_text="For people to read.")
    count = serializers.IntegerField(help_text="Spans in the group.")
    share = serializers.FloatField(help_text="count ÷ total, to 4 decimals.")
    splits = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="With split_by: the group's count per split key (every split key, 0 too).",
    )


class StatsTableSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    split_by = serializers.CharField(help_text="Empty when not split.")
    status = serializers.CharField(help_text="The span status counted.")
    total = serializers.IntegerField(help_text="Spans counted in all groups (before limit).")
    split_keys = SplitColumnSerializer(many=True, help_text="The split columns, in order.")
    rows = StatsRowSerializer(many=True)


class AppearanceSerializer(serializers.Serializer):
    span = serializers.IntegerField(source="span_id", help_text="Quote span id.")
    article = serializers.IntegerField(source="article_id")
    title = serializers.CharField()
    source = serializers.CharField(help_text="Outlet; may be empty.")
    published_at = serializers.DateTimeField(allow_null=True)
    text = serializers.CharField(help_text="The quote as this article printed it.")

    def to_representation(self, appearance: stats.Appearance) -> dict:
        # Thousands per response (every appearance of 100 quotes): the fields above document
        # it; a plain dict builds the same in a fraction of the time (published_at as DRF's
        # DateTimeField writes it: ISO 8601 in the current time zone, UTC as "Z").
        published = appearance.published_at
        if published is not None:
            published = published.astimezone(self.zone).isoformat()
            if published.endswith("+00:00"):
                published = published[:-6] + "Z"
        return {
            "span": appearance.span_id,
            "article": appearance.article_id,
            "title": appearance.title,
            "source": appearance.source,
            "published_at": published,
            "text": appearance.text,
        }

    @cached_property
    def zone(self):
        return timezone.get_current_timezone()


class ReuseSerializer(serializers.Serializer):
    speaker = serializers.IntegerField(source="speaker_id", allow_null=True)
    speaker_name = serializers.CharField()
    articles = serializers.IntegerField(help_text="How many articles printed it.")
    outlets = serializers.ListField(child=serializers.CharField())
    first = AppearanceSerializer(help_text="The first appearance (earliest published).")
    words_differ = serializers.BooleanField(
        help_text="Some article printed other words (punctuation, case and quote marks aside)."
    )
    diff_url = serializers.SerializerMethodField(
        help_text="The word-level comparison of the first appearance with the others."
    )
    appearances = AppearanceSerializer(many=True)

    def get_diff_url(self, reuse) -> str:
        return reverse("span-matches", args=[reuse.first.span_id])


def table_data(table: stats.Table, status: str) -> dict:
    return {
        "group_by": table.group_by,
        "split_by": table.split_by,
        "status": status,
        "total": table.total,
        "split_keys": [{"key": k, "label": label} for k, label in table.split_keys],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "count": row.count,
                "share": row.share,
                "splits": row.splits,
            }
            for row in table.rows
        ],
    }


def table_csv(table: stats.Table, filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "label", "count", "share", *(label for _, label in table.split_keys)])
    for row in table.rows:
        splits = [row.splits[key] for key, _ in table.split_keys]
        writer.writerow([row.key, _cell(row.label), row.count, f"{row.share:.4f}", *splits])
    return _csv_response(out.getvalue(), filename)


def _cell(value: str) -> str:
    """A label as a spreadsheet shows it, never as a formula (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_COMMON = (
    " Filters: `source`, `published_after`, `published_before` (articles without a date are "
    "left out when either is set), `status` (default accepted). Exact counts, computed on "
    "every request (no cache). `format=csv` for a CSV file."
)


class _QueryChecked:
    """The query serializer's fields are the only parameters, none of them empty (a 400, as
    on every list: newsdesk.api.check_query_parameters)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_parameters(request, set(self.query_class().fields))


class _TableView(_QueryChecked, APIView):
    http_method_names = ["get", "head", "options"]
    query_class: type[_GroupQuery]
    kind = ""

    def get(self, request):
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        table = stats.quote_table if self.kind == "quote" else stats.claim_table
        result = table(
            group_by=data["group_by"],
            split_by=data.get("split_by", ""),
            scope=query.scope(),
            limit=data.get("limit"),
        )
        if data["format"] == "csv":
            split = f"-by-{result.split_by}" if result.split_by else ""
            return table_csv(result, f"{self.kind}s-by-{result.group_by}{split}.csv")
        return Response(table_data(result, data["status"]))


class QuoteStatsView(_TableView):
    query_class = QuoteStatsQuerySerializer
    kind = "quote"

    @extend_schema(
        summary="Quotes counted by speaker, outlet, month, gender, role or affiliation",
        description="Quote spans grouped by `group_by`, optionally split by `split_by`. A quote "
        "printed by two outlets counts once in each." + _COMMON,
        parameters=[QuoteStatsQuerySerializer],
        responses={
            200: StatsTableSerializer,
            _CSV: OpenApiResponse(OpenApiTypes.STR),
            400: _INVALID,
        },
    )
    def get(self, request):
        return super().get(request)


class ClaimStatsView(_TableView):
    query_class = ClaimStatsQuerySerializer
    kind = "claim"

    @extend_schema(
        summary="Claim spans counted by verdict, outlet, month or claimant",
        description="Spans stating a claim, grouped by `group_by` (optionally split by "
        "`split_by`, e.g. `group_by=month&split_by=verdict`). A claim stated in two articles "
        "counts once in each." + _COMMON,
        parameters=[ClaimStatsQuerySerializer],
        responses={
            200: StatsTableSerializer,
            _CSV: OpenApiResponse(OpenApiTypes.STR),
            400: _INVALID,
        },
    )
    def get(self, request):
        return super().get(request)


class ReuseStatsView(_QueryChecked, APIView):
    query_class = ReuseQuerySerializer

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Quotes that ran in two or more articles, and whether the words differ",
        description="Same-speaker quotes matched across articles with the score of the "
        "quote-match check (`/api/spans/{id}/matches/`), most articles first: outlets, first "
        "appearance, each appearance's words, and whether they differ." + _COMMON + " CSV "
        "columns: first_span, speaker, articles, outlets, first_article, first_published, "
        "words_differ, text.",
        parameters=[ReuseQuerySerializer],
        responses={
            200: ReuseSerializer(many=True),
            _CSV: OpenApiResponse(OpenApiTypes.STR),
            400: _INVALID,
        },
    )
    def get(self, request):
        query = ReuseQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = stats.quote_reuse(scope=query.scope(), limit=query.validated_data["limit"])
        if query.validated_data["format"] == "csv":
            return reuse_csv(found)
        return Response(ReuseSerializer(found, many=True).data)


def reuse_csv(found: list[stats.Reuse]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "first_span",
            "speaker",
            "articles",
            "outlets",
            "first_article",
            "first_published",
            "words_differ",
            "text",
        ]
    )
    for reuse in found:
        first = reuse.first
        writer.writerow(
            [
                first.span_id,
                _cell(reuse.speaker_name),
                reuse.articles,
                _cell("; ".join(reuse.outlets)),
                first.article_id,
                first.published_at.date().isoformat() if first.published_at else "",
                "yes" if reuse.words_differ else "no",
                _cell(first.text),
            ]
        )
    return _csv_response(out.getvalue(), "reused-quotes.csv")
