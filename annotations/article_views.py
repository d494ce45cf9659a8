"""Article pages: the list (search, filters, counts) and the annotation workspace."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from annotations import selectors, stats, team_selectors
from annotations.article_forms import ArticleFilterForm, ArticleMetadataForm
from annotations.models import Entity
from annotations.team_forms import BulkAssignForm
from annotations.views import editor_required, history_context, reader_required
from annotations.workspace import (
    workspace_articles,
    workspace_page,
    workspace_revisions,
    workspace_sources,
)
from articles import services
from articles.models import Article
from newsdesk.roles import is_editor

PAGE_SIZE = 25


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def article_list(request):
    form = ArticleFilterForm(request.GET, sources=workspace_sources())
    articles = stats.articles_containing(workspace_articles(**form.filters()), **form.contents())
    after, before = form.published()
    if after is not None:
        articles = articles.filter(published_at__gte=after)
    if before is not None:
        articles = articles.filter(published_at__lt=before)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "named": _named_filters(form, request.GET),
    }
    if is_editor(request.user):  # the bulk assignment form beside the list
        context["assign_form"] = BulkAssignForm()
    template = "articles/list.html#article-list" if request.htmx else "articles/list.html"
    return render(request, template, context)


def _named_filters(form: ArticleFilterForm, params) -> list[dict]:
    """The speaker and entity the list is filtered by, named, each with a link without it."""
    if not form.is_valid():
        return []
    named = []
    for field, label in (("speaker", "Quoting"), ("entity", "Mentioning")):
        pk = form.cleaned_data[field]
        if pk is None:
            continue
        entity = Entity.objects.filter(pk=pk).only("name").first()
        without = params.copy()
        without.pop(field, None)
        without.pop("page", None)
        name = entity.name if entity else f"entity #{pk} (no longer exists)"
        named.append({"label": label, "name": name, "without": without.urlencode()})
    return named


@require_GET
@reader_required
def article_workspace(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    context = workspace_page(
        article=article, can_edit=is_editor(request.user), layer_id=layer.pk if layer else None
    )
    return render(request, "articles/workspace.html", context)


@require_POST
@editor_required
@vary_on_headers("HX-Request")
def article_metadata(request, pk: int):
    """Set the outlet and publication day from the workspace header (the text is untouched)."""
    article = get_object_or_404(Article.objects.defer("body", "original"), pk=pk)
    form = ArticleMetadataForm(request.POST)
    status = 422
    if form.is_valid():
        day = form.cleaned_data["published_at"]
        changes = {"source": form.cleaned_data["source"]}
        current = article.published_at.date() if article.published_at else None
        if day != current:  # the form shows the day; a time the API set stays if it is kept
            changes["published_at"] = (
                None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            )
        try:
            article = services.article_metadata_update(
                article=article, user=request.user, **changes
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            if not request.htmx:
                return redirect("article-workspace", pk=pk)
            status = 200
    context = {
        "article": article,
        "can_edit": True,
        "meta_form": form if status == 422 else None,
        "meta_saved": status == 200,
    }
    template = "articles/workspace.html#article-meta" if request.htmx else "articles/workspace.html"
    if not request.htmx:  # the whole page again, with the form's errors
        context = {**workspace_page(article=article, can_edit=True), **context}
    return render(request, template, context, status=status)


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def article_panel(request, pk: int):
    """The side panel alone (refreshed after every write); the workspace without htmx."""
    article = get_object_or_404(Article, pk=pk)
    layer = team_selectors.working_layer(user=request.user, article_id=article.pk)
    context = workspace_page(
        article=article, can_edit=is_editor(request.user), layer_id=layer.pk if layer else None
    )
    template = "articles/workspace.html#side-panel" if request.htmx else "articles/workspace.html"
    return render(request, template, context)


@require_GET
@reader_required
def article_history(request, pk: int):
    """Who created, changed, accepted, rejected, merged or deleted what in the article, with
    the previous values, and the article's earlier revisions; deleted spans can come back."""
    article = get_object_or_404(
        Article.objects.defer("body", "original").select_related("imported_by"), pk=pk
    )
    entries = selectors.history_for_article(article=article)
    revisions = list(workspace_revisions(article=article))
    context = history_context(request, entries, article=article, entity=None, revisions=revisions)
    # A deleted span's thread stays readable here (the span may come back with it).
    context["deleted_comments"] = list(
        team_selectors.deleted_span_comments(user=request.user, article_id=article.pk)[:200]
    )
    return render(request, "annotations/history.html", context)
