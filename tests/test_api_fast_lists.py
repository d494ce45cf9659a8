"""Cheaper API lists, same answers. newsdesk.api.FastListSerializer: list pages built from a
per-class plan must equal, key for key and type for type, what DRF's generic ModelSerializer
path renders for the same rows. newsdesk.api.FilterSet: the filter form class is built once,
yet every request is validated alone."""

import datetime as dt
import json

import django_filters
import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from annotations.filters import SpanFilter
from annotations.models import Claim, Entity, Span, SpanKind, SpanStatus
from annotations.serializers import ClaimSerializer, EntitySerializer, SpanSerializer
from articles.models import Article
from articles.serializers import ArticleListSerializer
from newsdesk.api import FastListSerializer, FilterSet, row_plan
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityAliasFactory,
    EntityFactory,
    SpanFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

# A timestamp with microseconds, and one that is not on a whole second in another zone either.
WHEN = dt.datetime(2024, 3, 31, 1, 59, 58, 123456, tzinfo=dt.UTC)


def generic(serializer_class, instances) -> list:
    """What DRF's own ListSerializer + Serializer.to_representation give."""
    return serializers.ListSerializer(child=serializer_class(), instance=instances).data


def fast(serializer_class, instances) -> list:
    many = serializer_class(instances, many=True)
    assert isinstance(many, FastListSerializer)
    return many.data


def assert_same(serializer_class, instances) -> None:
    expected, got = generic(serializer_class, instances), fast(serializer_class, instances)
    assert len(expected) == len(got) == len(instances)
    for want, have in zip(expected, got, strict=True):
        assert list(have) == list(want)  # same keys, same order
        for key in want:
            assert type(have[key]) is type(want[key]), key
            assert have[key] == want[key], key
    # And the same bytes once rendered.
    assert json.dumps(got) == json.dumps(list(expected))


@pytest.fixture
def spans():
    editor = EditorFactory()
    speaker, entity = EntityFactory(), EntityFactory()
    claim = ClaimFactory(claimant=speaker)
    article = ArticleFactory(body="Jane Doe said the bridge carries 1,200 cars a day, “ok”.")
    full = SpanFactory(
        article=article,
        quote="the bridge carries 1,200 cars a day",
        kind=SpanKind.QUOTE,
        entity=None,
        speaker=speaker,
        status=SpanStatus.SUGGESTED,
        origin="quotes-v1",
        confidence=0.75,
        note="Candidate speaker: Jane Doe",
        prefix="Jane Doe said ",
        suffix=", “ok”.",
        created_by=editor,
    )
    mention = SpanFactory(article=article, quote="Jane Doe", entity=entity, created_by=editor)
    claimed = SpanFactory(
        article=article, quote="1,200 cars a day", kind=SpanKind.CLAIM, entity=None, claim=claim
    )
    bare = SpanFactory(article=article, quote="“ok”", kind=SpanKind.QUOTE, entity=None)
    Span.objects.filter(pk=full.pk).update(created_at=WHEN, updated_at=WHEN, confidence=1)
    return list(Span.objects.filter(pk__in=[full.pk, mention.pk, claimed.pk, bare.pk]))


def test_span_rows_with_every_field_set_and_with_nulls(spans):
    full = next(s for s in spans if s.speaker_id)
    assert full.confidence == 1.0
    assert full.created_by_id
    assert full.created_at == WHEN
    bare = next(s for s in spans if s.text == "“ok”")
    assert bare.speaker_id is bare.entity_id is bare.claim_id is bare.confidence is None
    assert_same(SpanSerializer, spans)
    row = fast(SpanSerializer, [full])[0]
    assert row["created_at"] == "2024-03-31T01:59:58.123456Z"
    assert row["confidence"] == 1.0
    assert isinstance(row["confidence"], float)
    assert row["speaker"] == full.speaker_id
    assert row["created_by"] == full.created_by_id


def test_datetimes_follow_the_active_time_zone_like_drf(spans):
    with timezone.override("Europe/Paris"):
        assert_same(SpanSerializer, spans)
        row = fast(SpanSerializer, [s for s in spans if s.created_at == WHEN])[0]
    assert row["created_at"] == "2024-03-31T03:59:58.123456+02:00"


def test_in_memory_values_are_converted_like_drf(spans):
    span = spans[0]
    span.kind = SpanKind.QUOTE  # an enum member, not a plain str
    span.confidence = 1  # an int where the column holds floats
    span.start = True  # DRF's IntegerField gives int(True)
    row = fast(SpanSerializer, [span])[0]
    assert type(row["kind"]) is str
    assert type(row["confidence"]) is float
    assert type(row["start"]) is int
    assert_same(SpanSerializer, [span])


def test_article_rows_with_and_without_optional_fields():
    editor = EditorFactory()
    ArticleFactory(source="The Daily", url="https://example.org/a", imported_by=editor)
    ArticleFactory(published_at=None, imported_by=None)
    Article.objects.update(published_at=WHEN)
    ArticleFactory(published_at=None)
    articles = list(Article.objects.defer("body", "original", "import_report").order_by("id"))
    assert any(a.published_at is None for a in articles)
    assert any(a.imported_by_id for a in articles)
    assert_same(ArticleListSerializer, articles)


def test_claim_rows_reviewed_and_unreviewed():
    editor = EditorFactory()
    ClaimFactory(claimant=EntityFactory(), verdict="false", verdict_note="No.")
    ClaimFactory()
    Claim.objects.filter(verdict="false").update(reviewed_by=editor, reviewed_at=WHEN)
    claims = list(Claim.objects.order_by("id"))
    assert claims[0].reviewed_at
    assert claims[1].reviewed_at is None
    assert_same(ClaimSerializer, claims)


