"""Article pages: the list (search, filters, counts) and the annotation workspace."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from annotations import selectors
from annotations.views import history_context, reader_required
from annotations.workspace import (
    workspace_articles,
    workspace_page,
    workspace_revisions,
    workspace_sources,
)
from articles.forms import ArticleFilterForm
from articles.models import Article
from newsdesk.roles import is_editor

PAGE_SIZE = 25


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def article_list(request):
    form = ArticleFilterForm(request.GET, sources=workspace_sources())
    articles = workspace_articles(**form.filters())
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "articles/list.html#article-list" if request.htmx else "articles/list.html"
    return render(request, template, context)


@require_GET
@reader_required
def article_workspace(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    context = workspace_page(article=article, can_edit=is_editor(request.user))
    return render(request, "articles/workspace.html", context)


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def article_panel(request, pk: int):
    """The side panel alone (refreshed after every write); the workspace without htmx."""
    article = get_object_or_404(Article, pk=pk)
    context = workspace_page(article=article, can_edit=is_editor(request.user))
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
    return render(request, "annotations/history.html", context)
