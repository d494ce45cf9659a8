import pytest
from django.contrib.auth import get_user_model

from annotations.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_creates_an_assignment_through_the_service(client, article):
    admin = get_user_model().objects.create_superuser("boss", "b@x.org", "pw")
    alice = factories.EditorFactory()
    client.force_login(admin)
    response = client.post(
        "/admin/annotations/assignment/add/",
        {"article": article.pk, "assignee": alice.pk, "task": "annotate", "status": "open"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Assignment.objects.get()
    assert (made.assignee, made.created_by) == (alice, admin)
    assert client.get("/admin/annotations/assignment/").status_code == 200
