"""Compiled list plans (newsdesk.plans): a list request whose shape has a plan runs the kept SQL
with its own values, and answers exactly what building its queryset answers: same status, body,
headers and number of queries, on every page forward and back; writes show at once."""

import base64
import datetime as dt

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.models import Claim, Span, SpanKind, SpanStatus
from newsdesk import plans
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityFactory,
    SpanFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

BODY = (
    "Jane Doe said the bridge carries 1,200 cars a day. The council disagreed. "
    "Jane Doe met the council on Monday, and the bridge stays shut."
)
WHEN = dt.datetime(2024, 3, 31, 1, 59, 58, 123456, tzinfo=dt.UTC)


@pytest.fixture
def world():
    """Two articles with spans of every kind and status; several spans share a created_at
    (and a start), so cursors need offsets; claims with verdicts."""
    editor = EditorFactory()
    jane, council = EntityFactory(name="Jane Doe"), EntityFactory(name="Council", kind="ORG")
    first = ArticleFactory(body=BODY, source="The Daily")
    second = ArticleFactory(body=BODY, source="The Weekly")
    claims = [
        ClaimFactory(claimant=jane, verdict="false", text="The bridge carries 1,200 cars."),
        ClaimFactory(claimant=jane, verdict="true"),
        ClaimFactory(claimant=council, verdict="false"),
        ClaimFactory(verdict="misleading", text="It stays shut."),
    ]
    for article in (first, second):
        for quote in ("Jane Doe", "the bridge", "council", "Monday"):
            SpanFactory(article=article, quote=quote, entity=jane, created_by=editor)
        SpanFactory(
            article=article,
            quote="the bridge carries 1,200 cars a day",
            kind=SpanKind.QUOTE,
            entity=None,
            speaker=jane,
            status=SpanStatus.SUGGESTED,
            origin="quotes-v1",
            confidence=0.5,
        )
        SpanFactory(
            article=article, quote="The council disagreed", kind=SpanKind.QUOTE, entity=None
        )
        SpanFactory(article=article, quote="council", entity=council, status=SpanStatus.REJECTED)
        SpanFactory(
            article=article,
            quote="1,200 cars a day",
            kind=SpanKind.CLAIM,
            entity=None,
            claim=claims[0],
        )
    # Ties: equal created_at for a run of spans, equal starts for two of them.
    tied = list(Span.objects.order_by("id").values_list("id", flat=True)[2:9])
    Span.objects.filter(id__in=tied).update(created_at=WHEN)
    Claim.objects.filter(pk__in=[claims[1].pk, claims[2].pk]).update(created_at=WHEN)
    return {
        "editor": editor,
        "jane": jane,
        "council": council,
        "first": first,
        "second": second,
        "claim": claims[0],
    }


@pytest.fixture
def runs(monkeypatch):
    """Counts the requests a plan answered (Plan.run giving rows, not None)."""
    counts = {"planned": 0}
    run = plans.Plan.run

    def counting(self, *args, **kwargs):
        rows = run(self, *args, **kwargs)
        counts["planned"] += rows is not None
        return rows

    monkeypatch.setattr(plans.Plan, "run", counting)
    return counts


def fetch(client, path, planned: bool, monkeypatch):
    monkeypatch.setattr(plans, "ENABLED", planned)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


def assert_same(client, path, monkeypatch):
    """The built answer, then twice the planned one (the first may compile the plan): equal
    status, bytes, headers and query counts. Returns the built response."""
    want, count = fetch(client, path, False, monkeypatch)
    for _ in range(2):
        got, got_count = fetch(client, path, True, monkeypatch)
        assert got.status_code == want.status_code, path
        assert got.content == want.content, path
        assert dict(got.headers) == dict(want.headers), path
        assert got_count == count, path
    return want


def walk(client, path, monkeypatch) -> int:
    """Every page forward, then back to the first, each compared; the number of pages."""
    pages = 0
    url, step = path, "next"
    seen_last = False
    while url:
        response = assert_same(client, url, monkeypatch)
        assert response.status_code == 200, response.content
        pages += 1
        body = response.json()
        if step == "next" and not body["next"]:
            step, seen_last = "previous", True
        url = body[step]
        assert pages < 60
    assert seen_last
    return pages


