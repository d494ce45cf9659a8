"""Everything under /api/. Other apps add routes by registering on `router` (or appending
to `urlpatterns`) here. Actions on one object are `@action`s of its ViewSet: e.g.
articles/<id>/suggest/ and suggestions/ (annotations.article_api), spans/<id>/matches/,
entities/duplicates/ and entities/<id>/merge/ (annotations.api).
"""

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from annotations import api as annotations_api
from annotations import article_api as articles_api
from annotations import stats_api, team_api
from newsdesk.api import ID_REGEX
from newsdesk.api_views import TokenObtainView


# Here, not in newsdesk.api_views: drf_spectacular.views imports the schema class from there.
class SchemaView(SpectacularAPIView):
    """The OpenAPI document: YAML by default; JSON with ``?format=json`` or an ``Accept``
    header (``application/json``, ``application/vnd.oai.openapi+json``), YAML with
    ``?format=yaml``. Another ``?format=`` is a 404, as DRF answers a format it lacks.
    (The API's other views negotiate with Accept only: settings.URL_FORMAT_OVERRIDE.)"""

    def get_format_suffix(self, **kwargs):
        return self.request.query_params.get("format") or super().get_format_suffix(**kwargs)


router = DefaultRouter()
# Formats are negotiated with the Accept header only (settings.URL_FORMAT_OVERRIDE): no
# "articles.json" twin of every route, which also halves the patterns a request is matched
# against (resolving was 6 % of a list request's CPU, bench).
router.include_format_suffixes = False
router.register("articles", articles_api.ArticleViewSet, basename="api-article")
router.register(
    rf"articles/(?P<article_pk>{ID_REGEX})/spans",
    annotations_api.ArticleSpanViewSet,
    basename="api-article-spans",
)
router.register("spans", annotations_api.SpanViewSet, basename="api-span")
router.register("entities", annotations_api.EntityViewSet, basename="api-entity")
router.register(
    rf"entities/(?P<entity_pk>{ID_REGEX})/quotes",
    annotations_api.EntityQuoteViewSet,
    basename="api-entity-quotes",
)
router.register(
    rf"entities/(?P<entity_pk>{ID_REGEX})/mentions",
    annotations_api.EntityMentionViewSet,
    basename="api-entity-mentions",
)
router.register("claims", annotations_api.ClaimViewSet, basename="api-claim")
router.register(
    "history/batches", annotations_api.HistoryBatchViewSet, basename="api-history-batch"
)
router.register("assignments", team_api.AssignmentViewSet, basename="api-assignment")
router.register("comments", team_api.CommentViewSet, basename="api-comment")
router.register("notifications", team_api.NotificationViewSet, basename="api-notification")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("stats/quotes/", stats_api.QuoteStatsView.as_view(), name="api-stats-quotes"),
    path("stats/claims/", stats_api.ClaimStatsView.as_view(), name="api-stats-claims"),
    path("stats/reuse/", stats_api.ReuseStatsView.as_view(), name="api-stats-reuse"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Swagger UI only: ReDoc's bundle loads its logo from a CDN, which the CSP refuses (and no
    # option turns that off). The old ReDoc address leads to the Swagger UI.
    path("redoc/", RedirectView.as_view(pattern_name="api-docs"), name="api-redoc"),
    path("spans/<int:pk>/review/", team_api.SpanReviewView.as_view(), name="api-span-review"),
    path("agreement/", team_api.AgreementView.as_view(), name="api-agreement"),
    path(
        "articles/<int:article_pk>/agreement/",
        team_api.AgreementView.as_view(),
        name="api-article-agreement",
    ),
    path("", include(router.urls)),
]
