"""/api/stats/: every figure of the hand-built archive (tests/stats_archive.py), exactly."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Gender
from tests import stats_archive as fixture
from tests.stats_archive import DAILY, HARBOUR


@pytest.fixture
def archive(db):
    return fixture.build()


def rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    data = response.json()
    return [(r["key"], r["label"], r["count"], r["share"]) for r in data["rows"]]


def test_quotes_by_speaker(viewer_api, archive):
    a = archive
    response = viewer_api.get("/api/stats/quotes/?group_by=speaker")
    assert response.json()["total"] == 9
    assert response.json()["status"] == "accepted"
    assert rows(response) == [
        (str(a.ana.pk), "Ana Ruiz", 4, 0.4444),
        (str(a.ben.pk), "Ben Okafor", 2, 0.2222),
        (str(a.cleo.pk), "Cleo Park", 1, 0.1111),
        (str(a.dan.pk), "Dan Frost", 1, 0.1111),
        ("none", "No speaker", 1, 0.1111),
    ]


def test_quotes_by_gender_role_affiliation(viewer_api, archive):
    a = archive
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=gender")) == [
        ("woman", "Woman", 4, 0.4444),
        ("man", "Man", 2, 0.2222),
        ("nonbinary", "Non-binary", 1, 0.1111),
        ("unknown", "Unknown", 1, 0.1111),
        ("none", "No speaker", 1, 0.1111),
    ]
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=role")) == [
        ("politician", "Politician", 4, 0.4444),
        ("expert", "Expert", 2, 0.2222),
        ("advocate", "Advocate", 1, 0.1111),
        ("unknown", "Unknown", 1, 0.1111),
        ("none", "No speaker", 1, 0.1111),
    ]
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=affiliation")) == [
        (str(a.green.pk), "Green Party", 4, 0.4444),
        ("none", "No affiliation", 3, 0.3333),
        (str(a.lakeside.pk), "Lakeside University", 2, 0.2222),
    ]


def test_quotes_by_source_and_month(viewer_api, archive):
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=source")) == [
        (DAILY, DAILY, 5, 0.5556),
        (HARBOUR, HARBOUR, 2, 0.2222),
        ("", "Unknown outlet", 2, 0.2222),
    ]
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=month")) == [
        ("2023-10", "Oct 2023", 5, 0.5556),
        ("2023-11", "Nov 2023", 2, 0.2222),
        ("undated", "Undated", 2, 0.2222),
    ]


def test_quotes_by_source_split_by_gender(viewer_api, archive):
    data = viewer_api.get("/api/stats/quotes/?group_by=source&split_by=gender").json()
    assert data["split_keys"] == [
        {"key": "woman", "label": "Woman"},
        {"key": "man", "label": "Man"},
        {"key": "nonbinary", "label": "Non-binary"},
        {"key": "unknown", "label": "Unknown"},
        {"key": "none", "label": "No speaker"},
    ]
    assert [(r["key"], r["count"], r["splits"]) for r in data["rows"]] == [
        (DAILY, 5, {"woman": 3, "man": 1, "nonbinary": 1, "unknown": 0, "none": 0}),
        (HARBOUR, 2, {"woman": 1, "man": 1, "nonbinary": 0, "unknown": 0, "none": 0}),
        ("", 2, {"woman": 0, "man": 0, "nonbinary": 0, "unknown": 1, "none": 1}),
    ]


def test_quotes_by_month_split_by_role(viewer_api, archive):
    data = viewer_api.get("/api/stats/quotes/?group_by=month&split_by=role").json()
    assert [s["key"] for s in data["split_keys"]] == [
        "politician",
        "expert",
        "advocate",
        "unknown",
        "none",
    ]
    assert [(r["key"], r["count"], r["splits"]) for r in data["rows"]] == [
        ("2023-10", 5, {"politician": 3, "expert": 2, "advocate": 0, "unknown": 0, "none": 0}),
        ("2023-11", 2, {"politician": 1, "expert": 0, "advocate": 1, "unknown": 0, "none": 0}),
        ("undated", 2, {"politician": 0, "expert": 0, "advocate": 0, "unknown": 1, "none": 1}),
    ]


def test_filters_source_dates_status(viewer_api, archive):
    a = archive
    assert rows(viewer_api.get(f"/api/stats/quotes/?group_by=speaker&source={DAILY}")) == [
        (str(a.ana.pk), "Ana Ruiz", 3, 0.6),
        (str(a.ben.pk), "Ben Okafor", 1, 0.2),
        (str(a.cleo.pk), "Cleo Park", 1, 0.2),
    ]
    # Dated filters leave undated articles out; before is exclusive.
    query = "group_by=source&published_after=2023-10-15&published_before=2023-11-03T09:30:00Z"
    assert rows(viewer_api.get(f"/api/stats/quotes/?{query}")) == [
        (HARBOUR, HARBOUR, 2, 1.0),
    ]
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=speaker&status=suggested")) == [
        (str(a.dan.pk), "Dan Frost", 1, 1.0),
    ]
    assert rows(viewer_api.get("/api/stats/quotes/?group_by=speaker&status=rejected")) == [
        (str(a.ben.pk), "Ben Okafor", 1, 1.0),
    ]
    empty = viewer_api.get("/api/stats/quotes/?group_by=speaker&source=Nowhere").json()
    assert empty["total"] == 0
    assert empty["rows"] == []


def test_limit_keeps_shares_of_the_whole(viewer_api, archive):
    data = viewer_api.get("/api/stats/quotes/?group_by=speaker&limit=2").json()
    assert data["total"] == 9
    assert [(r["label"], r["share"]) for r in data["rows"]] == [
        ("Ana Ruiz", 0.4444),
        ("Ben Okafor", 0.2222),
    ]


def test_claims(viewer_api, archive):
    a = archive
    assert rows(viewer_api.get("/api/stats/claims/?group_by=verdict")) == [
        ("true", "True", 1, 0.3333),
        ("false", "False", 2, 0.6667),
    ]
    assert rows(viewer_api.get("/api/stats/claims/?group_by=claimant")) == [
        (str(a.ana.pk), "Ana Ruiz", 2, 0.6667),
        (str(a.ben.pk), "Ben Okafor", 1, 0.3333),
    ]
    assert rows(viewer_api.get("/api/stats/claims/?group_by=source")) == [
        (DAILY, DAILY, 2, 0.6667),
        (HARBOUR, HARBOUR, 1, 0.3333),
    ]
    data = viewer_api.get("/api/stats/claims/?group_by=month&split_by=verdict").json()
    assert [(r["key"], r["count"], r["splits"]) for r in data["rows"]] == [
        ("2023-10", 2, {"true": 0, "false": 2}),
        ("2023-11", 1, {"true": 1, "false": 0}),
    ]


def test_reuse(viewer_api, archive):
    a = archive
    data = viewer_api.get("/api/stats/reuse/").json()
    assert len(data) == 1
    reuse = data[0]
    assert reuse["speaker"] == a.ana.pk
    assert reuse["speaker_name"] == "Ana Ruiz"
    assert reuse["articles"] == 3
    assert reuse["outlets"] == [DAILY, HARBOUR]
    assert reuse["words_differ"] is True
    assert reuse["first"]["article"] == a.a1.pk
    assert reuse["first"]["published_at"] == "2023-10-12T09:30:00Z"
    assert [x["article"] for x in reuse["appearances"]] == [a.a1.pk, a.a3.pk, a.a2.pk]
    assert [x["text"] for x in reuse["appearances"]] == [
        fixture.Q_A,
        fixture.Q_A_CHANGED,
        fixture.Q_A,
    ]
    assert reuse["diff_url"] == reverse("span-matches", args=[reuse["first"]["span"]])
    # One outlet: the same words twice.
    daily = viewer_api.get(f"/api/stats/reuse/?source={DAILY}").json()
    assert [(r["articles"], r["outlets"], r["words_differ"]) for r in daily] == [
        (2, [DAILY], False)
    ]
    assert viewer_api.get(f"/api/stats/reuse/?source={HARBOUR}").json() == []


def test_csv(viewer_api, archive):
    response = viewer_api.get("/api/stats/quotes/?group_by=source&split_by=gender&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="quotes-by-source-by-gender.csv"' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table == [
        ["key", "label", "count", "share", "Woman", "Man", "Non-binary", "Unknown", "No speaker"],
        [DAILY, DAILY, "5", "0.5556", "3", "1", "1", "0", "0"],
        [HARBOUR, HARBOUR, "2", "0.2222", "1", "1", "0", "0", "0"],
        ["", "Unknown outlet", "2", "0.2222", "0", "0", "0", "1", "1"],
    ]
    claims = viewer_api.get("/api/stats/claims/?group_by=verdict&format=csv")
    assert claims.content.decode().splitlines() == [
        "key,label,count,share",
        "true,True,1,0.3333",
        "false,False,2,0.6667",
    ]
    reuse = viewer_api.get("/api/stats/reuse/?format=csv").content.decode().splitlines()
    assert reuse[0] == (
        "first_span,speaker,articles,outlets,first_article,first_published,words_differ,text"
    )
    assert reuse[1].startswith(f"{archive.a1.spans.get(text=fixture.Q_A).pk},Ana Ruiz,3,")
    assert f",{archive.a1.pk},2023-10-12,yes,{fixture.Q_A}" in reuse[1]


def test_a_label_never_becomes_a_spreadsheet_formula(viewer_api, archive):
    archive.a1.source = "=HYPERLINK(1)"
    archive.a1.save()
    text = viewer_api.get("/api/stats/quotes/?group_by=source&format=csv").content.decode()
    assert "=HYPERLINK(1),'=HYPERLINK(1),3," in text


def test_an_edit_shows_in_the_next_request(editor_api, archive):
    """No cache: figures follow the data at once."""
    before = rows(editor_api.get("/api/stats/quotes/?group_by=gender"))
    assert before[2] == ("nonbinary", "Non-binary", 1, 0.1111)
    response = editor_api.patch(
        f"/api/entities/{archive.cleo.pk}/", {"gender": "woman"}, format="json"
    )
    assert response.status_code == 200, response.content
    after = rows(editor_api.get("/api/stats/quotes/?group_by=gender"))
    assert after[0] == ("woman", "Woman", 5, 0.5556)
    assert "nonbinary" not in [key for key, *_ in after]


@pytest.mark.parametrize(
    "query",
    [
        "group_by=height",
        "",
        "group_by=speaker&split_by=speaker",
        "group_by=speaker&status=maybe",
        "group_by=speaker&published_after=yesterday",
        "group_by=speaker&published_after=2023-11-01&published_before=2023-10-01",
        "group_by=speaker&limit=0",
        "group_by=speaker&format=xls",
    ],
)
def test_bad_parameters_are_400(viewer_api, archive, query):
    response = viewer_api.get(f"/api/stats/quotes/?{query}")
    assert response.status_code == 400


def test_claims_take_only_claim_groups(viewer_api, archive):
    assert viewer_api.get("/api/stats/claims/?group_by=gender").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/stats/quotes/?group_by=speaker",
        "/api/stats/claims/?group_by=verdict",
        "/api/stats/reuse/",
    ],
)
def test_readers_read_anonymous_refused_nobody_writes(editor, viewer, archive, path):
    clients = {}
    for name, user in (("viewer", viewer), ("editor", editor), ("anonymous", None)):
        clients[name] = APIClient()
        if user is not None:
            clients[name].force_login(user)
    as_viewer = clients["viewer"].get(path)
    as_editor = clients["editor"].get(path)
    assert as_viewer.status_code == as_editor.status_code == 200
    assert as_viewer.json() == as_editor.json()
    assert as_viewer.json()  # not empty: the same figures for both
    assert clients["anonymous"].get(path).status_code == 401
    assert clients["editor"].post(path, {}).status_code == 405


def test_query_counts(viewer_api, archive, django_assert_num_queries):
    # What any signed-in request costs (session, user with roles), then one query per table;
    # reused quotes: the groups, then the appearances of those shown.
    with CaptureQueriesContext(connection) as stack:
        viewer_api.get("/api/")
    for path, queries in (
        ("/api/stats/quotes/?group_by=source&split_by=gender", 1),
        ("/api/stats/claims/?group_by=month&split_by=verdict&source=x", 1),
        ("/api/stats/reuse/", 2),
        ("/api/stats/reuse/?limit=1", 2),
    ):
        with django_assert_num_queries(len(stack) + queries):
            viewer_api.get(path)


def test_speaker_attributes_only_for_people(editor_api, archive):
    response = editor_api.patch(
        f"/api/entities/{archive.green.pk}/", {"gender": Gender.WOMAN}, format="json"
    )
    assert response.status_code == 400
    response = editor_api.patch(
        f"/api/entities/{archive.ana.pk}/", {"affiliation": archive.ben.pk}, format="json"
    )
    assert response.status_code == 400
    assert "affiliation" in response.json()
    archive.ana.refresh_from_db()
    assert archive.ana.affiliation_id == archive.green.pk


def test_schema_documents_the_parameters(viewer_api):
    schema = viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    quotes = paths["/api/stats/quotes/"]["get"]
    names = {p["name"] for p in quotes["parameters"]}
    assert names >= {
        "group_by",
        "split_by",
        "source",
        "published_after",
        "published_before",
        "status",
        "format",
        "limit",
    }
    assert all(p.get("description") for p in quotes["parameters"])
    assert {p["name"] for p in paths["/api/stats/reuse/"]["get"]["parameters"]} >= {
        "source",
        "published_after",
        "published_before",
        "status",
        "format",
    }
    assert services.SPEAKER_FIELDS == ("gender", "role", "affiliation")