SPAN_QUERIES = [
    "",
    "?article={first}",
    "?kind=quote&speaker={jane}",
    "?kind=quote&kind=mention",
    "?kind=quote&kind=mention&kind=quote",
    "?kind=quote&kind=mention&kind=claim",
    "?status=accepted&status=suggested&origin=editor",
    "?entity={jane}&status=accepted",
    "?claim={claim}",
    "?created_by={editor}",
    "?created_after=2020-01-01&created_before=2100-01-01T00:00:00%2B02:00",
    "?created_after=2024-03-31T01:59:58.123456Z",
    "?ordering=created_at",
    "?ordering=-created_at&article={second}",
    "?origin=",
    "?article={first}&kind=mention&page_size=2",
    "?q=bridge",
]
NESTED = [
    "/api/articles/{first}/spans/",
    "/api/articles/{first}/spans/?ordering=-created_at",
    "/api/articles/{second}/spans/?kind=mention&status=accepted",
    "/api/articles/{first}/spans/?ordering=start&page_size=4",
    "/api/entities/{jane}/quotes/",
    "/api/entities/{jane}/mentions/?status=accepted",
    "/api/entities/{council}/mentions/?article={first}",
]
CLAIMS = [
    "",
    "?verdict=false",
    "?verdict=false&verdict=true",
    "?claimant={jane}",
    "?claimant={jane}&verdict=false",
    "?ordering=created_at",
    "?q=bridge",
]
ARTICLES = [
    "",
    "?source=The+Daily",
    "?imported_after=2020-01-01",
    "?ordering=imported_at",
    "?q=bridge",
]
PATHS = [
    *(f"/api/spans/{query}" for query in SPAN_QUERIES),
    *NESTED,
    *(f"/api/claims/{query}" for query in CLAIMS),
    *(f"/api/articles/{query}" for query in ARTICLES),
]


def ids(world) -> dict:
    return {name: getattr(value, "pk", value) for name, value in world.items()}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("page_size", [3, 50])
def test_every_page_forward_and_back_is_what_building_gives(
    viewer_api, world, monkeypatch, path, page_size
):
    path = path.format(**ids(world))
    if "page_size" not in path:
        path += ("&" if "?" in path else "?") + f"page_size={page_size}"

    pages = walk(viewer_api, path, monkeypatch)

    assert pages >= 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/spans/?kind=quote&speaker={jane}",
        "/api/spans/?article={first}&status=accepted&status=rejected",
        "/api/spans/?ordering=created_at",
        "/api/articles/{first}/spans/",
        "/api/entities/{jane}/mentions/",
        "/api/claims/?verdict=false&verdict=misleading",
        "/api/articles/",
    ],
)
def test_the_common_shapes_are_planned_on_every_page(viewer_api, world, monkeypatch, runs, path):
    path = path.format(**ids(world)) + ("&" if "?" in path else "?") + "page_size=2"

    walk(viewer_api, path, monkeypatch)

    assert runs["planned"] > 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/spans/?q=bridge",  # icontains: the value reaches the SQL as %value%
        "/api/claims/?q=bridge",
        "/api/articles/?q=bridge",  # a method filter
    ],
)
def test_filters_that_transform_their_value_are_not_planned(
    viewer_api, world, monkeypatch, runs, path
):
    for _ in range(3):
        assert_same(viewer_api, path, monkeypatch)

    assert runs["planned"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/spans/?article=999999",
        "/api/spans/?article=abc",
        "/api/spans/?speaker=999999&kind=quote",
        "/api/spans/?kind=poem",
        "/api/spans/?created_after=yesterday",
        "/api/claims/?verdict=maybe",
        "/api/claims/?claimant=999999",
        "/api/articles/?imported_before=soon",
        "/api/articles/999999/spans/",
        "/api/entities/999999/mentions/",
        "/api/entities/999999/quotes/?kind=poem",
        "/api/spans/?cursor=garbage",
        "/api/spans/?page_size=0",
        "/api/spans/?page_size=abc",
        "/api/spans/?page_size=100000",
        "/api/spans/?ordering=text",
        "/api/spans/?ordering=created_at,created_at",
    ],
)
def test_errors_and_odd_input_are_what_building_gives(viewer_api, world, monkeypatch, path):
    assert_same(viewer_api, path, monkeypatch)


