import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations.models import (
    Assignment,
    Claim,
    Entity,
    EntityAlias,
    Span,
    SpanKind,
    SpanStatus,
)
from articles.models import Article
from newsdesk.roles import EDITORS, REVIEWERS, VIEWERS

BODY = (
    "Jane Doe said on Monday that the bridge would reopen. “We will have it open by May,” "
    "she told reporters in Springfield. The council said 1,200 people use it daily."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted)


def _join(user, create, names):
    if create and names:
        user.groups.add(*Group.objects.filter(name__in=names))


class EditorFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or [EDITORS])


class ViewerFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or [VIEWERS])


class ReviewerFactory(UserFactory):
    """An editor who also reviews."""

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or [EDITORS, REVIEWERS])


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Bridge to reopen, council says ({n})")
    body = BODY
    original = factory.LazyAttribute(lambda a: f"{a.title}\n\n{a.body}\n")
    source_file = factory.Sequence(lambda n: f"article-{n}.txt")
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    word_count = factory.LazyAttribute(lambda a: len(a.body.split()))


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Person {n}")
    kind = "PERSON"


class EntityAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntityAlias

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = "1,200 people use the bridge daily."


class SpanFactory(factory.django.DjangoModelFactory):
    """A span over the first occurrence of `text` in the article body."""

    class Meta:
        model = Span

    class Params:
        quote = "Jane Doe"

    article = factory.SubFactory(ArticleFactory)
    kind = SpanKind.MENTION
    status = SpanStatus.ACCEPTED
    start = factory.LazyAttribute(lambda s: s.article.body.index(s.quote))
    end = factory.LazyAttribute(lambda s: s.start + len(s.quote))
    text = factory.LazyAttribute(lambda s: s.article.body[s.start : s.end])
    entity = factory.LazyAttribute(
        lambda s: EntityFactory() if s.kind == SpanKind.MENTION else None
    )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    article = factory.SubFactory(ArticleFactory)
    assignee = factory.SubFactory(EditorFactory)
    task = "annotate"
    blind = False
