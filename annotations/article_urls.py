from django.urls import path

from annotations import article_views as views
from annotations import freshness_views

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_workspace, name="article-workspace"),
    path("articles/<int:pk>/panel/", views.article_panel, name="article-panel"),
    path("articles/<int:pk>/fresh/", freshness_views.article_fresh, name="article-fresh"),
    path("articles/<int:pk>/metadata/", views.article_metadata, name="article-metadata"),
    path("articles/<int:pk>/history/", views.article_history, name="article-history"),
]