def cursor(**tokens) -> str:
    query = "&".join(f"{key}={value}" for key, value in tokens.items())
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/{first}/spans/?cursor=" + cursor(p="99999999999999999999"),
        "/api/articles/{first}/spans/?cursor=" + cursor(p="-1", r="1"),
        "/api/articles/{first}/spans/?cursor=" + cursor(o="2", p="0"),
        "/api/claims/?cursor=" + cursor(p="2024-03-31 01:59:58.123456+00:00", o="1"),
        "/api/claims/?cursor=" + cursor(p="2024-03-31 01:59:58.123456+00:00", r="1"),
        "/api/spans/?kind=mention&cursor=" + cursor(p="2100-01-01T00:00:00+05:00", r="1"),
        "/api/spans/?cursor=" + cursor(o="3"),
    ],
)
def test_hand_made_cursors_are_what_building_gives(viewer_api, world, monkeypatch, path):
    assert_same(viewer_api, path.format(**ids(world)), monkeypatch)


@pytest.mark.filterwarnings("ignore:DateTimeField Span.created_at received a naive datetime")
def test_a_naive_cursor_position_is_read_as_building_reads_it(viewer_api, world, monkeypatch):
    assert_same(viewer_api, "/api/spans/?cursor=" + cursor(p="3000-01-01"), monkeypatch)
    assert_same(viewer_api, "/api/spans/?cursor=" + cursor(p="2024-03-31 01:59"), monkeypatch)


def test_writes_between_requests_show_at_once(viewer_api, world, monkeypatch, runs):
    path = "/api/claims/?verdict=false"
    monkeypatch.setattr(plans, "ENABLED", True)
    before = {item["id"] for item in viewer_api.get(path).json()["results"]}

    added = ClaimFactory(verdict="false", text="New.")
    after = viewer_api.get(path).json()["results"]
    assert {item["id"] for item in after} == before | {added.pk}
    assert after[0]["id"] == added.pk

    Claim.objects.filter(pk=added.pk).update(text="Changed.")
    assert viewer_api.get(path).json()["results"][0]["text"] == "Changed."

    Claim.objects.filter(pk=world["claim"].pk).update(verdict="true")
    listed = {item["id"] for item in viewer_api.get(path).json()["results"]}
    assert listed == (before | {added.pk}) - {world["claim"].pk}
    assert runs["planned"] == 4  # the first request compiles the plan and runs it too


def test_spans_added_to_an_article_show_on_its_planned_page(viewer_api, world, monkeypatch, runs):
    monkeypatch.setattr(plans, "ENABLED", True)
    path = f"/api/articles/{world['first'].pk}/spans/?page_size=100"
    count = len(viewer_api.get(path).json()["results"])

    SpanFactory(article=world["first"], quote="cars", entity=world["council"])
    SpanFactory(article=world["second"], quote="cars", entity=world["council"])

    assert len(viewer_api.get(path).json()["results"]) == count + 1
    assert runs["planned"] == 2


def test_a_parent_deleted_after_its_plan_is_a_404(viewer_api, world, monkeypatch):
    monkeypatch.setattr(plans, "ENABLED", True)
    entity = EntityFactory()
    path = f"/api/entities/{entity.pk}/mentions/"
    assert viewer_api.get(path).status_code == 200
    assert viewer_api.get(path).status_code == 200

    entity.delete()

    assert viewer_api.get(path).status_code == 404


def test_same_answers_in_another_time_zone(viewer_api, world, monkeypatch, settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        walk(viewer_api, "/api/spans/?page_size=4", monkeypatch)
        walk(viewer_api, "/api/claims/?page_size=2", monkeypatch)


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/api/spans/?kind=quote&speaker={jane}", 4),
        ("/api/spans/?article={first}", 3),
        ("/api/articles/{first}/spans/", 3),
        ("/api/entities/{jane}/mentions/", 3),
        ("/api/claims/?verdict=false", 2),
        ("/api/articles/", 2),
    ],
)
def test_planned_lists_keep_their_query_counts(
    viewer_api, world, monkeypatch, runs, django_assert_max_num_queries, path, most
):
    path = path.format(**ids(world))
    monkeypatch.setattr(plans, "ENABLED", True)
    viewer_api.get(path)  # compiles the plan

    # Session and user, then the existence checks of ids, then the page.
    with django_assert_max_num_queries(most + 2):
        response = viewer_api.get(path)

    assert response.status_code == 200
    assert runs["planned"] == 2


def test_shapes_are_bounded(viewer_api, world, monkeypatch):
    monkeypatch.setattr(plans, "ENABLED", True)
    monkeypatch.setattr(plans, "MAX_SHAPES", 3)
    for size in range(1, 8):
        assert viewer_api.get(f"/api/claims/?page_size={size}").status_code == 200

    assert len(plans._plans[connections["default"]]) == 3
