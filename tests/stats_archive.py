"""A small archive built by hand for the "who is quoted" statistics, with every figure known.

Accepted quotes (9):
  A1 Daily Ledger 2023-10-12: Ana ×2 (Q_A, Q_A2), Ben ×1 (Q_B1)
  A2 Daily Ledger 2023-11-03: Ana ×1 (Q_A again, same words), Cleo ×1 (+ Dan, suggested)
  A3 Harbour Post 2023-10-20: Ana ×1 (Q_A, one word changed), Ben ×1 (Q_B2)
  A4 no outlet, undated:      Dan ×1, a quote without speaker ×1 (+ Ben, rejected;
                              and an orphaned mention)
Accepted claim spans (3): A1 claim "crime" (false, claimant Ana), A2 claim "jobs" (true,
claimant Ben), A3 claim "crime" again.
Ana: woman, politician, Green Party. Ben: man, expert, Lakeside University. Cleo: nonbinary,
advocate, no affiliation. Dan: all unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from annotations import quote_keys
from annotations.models import (
    Claim,
    Entity,
    EntityKind,
    Gender,
    Role,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from articles.models import Article

DAILY = "Daily Ledger"
HARBOUR = "Harbour Post"

Q_A = "We will rebuild the old harbour bridge before the winter storms arrive"
Q_A_CHANGED = "We will rebuild the old harbour bridge before the autumn storms arrive"
Q_A2 = "Our budget for village schools doubles next year"
Q_B1 = "The river sediment data shows a clear warming trend"
Q_B2 = "Nobody has measured the tidal currents properly since 1990"
Q_C = "Tenants deserve a say in every council housing decision"
Q_D = "The ferry timetable changes confuse everyone in town"
Q_NONE = "It was the loudest night I can remember"
Q_D_SUGGESTED = "I saw the ferry leave early"
Q_B_REJECTED = "Ferries are perfectly safe"
CRIME = "crime fell by half last year"
JOBS = "four hundred jobs were created in the port"


@dataclass
class Archive:
    a1: Article
    a2: Article
    a3: Article
    a4: Article
    ana: Entity
    ben: Entity
    cleo: Entity
    dan: Entity
    green: Entity
    lakeside: Entity
    crime: Claim
    jobs: Claim


def _day(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 9, 30, tzinfo=dt.UTC)


def _article(n: int, title: str, body: str, source: str, published: dt.datetime | None):
    return Article.objects.create(
        title=title,
        body=body,
        original=f"{title}\n\n{body}\n",
        source=source,
        published_at=published,
        source_file=f"stats-fixture-{n}.txt",
        content_hash=f"stats-fixture-{n:050d}",
        word_count=len(body.split()),
    )


def _span(article: Article, text: str, kind: str, status=SpanStatus.ACCEPTED, **links) -> Span:
    start = article.body.index(text)
    span = Span(
        article=article,
        start=start,
        end=start + len(text),
        text=text,
        kind=kind,
        status=status,
        **links,
    )
    quote_keys.spans_key([span])  # a quote's wording group, as the services set it
    span.save()
    return span


def build() -> Archive:
    green = Entity.objects.create(name="Green Party", kind=EntityKind.ORG)
    lakeside = Entity.objects.create(name="Lakeside University", kind=EntityKind.ORG)
    ana = Entity.objects.create(
        name="Ana Ruiz",
        kind=EntityKind.PERSON,
        gender=Gender.WOMAN,
        role=Role.POLITICIAN,
        affiliation=green,
    )
    ben = Entity.objects.create(
        name="Ben Okafor",
        kind=EntityKind.PERSON,
        gender=Gender.MAN,
        role=Role.EXPERT,
        affiliation=lakeside,
    )
    cleo = Entity.objects.create(
        name="Cleo Park", kind=EntityKind.PERSON, gender=Gender.NONBINARY, role=Role.ADVOCATE
    )
    dan = Entity.objects.create(name="Dan Frost", kind=EntityKind.PERSON)
    crime = Claim.objects.create(text="Crime fell by half", claimant=ana, verdict=Verdict.FALSE)
    jobs = Claim.objects.create(text="400 port jobs", claimant=ben, verdict=Verdict.TRUE)

    a1 = _article(
        1,
        "Ruiz promises a new harbour bridge",
        f"Ana Ruiz said: “{Q_A}.” She added: “{Q_A2}.” Ben Okafor told reporters: “{Q_B1}.” "
        f"The Green Party backed her. Ruiz claimed that {CRIME}.",
        DAILY,
        _day(2023, 10, 12),
    )
    a2 = _article(
        2,
        "Tenants and the bridge",
        f"Ruiz repeated: “{Q_A}.” Cleo Park said: “{Q_C}.” Dan Frost said: “{Q_D_SUGGESTED}.” "
        f"Okafor noted that {JOBS}.",
        DAILY,
        _day(2023, 11, 3),
    )
    a3 = _article(
        3,
        "Bridge pledge on the waterfront",
        f"Ruiz told the Post: “{Q_A_CHANGED}.” Okafor said: “{Q_B2}.” She said {CRIME}.",
        HARBOUR,
        _day(2023, 10, 20),
    )
    a4 = _article(
        4,
        "Storm night on the ferry",
        f"Dan Frost said: “{Q_D}.” A passenger said: “{Q_NONE}.” Okafor said: “{Q_B_REJECTED}.” "
        "The harbour master was not available.",
        "",
        None,
    )
    quote = SpanKind.QUOTE
    _span(a1, Q_A, quote, speaker=ana)
    _span(a1, Q_A2, quote, speaker=ana)
    _span(a1, Q_B1, quote, speaker=ben)
    _span(a1, "Green Party", SpanKind.MENTION, entity=green)
    _span(a1, CRIME, SpanKind.CLAIM, claim=crime)
    _span(a2, Q_A, quote, speaker=ana)
    _span(a2, Q_C, quote, speaker=cleo)
    _span(a2, Q_D_SUGGESTED, quote, status=SpanStatus.SUGGESTED, speaker=dan)
    _span(a2, JOBS, SpanKind.CLAIM, claim=jobs)
    _span(a3, Q_A_CHANGED, quote, speaker=ana)
    _span(a3, Q_B2, quote, speaker=ben)
    _span(a3, CRIME, SpanKind.CLAIM, claim=crime)
    _span(a4, Q_D, quote, speaker=dan)
    _span(a4, Q_NONE, quote)
    _span(a4, Q_B_REJECTED, quote, status=SpanStatus.REJECTED, speaker=ben)
    _span(a4, "harbour master", SpanKind.MENTION, status=SpanStatus.ORPHANED)
    return Archive(a1, a2, a3, a4, ana, ben, cleo, dan, green, lakeside, crime, jobs)
