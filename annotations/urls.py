from django.urls import path

from annotations import stats_views, views

urlpatterns = [
    path("articles/<int:article_id>/spans/new/", views.span_new, name="span-new"),
    path(
        "articles/<int:article_id>/entities/<int:entity_id>/tag-all/",
        views.mentions_tag_all,
        name="mentions-tag-all",
    ),
    path("articles/<int:article_id>/suggest/", views.article_suggest, name="article-suggest"),
    path(
        "articles/<int:article_id>/suggestions/<str:kind>/accept/",
        views.suggestions_decide,
        {"decision": "accept"},
        name="suggestions-accept-all",
    ),
    path(
        "articles/<int:article_id>/suggestions/<str:kind>/reject/",
        views.suggestions_decide,
        {"decision": "reject"},
        name="suggestions-reject-all",
    ),
    path("spans/<int:pk>/", views.span_detail, name="span-detail"),
    path("spans/<int:pk>/replace/", views.span_replace, name="span-replace"),
    path("spans/<int:pk>/matches/", views.span_matches, name="span-matches"),
    path("spans/<int:pk>/delete/", views.span_delete, name="span-delete"),
    path("spans/<int:pk>/accept/", views.span_accept, name="span-accept"),
    path("spans/<int:pk>/reject/", views.span_reject, name="span-reject"),
    path("entities/", views.entity_list, name="entity-list"),
    path("entities/duplicates/", views.entity_duplicates, name="entity-duplicates"),
    path("entities/merge/", views.entity_merge, name="entity-merge"),
    path("entities/<int:pk>/", views.entity_detail, name="entity-detail"),
    path("entities/<int:pk>/history/", views.entity_history, name="entity-history"),
    path("entities/<int:pk>/edit/", views.entity_edit, name="entity-edit"),
    path("entities/<int:pk>/aliases/", views.alias_add, name="alias-add"),
    path(
        "entities/<int:pk>/aliases/<int:alias_id>/delete/",
        views.alias_remove,
        name="alias-remove",
    ),
    path("history/<int:pk>/restore/", views.history_restore, name="history-restore"),
    path(
        "history/batches/<int:pk>/restore/",
        views.history_batch_restore,
        name="history-batch-restore",
    ),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<int:pk>/", views.claim_review, name="claim-review"),
    path("stats/", stats_views.stats_page, name="stats"),
]
