"""Suggestions in the product (annotations.suggesting), on the seeds through the real importer."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from annotations import services, suggesting
from annotations.models import (
    Claim,
    Entity,
    HistoryAction,
    HistoryEntry,
    Span,
    SpanKind,
    SpanStatus,
    Verdict,
)
from annotations.suggesters import claims, entities, quotes
from articles import sources
from articles.models import Article
from articles.services import Outcome, articles_import, import_limits
from tests.factories import SpanFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DAILY = "000_4c6accdc8b3529ad.txt"  # the Daily Mail piece: "Anthony" Blinken, Alex Vatanka
WION = "001_85bd4fbd7aa182c2.txt"  # the WION piece: "Antony" Blinken, "Issac" Herzog


def import_seeds() -> dict[str, Article]:
    reports = articles_import(files=list(sources.from_paths([SEEDS], import_limits())))
    assert {r.outcome for r in reports} == {Outcome.IMPORTED}
    return {r.name: Article.objects.get(pk=r.article_id) for r in reports}


@pytest.fixture
def seeds(db):
    return import_seeds()


@pytest.fixture
def known(db):
    """Entities an archive would know already (one spelled as the other seed spells it)."""
    return {
        "blinken": services.entity_create(
            name="Antony Blinken", kind="PERSON", aliases=["Anthony Blinken"]
        ),
        "israel": services.entity_create(name="Israel", kind="GPE"),
        "netanyahu": services.entity_create(name="Benjamin Netanyahu", kind="PERSON"),
    }


def spans_at(article, kind, text, **filters):
    return list(Span.objects.filter(article=article, kind=kind, text=text, **filters))


def test_suggest_stores_suggested_spans_with_origin_and_confidence(seeds, known, editor):
    article = seeds[DAILY]
    report = suggesting.article_suggest(article=article, user=editor)

    spans = list(Span.objects.filter(article=article))
    assert report.created == len(spans) > 50
    for kind in SpanKind.values:
        made = [s for s in spans if s.kind == kind]
        assert report.counts[kind].created == len(made) > 0
        assert report.counts[kind].existing == report.counts[kind].rejected == 0
    origins = {SpanKind.QUOTE: quotes.ORIGIN, SpanKind.MENTION: entities.ORIGIN}
    origins[SpanKind.CLAIM] = claims.ORIGIN
    for span in spans:
        assert span.status == SpanStatus.SUGGESTED
        assert span.origin == origins[span.kind]
        assert 0 <= span.confidence <= 1
        assert article.body[span.start : span.end] == span.text
        assert article.body[: span.start].endswith(span.prefix)
        assert span.created_by == editor
        assert span.claim_id is None  # claims become Claim rows only when accepted
    assert report.as_dict()["mention"]["created"] == report.counts["mention"].created
    created = HistoryEntry.objects.filter(article=article, action=HistoryAction.CREATED)
    assert created.count() == len(spans)


def test_known_entities_and_speakers_are_linked_else_named_in_the_proposal(seeds, known):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    blinken = known["blinken"]

    # Mentions: the canonical name, an alias, and a lone surname of a known person.
    for text in ("Antony Blinken", "Anthony Blinken", "Blinken"):
        found = spans_at(article, "mention", text)
        assert found
        assert {s.entity_id for s in found} == {blinken.pk}
    assert {s.entity_id for s in spans_at(article, "mention", "Israel")} == {known["israel"].pk}
    # A name nobody knows yet: no entity, the candidate name and kind in the proposal.
    (vatanka,) = spans_at(article, "mention", "Alex Vatanka")
    assert vatanka.entity is None
    assert vatanka.proposal["candidate"] == {"name": "Alex Vatanka", "kind": "PERSON"}
    assert 0 < vatanka.proposal["confidence"] <= 1
    assert vatanka.note == ""  # the editor's, untouched
    assert "candidate" not in spans_at(article, "mention", "Israel")[0].proposal

    # Quotes: "he told reporters" after Blinken resolves to the known Antony Blinken.
    precautions = Span.objects.get(
        article=article, kind="quote", text__startswith="We know that Israel will take"
    )
    assert precautions.speaker == blinken
    assert precautions.note == ""
    # An unknown speaker stays unlinked and is named in the proposal.
    absence = Span.objects.get(article=article, kind="quote", text__startswith="The attack by")
    assert absence.speaker is None
    assert absence.proposal["speaker"] == "Alex Vatanka"
    assert "indirect" not in absence.proposal
    assert absence.note == ""
    # Indirect speech: a quote suggestion marked indirect, with a lower confidence.
    toll = Span.objects.get(
        article=article, kind="quote", text__startswith="the death toll in Gaza is"
    )
    assert toll.proposal["indirect"] is True
    assert toll.note == ""
    assert toll.confidence <= suggesting.INDIRECT_MAX_CONFIDENCE
    quotes = Span.objects.filter(article=article, kind="quote")
    direct = [s for s in quotes if not s.proposal.get("indirect")]
    assert min(s.confidence for s in direct) > toll.confidence
    # Claims: the suggester's score.
    claim = Span.objects.filter(article=article, kind="claim").first()
    assert claim.proposal == {"confidence": pytest.approx(claim.confidence, abs=1e-4)}


def test_rerun_creates_nothing_new(seeds, known):
    article = seeds[WION]
    first = suggesting.article_suggest(article=article)
    before = sorted(Span.objects.filter(article=article).values_list("kind", "start", "end"))

    again = suggesting.article_suggest(article=article)

    assert again.created == 0
    for kind, counts in again.counts.items():
        assert counts.existing == first.counts[kind].created
    after = sorted(Span.objects.filter(article=article).values_list("kind", "start", "end"))
    assert after == before


def test_a_place_an_editor_annotated_is_left_alone(seeds, known, editor):
    article = seeds[DAILY]
    start = article.body.index("Alex Vatanka")
    mine, _ = services.span_create(
        article=article,
        kind="mention",
        start=start,
        end=start + len("Alex Vatanka"),
        entity=services.entity_create(name="Alex Vatanka", kind="PERSON"),
        user=editor,
    )
    report = suggesting.article_suggest(article=article)
    assert report.counts["mention"].existing == 1
    assert spans_at(article, "mention", "Alex Vatanka") == [mine]


def test_a_rejected_suggestion_never_comes_back(seeds, known, editor):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    absence = Span.objects.get(article=article, kind="quote", text__startswith="The attack by")
    services.suggestion_reject(span=absence, user=editor)

    report = suggesting.article_suggest(article=article)

    assert report.created == 0
    assert report.counts["quote"].rejected == 1
    found = Span.objects.filter(article=article, kind="quote", start=absence.start)
    assert [s.status for s in found] == [SpanStatus.REJECTED]


def test_a_rejected_text_in_the_same_context_does_not_come_back_elsewhere(seeds):
    """After a revision moved the text, the rejected span's offsets are stale, but its text
    and the words before it still identify the suggestion."""
    article = seeds[DAILY]
    start = article.body.index("Alex Vatanka")
    prefix = article.body[max(0, start - 32) : start]
    SpanFactory(
        article=article,
        kind="mention",
        start=start + 7,  # where it was before the text changed
        end=start + 19,
        text="Alex Vatanka",
        prefix=prefix,
        status=SpanStatus.REJECTED,
    )
    report = suggesting.article_suggest(article=article, kinds=["mention"])
    assert report.counts["mention"].rejected == 1
    assert not Span.objects.filter(
        article=article, text="Alex Vatanka", status=SpanStatus.SUGGESTED
    ).exists()


def test_kinds_limit_what_is_suggested(seeds):
    report = suggesting.article_suggest(article=seeds[DAILY], kinds=("claim",))
    assert set(report.counts) == {"claim"}
    assert set(Span.objects.values_list("kind", flat=True)) == {"claim"}
    with pytest.raises(ValidationError, match="Unknown kind"):
        suggesting.article_suggest(article=seeds[DAILY], kinds=("quote", "verdict"))


def test_a_new_entity_is_known_to_the_next_run(seeds):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article, kinds=["claim"])  # builds the gazetteer
    vatanka = services.entity_create(name="Alex Vatanka", kind="PERSON")

    suggesting.article_suggest(article=article, kinds=["mention", "quote"])

    assert spans_at(article, "mention", "Alex Vatanka")[0].entity == vatanka
    absence = Span.objects.get(article=article, kind="quote", text__startswith="The attack by")
    assert absence.speaker == vatanka
    assert absence.note == ""


def test_suggest_costs_a_fixed_number_of_queries(seeds, known, django_assert_max_num_queries):
    # Savepoint, lock, markers (entities, aliases, decisions), gazetteer (2), decisions, live
    # spans, the quotes' wordings (3: known and near ones, new ones, read back), inserts, the
    # batch, its history, release: none per candidate. SQLite splits the insert at 999
    # parameters (~38 rows of a span's 26 columns), so two INSERTs more for this article there.
    with django_assert_max_num_queries(17 if connection.vendor == "postgresql" else 19):
        report = suggesting.article_suggest(article=seeds[DAILY])
    assert report.created > 80
    # The gazetteer is cached now; SQLite again needs one INSERT more for its row limit.
    with django_assert_max_num_queries(13 if connection.vendor == "postgresql" else 14):
        report = suggesting.article_suggest(article=seeds[WION])
    assert report.created > 40


# --- accept and reject -----------------------------------------------------------------------


def test_accept_a_quote_links_the_suggested_speaker_once_known(seeds, editor):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    absence = Span.objects.get(article=article, kind="quote", text__startswith="The attack by")
    vatanka = services.entity_create(name="Alex Vatanka", kind="PERSON")

    accepted = services.suggestion_accept(span=absence, user=editor)

    assert accepted.status == SpanStatus.ACCEPTED
    assert accepted.speaker == vatanka
    assert accepted.note == ""
    assert accepted.version == absence.version + 1
    entry = HistoryEntry.objects.filter(object_id=absence.pk).order_by("-id").first()
    assert entry.user == editor
    assert (entry.before["status"], entry.after["status"]) == ("suggested", "accepted")
    assert entry.after["speaker"] == vatanka.pk


def test_accept_a_quote_with_a_speaker_given_or_speakerless(seeds, editor, known):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    absence = Span.objects.get(article=article, kind="quote", text__startswith="The attack by")
    accepted = services.suggestion_accept(span=absence, user=editor, speaker=known["blinken"])
    assert accepted.speaker == known["blinken"]

    toll = Span.objects.get(
        article=article, kind="quote", text__startswith="the death toll in Gaza is"
    )
    accepted = services.suggestion_accept(span=toll, user=editor)
    assert accepted.status == SpanStatus.ACCEPTED
    assert accepted.speaker is None
    assert accepted.note == ""
    assert accepted.proposal["speaker"] == "Palestinian officials"  # kept: what was proposed


def test_accept_a_mention_with_only_a_candidate_name_creates_the_entity(seeds, editor):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    (vatanka,) = spans_at(article, "mention", "Alex Vatanka")

    accepted = services.suggestion_accept(span=vatanka, user=editor)

    entity = accepted.entity
    assert (entity.name, entity.kind, entity.created_by) == ("Alex Vatanka", "PERSON", editor)
    assert accepted.status == SpanStatus.ACCEPTED
    assert accepted.note == ""
    # The next mention of the same name reuses it.
    hezbollah = spans_at(article, "mention", "Hezbollah")
    first = services.suggestion_accept(span=hezbollah[0], user=editor)
    second = services.suggestion_accept(span=hezbollah[1], user=editor)
    assert first.entity == second.entity
    assert Entity.objects.filter(folded="hezbollah").count() == 1


def test_accept_a_mention_as_a_new_entity_or_an_existing_one(seeds, editor, known):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    (institute,) = spans_at(article, "mention", "Middle East Institute")
    accepted = services.suggestion_accept(
        span=institute, user=editor, new_entity_name="MEI", new_entity_kind="ORG"
    )
    assert (accepted.entity.name, accepted.entity.kind) == ("MEI", "ORG")

    biden = spans_at(article, "mention", "Biden")[0]
    joe = services.entity_create(name="Joe Biden", kind="PERSON")
    assert services.suggestion_accept(span=biden, user=editor, entity=joe).entity == joe


def test_accept_a_claim_creates_an_unreviewed_claim(seeds, editor):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article, kinds=["claim"])
    span = Span.objects.filter(article=article, kind="claim").first()

    accepted = services.suggestion_accept(span=span, user=editor)

    claim = accepted.claim
    assert claim.text == " ".join(span.text.split())
    assert claim.verdict == Verdict.UNREVIEWED
    assert claim.created_by == editor
    assert accepted.status == SpanStatus.ACCEPTED


def test_accept_and_reject_check_the_status_and_the_version(seeds, editor):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article, kinds=["claim"])
    span = Span.objects.filter(article=article, kind="claim").first()
    with pytest.raises(services.StaleVersion):
        services.suggestion_reject(span=span, user=editor, version=span.version + 1)
    rejected = services.suggestion_reject(span=span, user=editor)
    assert rejected.status == SpanStatus.REJECTED
    assert services.suggestion_reject(span=rejected, user=editor) == rejected
    # Changing one's mind: a rejected suggestion can still be accepted.
    assert services.suggestion_accept(span=rejected, user=editor).status == "accepted"
    mine, _ = services.span_create(article=article, kind="quote", start=0, end=10)
    with pytest.raises(ValidationError, match="Only a suggestion"):
        services.suggestion_reject(span=mine, user=editor)


def test_accept_all_mentions_links_or_creates_entities_once_per_name(
    seeds, editor, known, django_assert_max_num_queries
):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    pending = Span.objects.filter(article=article, kind="mention", status="suggested")
    count, hamas = pending.count(), pending.filter(text="Hamas").count()
    entities_before = Entity.objects.count()

    # Savepoint, lock, entities by name and by alias, new entities, update, the batch, its
    # history (SQLite: two INSERTs, at 999 parameters each), release.
    with django_assert_max_num_queries(9 if connection.vendor == "postgresql" else 10):
        accepted = suggesting.suggestions_accept_all(article=article, kind="mention", user=editor)

    assert accepted == count
    mentions = Span.objects.filter(article=article, kind="mention")
    assert set(mentions.values_list("status", flat=True)) == {SpanStatus.ACCEPTED}
    assert not mentions.filter(entity__isnull=True).exists()
    assert not mentions.exclude(note="").exists()
    assert mentions.filter(text="Hamas").values("entity").distinct().count() == 1
    assert mentions.filter(text="Hamas").count() == hamas > 1
    assert Entity.objects.filter(folded="hamas", kind="ORG").count() == 1
    assert {m.entity_id for m in mentions.filter(text="Israel")} == {known["israel"].pk}
    assert Entity.objects.filter(name="Alex Vatanka", kind="PERSON").exists()
    assert Entity.objects.count() > entities_before
    # Other kinds are untouched, and every change is in the history.
    assert set(
        Span.objects.filter(article=article)
        .exclude(kind="mention")
        .values_list("status", flat=True)
    ) == {SpanStatus.SUGGESTED}
    accepted_entries = HistoryEntry.objects.filter(article=article, action=HistoryAction.ACCEPTED)
    assert accepted_entries.count() == count

    # A second article reuses the entities the first one created.
    entities_now = Entity.objects.count()
    suggesting.article_suggest(article=seeds[WION], kinds=["mention"])
    suggesting.suggestions_accept_all(article=seeds[WION], kind="mention", user=editor)
    wion_hamas = Span.objects.filter(article=seeds[WION], kind="mention", text="Hamas").first()
    assert wion_hamas.entity.folded == "hamas"
    assert Entity.objects.filter(folded="hamas").count() == 1
    assert Entity.objects.count() > entities_now  # "Issac Herzog", "Obama"… are new


def test_accept_all_refuses_a_name_that_accepting_it_alone_refuses(tmp_path, editor):
    """A run of 60 capitalised words is one 575-character candidate: no entity can bear it
    (300 at most), so Accept all says which and writes nothing, as Accept alone does."""
    run = " ".join(
        word + ending
        for ending in ("an", "ek", "ol", "ux", "ir", "ab")
        for word in ("Quorvin", "Zeltar", "Vendrix", "Oskow", "Trelane", "Pellix", "Dunvar",
                     "Corvath", "Brastock", "Fennick")
    )  # fmt: skip
    (tmp_path / "brokers.txt").write_text(
        f"Markets\n\nShares rose after analysts at {run} praised the plan in Lisbon.\n"
    )
    [report] = articles_import(files=list(sources.from_paths([tmp_path], import_limits())))
    article = Article.objects.get(pk=report.article_id)
    suggesting.article_suggest(article=article, kinds=["mention"])
    long = Span.objects.get(article=article, text=run)
    assert len(long.proposal["candidate"]["name"]) == 575

    with pytest.raises(ValidationError) as refused:
        suggesting.suggestions_accept_all(article=article, kind="mention", user=editor)
    assert "“Quorvinan Zeltaran Vendrixan" in refused.value.messages[0]
    assert "at most 300 characters; this one has 575" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="at most 300 characters"):
        services.suggestion_accept(span=long, user=editor)
    assert set(Span.objects.filter(article=article).values_list("status", flat=True)) == {
        SpanStatus.SUGGESTED
    }
    assert not Entity.objects.exists()

    # Rejected, it is out of the way: the others are accepted.
    services.suggestion_reject(span=long, user=editor)
    assert suggesting.suggestions_accept_all(article=article, kind="mention", user=editor) == 1
    assert list(Entity.objects.values_list("name", "kind")) == [("Lisbon", "GPE")]


def test_accept_all_claims_creates_a_claim_per_span(seeds, editor, django_assert_max_num_queries):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article, kinds=["claim"])
    count = Span.objects.filter(article=article, kind="claim").count()

    # savepoint, lock, claims, update, the batch, its history, release
    with django_assert_max_num_queries(7):
        assert (
            suggesting.suggestions_accept_all(article=article, kind="claim", user=editor) == count
        )

    spans = Span.objects.filter(article=article, kind="claim").select_related("claim")
    assert Claim.objects.count() == count
    for span in spans:
        assert span.status == SpanStatus.ACCEPTED
        assert span.claim.text == " ".join(span.text.split())
        assert span.claim.verdict == Verdict.UNREVIEWED


def test_accept_all_quotes_keeps_speakers(seeds, editor, known):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    speakers = dict(Span.objects.filter(kind="quote").values_list("pk", "speaker"))
    assert suggesting.suggestions_accept_all(article=article, kind="quote", user=editor) == len(
        speakers
    )
    quotes_now = Span.objects.filter(kind="quote").select_related("speaker")
    # A linked speaker stays; an unlinked one is the person the proposal names (as a single
    # Accept makes it): no quote loses the speaker the panel showed.
    for quote in quotes_now:
        if speakers[quote.pk] is not None:
            assert quote.speaker_id == speakers[quote.pk]
        elif services.looks_like_a_name(quote.proposal.get("speaker") or ""):
            assert quote.speaker is not None, quote.proposal
    assert set(quotes_now.values_list("status", flat=True)) == {SpanStatus.ACCEPTED}


def test_reject_all_of_a_kind_and_they_stay_rejected(
    seeds, editor, known, django_assert_max_num_queries
):
    article = seeds[DAILY]
    suggesting.article_suggest(article=article)
    count = Span.objects.filter(article=article, kind="quote").count()

    # savepoint, lock, update, the batch, its history, release
    with django_assert_max_num_queries(6):
        assert (
            suggesting.suggestions_reject_all(article=article, kind="quote", user=editor) == count
        )

    quotes_now = Span.objects.filter(article=article, kind="quote")
    assert set(quotes_now.values_list("status", flat=True)) == {SpanStatus.REJECTED}
    assert set(quotes_now.values_list("version", flat=True)) == {2}
    assert Span.objects.filter(article=article, kind="mention", status="suggested").exists()
    rejected = HistoryEntry.objects.filter(article=article, action=HistoryAction.REJECTED)
    assert rejected.count() == count

    report = suggesting.article_suggest(article=article)
    assert report.counts["quote"].created == 0
    assert report.counts["quote"].rejected == count
    assert suggesting.suggestions_reject_all(article=article, kind="quote", user=editor) == 0


def test_bulk_decisions_need_a_known_kind(seeds, editor):
    with pytest.raises(ValidationError, match="Unknown kind"):
        suggesting.suggestions_accept_all(article=seeds[DAILY], kind="verdict", user=editor)
    with pytest.raises(ValidationError, match="Unknown kind"):
        suggesting.suggestions_reject_all(article=seeds[DAILY], kind="verdict", user=editor)


# --- on import -------------------------------------------------------------------------------


def test_import_suggests_only_when_the_setting_says_so(db, settings):
    assert settings.NEWSDESK_SUGGEST_ON_IMPORT is False
    import_seeds()
    assert not Span.objects.exists()


def test_import_with_suggest_on_import(db, settings, editor):
    settings.NEWSDESK_SUGGEST_ON_IMPORT = True
    reports = articles_import(
        files=list(sources.from_paths([SEEDS], import_limits())), imported_by=editor
    )
    assert [r.outcome for r in reports] == [Outcome.IMPORTED, Outcome.IMPORTED]
    for report in reports:
        spans = Span.objects.filter(article_id=report.article_id)
        assert set(spans.values_list("status", flat=True)) == {SpanStatus.SUGGESTED}
        assert set(spans.values_list("kind", flat=True)) >= {"quote", "mention"}
        assert set(spans.values_list("created_by", flat=True)) == {editor.pk}
    # Importing the same files again changes nothing.
    count = Span.objects.count()
    articles_import(files=list(sources.from_paths([SEEDS], import_limits())))
    assert Span.objects.count() == count


# --- suggestions respect what an editor already marked -----------------------------------------


def test_a_quote_overlapping_an_accepted_quote_is_not_offered(seeds, known, editor):
    article = seeds[WION]
    suggesting.article_suggest(article=article, kinds=["quote"])
    suggested = Span.objects.filter(article=article, kind="quote").order_by("start").first()
    Span.objects.filter(article=article).delete()
    # The editor marked only part of it (a different start and end): still the same quote.
    mine, _ = services.span_create(
        article=article,
        kind="quote",
        start=suggested.start + 3,
        end=suggested.end - 1,
        speaker=known["blinken"],
        user=editor,
    )

    report = suggesting.article_suggest(article=article, kinds=["quote"])

    assert report.counts["quote"].existing >= 1
    overlapping = Span.objects.filter(
        article=article, kind="quote", start__lt=mine.end, end__gt=mine.start
    )
    assert list(overlapping) == [mine]


def test_a_mention_of_the_same_entity_is_not_stacked_but_another_entity_is(seeds, known):
    marked = [suggesting.Marked("mention", 10, 17, known["blinken"].pk)]

    same = suggesting.already_marked("mention", 3, 17, known["blinken"].pk, marked)
    other = suggesting.already_marked("mention", 3, 17, known["israel"].pk, marked)
    apart = suggesting.already_marked("mention", 17, 30, known["blinken"].pk, marked)

    assert same == marked[0]
    assert other is None
    assert apart is None


def test_accepting_a_suggestion_an_editor_already_marked_merges_into_it(seeds, known, editor):
    article = seeds[WION]
    start = article.body.index("We have their back today")
    end = start + len("We have their back today")
    mine, _ = services.span_create(article=article, kind="quote", start=start, end=end, user=editor)
    suggestion = SpanFactory(
        article=article,
        kind="quote",
        start=start,
        end=end + 10,
        text=article.body[start : end + 10],
        status=SpanStatus.SUGGESTED,
        proposal={"speaker": "Antony Blinken"},
    )

    kept = services.suggestion_accept(
        span=suggestion, user=editor, version=suggestion.version, speaker=known["blinken"]
    )

    assert kept == mine
    assert kept.speaker == known["blinken"]  # the quote gains the speaker it lacked
    live = Span.objects.filter(article=article, kind="quote").exclude(status="rejected")
    assert list(live) == [mine]
    suggestion.refresh_from_db()
    assert suggestion.status == SpanStatus.REJECTED  # so Suggest does not offer it again
