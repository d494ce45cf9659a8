"""A list whose queryset depends on who asks shows each user their own rows.

The reproduction from issue 13: with the compiled list plans, the first editor's id stayed in
the SQL kept for this list's shape, and the second editor was shown the first editor's claim.
The subclass is routed only here (its own URLconf), as the coming per-user lists (assignment
queues, review lists) will be routed in the app.
"""

import pytest
from django.urls import include, path
from rest_framework.authtoken.models import Token
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from annotations.api import ClaimViewSet
from annotations.models import Claim
from tests.factories import ClaimFactory, EditorFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_passwords"),
    pytest.mark.urls(__name__),
]


class MyClaimViewSet(ClaimViewSet):
    def get_queryset(self):
        return Claim.objects.filter(created_by=self.request.user)


router = DefaultRouter()
router.register("my-claims", MyClaimViewSet, basename="api-my-claim")
urlpatterns = [path("api/", include(router.urls))]


def client_of(user) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def listed(client: APIClient, query: str = "?verdict=false") -> list[str]:
    response = client.get(f"/api/my-claims/{query}")
    assert response.status_code == 200, response.content
    return [claim["text"] for claim in response.json()["results"]]


def test_each_editor_sees_only_their_own_claim():
    first, second = EditorFactory(), EditorFactory()
    ClaimFactory(text="First's claim.", verdict="false", created_by=first)
    ClaimFactory(text="Second's claim.", verdict="false", created_by=second)
    first_api, second_api = client_of(first), client_of(second)

    # The same shape of request, one user after the other, and back.
    assert listed(first_api) == ["First's claim."]
    assert listed(second_api) == ["Second's claim."]
    assert listed(first_api) == ["First's claim."]
    # Other shapes (no filter, a page size, the next page of a cursor) too.
    assert listed(second_api, "") == ["Second's claim."]
    assert listed(second_api, "?verdict=false&page_size=1") == ["Second's claim."]
    assert listed(first_api, "?verdict=true") == []


def test_a_cursor_page_stays_within_the_users_own_claims():
    first, second = EditorFactory(), EditorFactory()
    mine = [ClaimFactory(text=f"Mine {i}", verdict="false", created_by=first) for i in range(3)]
    ClaimFactory.create_batch(3, text="Theirs", verdict="false", created_by=second)
    first_api = client_of(first)

    seen, url = [], "/api/my-claims/?verdict=false&page_size=2"
    while url:
        page = first_api.get(url).json()
        seen += [claim["id"] for claim in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(claim.pk for claim in mine)
