import pytest
from django.core.exceptions import ValidationError

from annotations import services
from annotations.models import Claim, Span, SpanKind, SpanStatus
from tests.factories import ArticleFactory, EntityAliasFactory, EntityFactory, SpanFactory

pytestmark = pytest.mark.django_db


def test_span_create_stores_text_and_context(article, editor):
    start = article.body.index("Jane Doe")
    entity = EntityFactory(name="Jane Doe")
    span, created = services.span_create(
        article=article, kind="mention", start=start, end=start + 8, entity=entity, user=editor
    )
    assert created
    assert span.text == "Jane Doe"
    assert span.suffix.startswith(" said on Monday")
    assert span.created_by == editor


def test_span_create_trims_white_space(article):
    start = article.body.index(" Jane") if " Jane" in article.body else 0
    span, _ = services.span_create(article=article, kind="quote", start=start, end=start + 10)
    assert span.text == article.body[start : start + 10].strip()
    assert not span.text[0].isspace()
    assert not span.text[-1].isspace()


@pytest.mark.parametrize(
    ("start", "end", "text", "message"),
    [
        pytest.param(-1, 4, None, "within the article", id="negative"),
        pytest.param(0, 10_000, None, "within the article", id="past-end"),
        pytest.param(5, 5, None, "greater than start", id="empty"),
        pytest.param(9, 3, None, "greater than start", id="reversed"),
        pytest.param(0, 8, "John Roe", "not the text sent", id="text-mismatch"),
    ],
)
def test_span_create_rejects_bad_offsets(article, start, end, text, message):
    with pytest.raises(ValidationError, match=message):
        services.span_create(article=article, kind="quote", start=start, end=end, text=text)
    assert not Span.objects.exists()


def test_span_create_finds_text_and_reports_ambiguity(db):
    article = ArticleFactory(body="He said yes. She said yes. They said no.")
    span, _ = services.span_create(article=article, kind="quote", text="no")
    assert (span.start, span.end) == (37, 39)
    with pytest.raises(ValidationError, match="occurs 2 times"):
        services.span_create(article=article, kind="quote", text="yes")
    span, _ = services.span_create(article=article, kind="quote", text="yes", prefix="She said ")
    assert span.start == article.body.index("She said yes") + 9
    with pytest.raises(ValidationError, match="does not occur"):
        services.span_create(article=article, kind="quote", text="maybe")


def test_mention_needs_entity(article):
    with pytest.raises(ValidationError, match="needs the entity"):
        services.span_create(article=article, kind="mention", text="Springfield")


def test_same_span_twice_yields_one(article):
    first, created = services.span_create(article=article, kind="quote", text="Springfield")
    second, created_again = services.span_create(article=article, kind="quote", text="Springfield")
    assert created
    assert not created_again
    assert first.pk == second.pk
    assert Span.objects.count() == 1


def test_claim_span_creates_its_claim(article, editor):
    span, _ = services.span_create(
        article=article,
        kind=SpanKind.CLAIM,
        text="1,200 people use it daily.",
        verdict="true",
        user=editor,
    )
    claim = Claim.objects.get()
    assert span.claim == claim
    assert claim.text == "1,200 people use it daily."
    assert claim.reviewed_by == editor
    services.span_delete(span=span)
    assert Claim.objects.filter(pk=claim.pk).exists(), "a reviewed claim outlives its span"


def test_stale_version_is_refused(article):
    span = SpanFactory(article=article, kind="quote", quote="Springfield", entity=None)
    services.span_update(span=span, version=1, note="first")
    with pytest.raises(services.StaleVersion, match="changed by someone else"):
        services.span_update(span=span, version=1, note="second")
    span.refresh_from_db()
    assert span.note == "first"
    assert span.version == 2


def test_tag_all_mentions_uses_aliases_and_skips_tagged(db):
    article = ArticleFactory(body="Doe spoke. Jane Doe left. Does Doe know? Doe’s car. Doeville.")
    jane = EntityFactory(name="Jane Doe")
    EntityAliasFactory(entity=jane, name="Doe")
    services.span_create(article=article, kind="mention", text="Jane Doe", entity=jane)
    created = services.mentions_tag_all(article=article, entity=jane)
    texts = sorted(
        Span.objects.filter(article=article).values_list("start", "text"), key=lambda r: r[0]
    )
    assert [t for _, t in texts] == ["Doe", "Jane Doe", "Doe", "Doe"]
    assert len(created) == 3
    assert services.mentions_tag_all(article=article, entity=jane) == []


def test_entity_merge_moves_spans_and_keeps_name_as_alias(article):
    keep = EntityFactory(name="Antony Blinken")
    drop = EntityFactory(name="Anthony Blinken")
    span = SpanFactory(article=article, entity=drop)
    quote, _ = services.span_create(article=article, kind="quote", text="Springfield", speaker=drop)
    services.entity_merge(keep=keep, drop=drop)
    span.refresh_from_db()
    quote.refresh_from_db()
    assert span.entity == keep
    assert quote.speaker == keep
    assert list(keep.aliases.values_list("name", flat=True)) == ["Anthony Blinken"]


def test_entity_in_use_cannot_be_deleted(article):
    span = SpanFactory(article=article)
    with pytest.raises(ValidationError, match="still used by 1"):
        services.entity_delete(entity=span.entity)


def test_reject_then_accept(article):
    span, _ = services.span_create(
        article=article, kind="quote", text="Springfield", status=SpanStatus.SUGGESTED
    )
    span = services.span_reject(span=span)
    assert span.status == SpanStatus.REJECTED
    span = services.span_accept(span=span)
    assert span.status == SpanStatus.ACCEPTED
