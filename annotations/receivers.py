"""What annotations does when an article changes: connected to articles.signals in
AnnotationsConfig.ready, so that articles never imports annotations."""

from __future__ import annotations

from annotations.services import spans_reanchor
from annotations.suggesting import article_suggest
from articles.signals import ReanchorReport


def reanchor_on_revision(sender, *, article, old_body: str, user=None, **kwargs) -> ReanchorReport:
    return spans_reanchor(article=article, old_body=old_body, user=user)


def suggest_on_import(sender, *, article, user=None, **kwargs) -> None:
    article_suggest(article=article, user=user)
