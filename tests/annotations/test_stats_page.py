"""The /stats/ page: every figure of the hand-built archive in its data tables, the chart data,
links to the article list and the CSV downloads, who may see it, and its query count."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests import stats_archive as fixture
from tests.stats_archive import DAILY, HARBOUR

STATS = "/stats/"


@pytest.fixture
def archive(db):
    return fixture.build()


class _Tables(HTMLParser):
    """Each <section id=…>'s table rows as lists of cell texts, and its links."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.tables: dict[str, list[list[str]]] = {}
        self.links: dict[str, list[str]] = {}
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "id" in attrs:
            self.section = attrs["id"]
            self.tables[self.section] = []
            self.links[self.section] = []
        elif tag == "tr" and self.section:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "a" and self.section and "href" in attrs:
            self.links[self.section].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.section].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page(client, query=""):
    response = client.get(f"{STATS}{query}")
    assert response.status_code == 200, response.content[:500]
    parser = _Tables()
    parser.feed(response.content.decode())
    return response, parser


def test_every_figure_on_the_page(viewer_client, archive):
    response, html = page(viewer_client)
    assert html.tables["speakers"] == [
        ["Person", "Quotes", "Share"],
        ["Ana Ruiz", "4", "44.4 %"],
        ["Ben Okafor", "2", "22.2 %"],
        ["Cleo Park", "1", "11.1 %"],
        ["Dan Frost", "1", "11.1 %"],
    ]
    assert "And 1 quote without a speaker." in response.content.decode()
    assert html.tables["outlets"] == [
        ["Outlet", "Woman", "Man", "Non-binary", "Unknown", "No speaker", "Quotes", "Share"],
        [DAILY, "3", "1", "1", "0", "0", "5", "55.6 %"],
        [HARBOUR, "1", "1", "0", "0", "0", "2", "22.2 %"],
        ["Unknown outlet", "0", "0", "0", "1", "1", "2", "22.2 %"],
    ]
    # Women and each role as a share of the month's quotes; undated quotes said apart.
    assert html.tables["shares"] == [
        ["Month", "Quotes", "Women", "Politician", "Expert", "Advocate", "Unknown"],
        ["Oct 2023", "5", "60.0 %", "60.0 %", "40.0 %", "0.0 %", "0.0 %"],
        ["Nov 2023", "2", "50.0 %", "50.0 %", "0.0 %", "50.0 %", "0.0 %"],
    ]
    assert "2 quotes in undated articles are not in this chart." in response.content.decode()
    assert html.tables["claims"] == [
        ["Month", "True", "False", "Claims"],
        ["Oct 2023", "0", "2", "2"],
        ["Nov 2023", "1", "0", "1"],
    ]
    assert html.tables["reused"] == [
        ["Quote (first appearance)", "Speaker", "Articles", "Outlets", "First", "Words"],
        [
            f"{fixture.Q_A}",
            "Ana Ruiz",
            "3",
            f"{DAILY}, {HARBOUR}",
            "12 Oct 2023",
            "changed — see diff",
        ],
    ]
    # The chart data is the tables' data.
    data = response.context["charts"]
    embedded = re.search(
        r'<script id="stats-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert json.loads(embedded[1]) == json.loads(json.dumps(data))
    assert [r["count"] for r in data["speakers"]["rows"]] == [4, 2, 1, 1]
    assert data["speakers"]["unattributed"] == 1
    assert data["shares"]["rows"][0]["shares"] == [0.6, 0.6, 0.4, 0.0, 0.0]


def test_filters_and_split_by_role(viewer_client, archive):
    a = archive
    _, html = page(viewer_client, f"?source={DAILY}&split=role")
    assert html.tables["speakers"][1:] == [
        ["Ana Ruiz", "3", "60.0 %"],
        ["Ben Okafor", "1", "20.0 %"],
        ["Cleo Park", "1", "20.0 %"],
    ]
    assert html.tables["outlets"] == [
        ["Outlet", "Politician", "Expert", "Advocate", "Quotes", "Share"],
        [DAILY, "3", "1", "1", "5", "100.0 %"],
    ]
    assert html.tables["reused"][1][2:] == ["2", DAILY, "12 Oct 2023", "same"]
    _, html = page(viewer_client, "?published_after=2023-10-15&published_before=2023-11-01")
    assert html.tables["speakers"][1:] == [
        ["Ana Ruiz", "1", "50.0 %"],
        ["Ben Okafor", "1", "50.0 %"],
    ]
    assert html.tables["claims"][1:] == [["Oct 2023", "1", "1"]]
    _, html = page(viewer_client, "?status=suggested")
    assert html.tables["speakers"][1:] == [["Dan Frost", "1", "100.0 %"]]
    assert a.dan.name == "Dan Frost"


def test_links_open_the_matching_article_lists(viewer_client, archive):
    a = archive
    response, html = page(viewer_client, f"?source={DAILY}")
    links = html.links["speakers"]
    ana = next(link for link in links if f"speaker={a.ana.pk}" in link)
    assert parse_qs(urlsplit(ana).query) == {"source": [DAILY], "speaker": [str(a.ana.pk)]}
    listed = viewer_client.get(ana)
    assert listed.status_code == 200
    assert [x.pk for x in listed.context["page"]] == [a.a2.pk, a.a1.pk]
    assert "Quoting Ana Ruiz" in " ".join(listed.content.decode().split())
    claims = response.context["charts"]["claims"]["rows"]
    october = claims[0]
    assert parse_qs(urlsplit(october["cells"][1]).query) == {
        "source": [DAILY],
        "verdict": ["false"],
        "published_after": ["2023-10-01"],
        "published_before": ["2023-11-01"],
    }
    listed = viewer_client.get(october["cells"][1])
    assert [x.pk for x in listed.context["page"]] == [a.a1.pk]
    csv = viewer_client.get(response.context["charts"]["outlets"]["csv"])
    assert csv.status_code == 200
    assert csv.content.decode().splitlines()[1] == f"{DAILY},{DAILY},5,1.0000,3,1,1"


def test_the_header_links_the_page(viewer_client, archive):
    response = viewer_client.get("/")
    assert 'href="/stats/"' in response.content.decode()


def test_bad_filters_are_400(viewer_client, archive):
    response = viewer_client.get(f"{STATS}?published_after=2023-11-01&published_before=2023-10-01")
    assert response.status_code == 400
    assert "Must be later" in response.content.decode()
    assert viewer_client.get(f"{STATS}?split=height").status_code == 400


def test_readers_only(client, editor, viewer, archive):
    for user in (viewer, editor):
        signed_in = Client()
        signed_in.force_login(user)
        response = signed_in.get(STATS)
        assert response.status_code == 200
        assert "Ana Ruiz" in response.content.decode()
    anonymous = client.get(STATS)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_no_inline_script_or_style(viewer_client, archive):
    text = viewer_client.get(STATS).content.decode()
    scripts = re.findall(r"<script([^>]*)>", text)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert " style=" not in text
    assert "vendor/chartjs/chart.umd.min.js" in text


def test_query_count(viewer_client, archive, django_assert_num_queries):
    # Session, user with roles, outlets, five tables, the reused quotes' groups and
    # appearances.
    with django_assert_num_queries(10):
        viewer_client.get(STATS)
