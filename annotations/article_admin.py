"""The article admin with its annotation counts: articles' own ArticleAdmin (import, replace
text, revisions) plus the quotes, mentions and claims columns, which need the spans. It takes
ArticleAdmin's place in the admin site, so articles imports nothing from annotations."""

from django.contrib import admin
from django.db.models import Count, Q

from annotations.models import SpanKind
from articles.admin import ArticleAdmin
from articles.models import Article


class ArticleWithSpansAdmin(ArticleAdmin):
    list_display = [
        "headline",
        "source_file",
        "word_count",
        "quotes",
        "mentions",
        "claims",
        "revision",
        "imported_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_quotes=Count("spans", filter=Q(spans__kind=SpanKind.QUOTE)),
                n_mentions=Count("spans", filter=Q(spans__kind=SpanKind.MENTION)),
                n_claims=Count("spans", filter=Q(spans__kind=SpanKind.CLAIM)),
            )
        )

    @admin.display(ordering="n_quotes")
    def quotes(self, obj):
        return obj.n_quotes

    @admin.display(ordering="n_mentions")
    def mentions(self, obj):
        return obj.n_mentions

    @admin.display(ordering="n_claims")
    def claims(self, obj):
        return obj.n_claims


admin.site.unregister(Article)
admin.site.register(Article, ArticleWithSpansAdmin)