def test_entity_rows_render_aliases_through_their_field():
    entity = EntityFactory(description="Mayor", external_id="Q42")
    EntityAliasFactory(entity=entity, name="J. Doe")
    EntityAliasFactory(entity=entity, name="Doe")
    EntityFactory()
    entities = list(Entity.objects.prefetch_related("aliases").order_by("id"))
    assert_same(EntitySerializer, entities)
    assert sorted(fast(EntitySerializer, entities)[0]["aliases"]) == ["Doe", "J. Doe"]


def test_list_endpoints_give_each_object_as_its_detail_does(viewer_api, spans):
    """Through the API: a list item equals the same object's detail (generic path)."""
    ClaimFactory(verdict="false")
    for url in ("/api/spans/", "/api/claims/", "/api/entities/"):
        items = viewer_api.get(url).json()["results"]
        assert items
        for item in items:
            assert viewer_api.get(f"{url}{item['id']}/").json() == item
    articles = viewer_api.get("/api/articles/").json()["results"]
    detail = viewer_api.get(f"/api/articles/{articles[0]['id']}/").json()
    assert {key: detail[key] for key in articles[0]} == articles[0]


def test_rows_read_as_dicts_of_the_plan_columns_give_what_instances_give(spans):
    ClaimFactory(claimant=EntityFactory(), verdict="false", verdict_note="No.")
    ArticleFactory(published_at=None, imported_by=None)
    for serializer, model in (
        (SpanSerializer, Span),
        (ClaimSerializer, Claim),
        (ArticleListSerializer, Article),
    ):
        columns = row_plan(serializer).columns
        assert columns is not None, serializer
        rows = list(model.objects.order_by("id").values(*columns))
        assert fast(serializer, rows) == fast(serializer, list(model.objects.order_by("id")))
    # aliases need the instance (a prefetched relation): no dict rows for entities
    assert row_plan(EntitySerializer).columns is None


def test_nested_span_lists_give_each_span_as_its_detail_does(viewer_api, spans):
    article = spans[0].article_id
    entity = next(s.entity_id for s in spans if s.entity_id)
    speaker = next(s.speaker_id for s in spans if s.speaker_id)
    for url in (
        f"/api/articles/{article}/spans/",
        f"/api/entities/{entity}/mentions/",
        f"/api/entities/{speaker}/quotes/",
        f"/api/spans/?article={article}&ordering=created_at",
    ):
        items = viewer_api.get(url).json()["results"]
        assert items, url
        for item in items:
            assert viewer_api.get(f"/api/spans/{item['id']}/").json() == item


# --- filter forms built once per FilterSet class --------------------------------------------


def test_a_filterset_builds_its_form_class_once_and_validates_each_request_alone(spans):
    first = SpanFilter(QueryDict("kind=quote&article="), queryset=Span.objects.all())
    second = SpanFilter(QueryDict("kind=nonsense&article=999999"), queryset=Span.objects.all())
    assert type(first.form) is type(second.form)  # the same filters named: one form class
    assert first.form is not second.form
    assert sorted(s.pk for s in first.qs) == sorted(s.pk for s in spans if s.kind == "quote")
    assert set(second.errors) == {"kind", "article"}
    assert first.is_valid()


def test_a_filterset_copies_and_validates_only_the_filters_named(spans):
    named = SpanFilter(QueryDict("status=accepted&page_size=5"), queryset=Span.objects.all())
    assert list(named.filters) == ["status"]
    assert list(named.form.fields) == ["status"]
    # the declarations are never handed out: each request filters with its own copies
    assert named.filters["status"] is not SpanFilter.base_filters["status"]
    assert named.filters["status"].parent is named
    assert sorted(s.pk for s in named.qs) == sorted(s.pk for s in spans if s.status == "accepted")
    unfiltered = SpanFilter(QueryDict("ordering=-id"), queryset=Span.objects.all())
    assert unfiltered.is_valid()
    assert sorted(s.pk for s in unfiltered.qs) == sorted(s.pk for s in spans)


def test_a_filter_whose_queryset_depends_on_the_request_gets_a_form_class_per_request():
    def mine(request):
        return Entity.objects.filter(created_by=request.user)

    class MineFilter(FilterSet):
        entity = django_filters.ModelChoiceFilter(queryset=mine)

        class Meta:
            model = Span
            fields = ["entity"]

    request = RequestFactory().get("/")
    request.user = EditorFactory()
    a = MineFilter(QueryDict("entity="), queryset=Span.objects.all(), request=request)
    b = MineFilter(QueryDict("entity="), queryset=Span.objects.all(), request=request)
    assert type(a.form) is not type(b.form)


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1.5", "9" * 19, "12345678901234567890"])
def test_an_id_filter_refuses_ids_no_row_has(viewer_api, spans, value):
    for name in ("article", "entity", "speaker", "claim", "created_by"):
        response = viewer_api.get("/api/spans/", {name: value})
        assert response.status_code == 400, (name, value)
        assert "not one of the available choices" in response.json()[name][0]


def test_an_id_filter_keeps_the_rows_linked_to_that_id(viewer_api, spans):
    article = spans[0].article_id
    SpanFactory()  # on another article
    response = viewer_api.get("/api/spans/", {"article": f" {article} "})
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["results"]} == {s.pk for s in spans}
