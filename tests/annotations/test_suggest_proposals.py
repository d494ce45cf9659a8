"""The quote suggester's speaker confidence and evidence reach the span's proposal."""

import pytest

from annotations import suggesting
from annotations.models import Span
from articles.models import Article

pytestmark = pytest.mark.django_db


def test_a_sure_and_an_unsure_speaker_are_told_apart_in_the_proposal():
    article = Article.objects.create(
        title="Bridge",
        body=(
            "“Traffic will flow by June,” said Lee Park, a spokesman for the mayor.\n\n"
            "Neighbours hung their washing out and shouted “We are still here, all of us”."
        ),
    )
    suggesting.article_suggest(article=article)
    sure = Span.objects.get(article=article, kind="quote", text="Traffic will flow by June")
    unsure = Span.objects.get(article=article, kind="quote", text__startswith="We are still")
    assert sure.proposal["speaker"] == unsure.proposal["speaker"] == "Lee Park"
    assert sure.proposal["speaker_confidence"] >= 0.8
    assert sure.proposal["evidence"] == "verb then name"
    assert unsure.proposal["speaker_confidence"] < 0.5
    assert unsure.proposal["evidence"] == "last speaker"
