from django.contrib import admin
from django.urls import include, path

# A lost database outside a view (e.g. while saving the session) is a 503, not a 500; under
# /api/ a 404 or 500 is JSON ({"detail": …}) like the API's own errors, a page elsewhere.
handler404 = "newsdesk.api_views.not_found"
handler500 = "newsdesk.api_views.server_error"

urlpatterns = [
    path("api/", include("newsdesk.api_urls")),  # first: the most requested
    path("admin/", admin.site.urls),
    # Django's login views; django-axes locks them (newsdesk/auth.py).
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("annotations.urls")),
    path("", include("annotations.article_urls")),
    path("", include("annotations.team_urls")),
]
