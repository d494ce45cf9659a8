"""Query parameters of the annotation endpoints (django-filter: they appear in the schema)."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from annotations import selectors
from annotations.models import (
    Claim,
    Entity,
    EntityKind,
    Gender,
    ReviewStatus,
    Role,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from articles.models import Article
from newsdesk.api import BooleanFilter, DateTimeFilter, FilterSet, IdFilter


class SpanFilter(FilterSet):
    article = IdFilter(queryset=Article.objects.only("pk"), help_text="Article id.")
    # distinct=False on these column filters: django-filter's default SELECT DISTINCT made
    # PostgreSQL sort and de-duplicate every page (with a parallel worker: +10 ms, bench).
    kind = django_filters.MultipleChoiceFilter(
        choices=SpanKind.choices,
        distinct=False,
        help_text="quote, mention or claim; repeat for several.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=SpanStatus.choices,
        distinct=False,
        help_text="Repeat for several, e.g. status=accepted&status=suggested.",
    )
    entity = IdFilter(
        queryset=Entity.objects.only("pk"), help_text="Id of the entity a mention names."
    )
    speaker = IdFilter(
        queryset=Entity.objects.only("pk"), help_text="Id of the entity who speaks a quote."
    )
    claim = IdFilter(
        queryset=Claim.objects.only("pk"), help_text="Id of the claim a claim span states."
    )
    origin = django_filters.CharFilter(help_text='"editor", or the name of a suggester.')
    review_status = django_filters.MultipleChoiceFilter(
        choices=ReviewStatus.choices,
        distinct=False,
        help_text="unreviewed, approved or changes_requested; repeat for several.",
    )
    created_by = IdFilter(
        queryset=get_user_model().objects.only("pk"), help_text="Id of the user who created it."
    )
    created_after = DateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created at or after (ISO 8601)."
    )
    created_before = DateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Created before (ISO 8601)."
    )
    q = django_filters.CharFilter(
        field_name="text",
        lookup_expr="icontains",
        max_length=500,
        help_text="Text search: spans whose text contains this (case-insensitive).",
    )
    revised = BooleanFilter(
        method="filter_revised",
        help_text="true: quotes and claims whose accepted words a revision of the article "
        "changed, back in review (revised_from holds the accepted words); false: the others.",
    )

    class Meta:
        model = Span
        fields = [
            "article",
            "kind",
            "status",
            "entity",
            "speaker",
            "claim",
            "origin",
            "review_status",
            "created_by",
            "created_after",
            "created_before",
            "q",
            "revised",
        ]

    def filter_revised(self, queryset, name, value):
        changed = ~Q(revised_from="")
        return queryset.filter(changed if value else ~changed)


class EntityFilter(FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        choices=EntityKind.choices,
        distinct=False,
        help_text="PERSON, ORG, GPE, LOC, NORP, EVENT or OTHER.",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=300,
        help_text=(
            "Name or alias, ignoring case and accents. On PostgreSQL also similar spellings "
            "(trigram similarity), best match first."
        ),
    )

    gender = django_filters.ChoiceFilter(choices=Gender.choices, help_text="A speaker attribute.")
    role = django_filters.ChoiceFilter(choices=Role.choices, help_text="A speaker attribute.")

    class Meta:
        model = Entity
        fields = ["kind", "q", "gender", "role"]

    def filter_q(self, queryset, name, value):
        return selectors.entity_search(queryset, value)


class ClaimFilter(FilterSet):
    verdict = django_filters.MultipleChoiceFilter(
        choices=Verdict.choices,
        distinct=False,
        help_text="Repeat for several, e.g. verdict=false&verdict=mostly_false.",
    )
    claimant = IdFilter(
        queryset=Entity.objects.only("pk"), help_text="Id of the entity who made the claim."
    )
    q = django_filters.CharFilter(
        field_name="text", lookup_expr="icontains", max_length=500, help_text="Text contains."
    )

    class Meta:
        model = Claim
        fields = ["verdict", "claimant", "q"]
