from django.urls import path

from annotations import team_views

urlpatterns = [
    path("queue/", team_views.queue, name="queue"),
    path("queue/<int:pk>/submit/", team_views.queue_submit, name="queue-submit"),
    path("assignments/bulk/", team_views.assignments_bulk, name="assignments-bulk"),
    path("articles/<int:pk>/agreement/", team_views.article_agreement, name="article-agreement"),
    path("articles/<int:pk>/curate/", team_views.article_curate, name="article-curate"),
    path(
        "spans/<int:pk>/approve/",
        team_views.span_review,
        {"decision": "approve"},
        name="span-approve",
    ),
    path(
        "spans/<int:pk>/request-changes/",
        team_views.span_review,
        {"decision": "request_changes"},
        name="span-request-changes",
    ),
    path("spans/<int:pk>/comments/", team_views.span_comments, name="span-comments"),
    path("notifications/", team_views.notifications, name="notifications"),
    path("notifications/count/", team_views.notifications_count, name="notifications-count"),
    path("notifications/read/", team_views.notifications_read, name="notifications-read"),
]
