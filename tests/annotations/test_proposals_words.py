"""What proposed a suggestion, said in words for editors (proposals.describe)."""

from annotations import proposals


def test_a_quote_suggestion_says_the_pattern_and_how_unsure_in_words():
    proposal = proposals.quote(
        speaker="Antony Blinken",
        indirect=False,
        confidence=0.4,
        speaker_confidence=0.3,
        evidence="pronoun",
    )

    words = proposals.describe(origin="suggester:quotes", proposal=proposal, confidence=0.4)

    assert words == "Suggested from the quote pattern · unsure · speaker unsure (pronoun)"


def test_a_sure_mention_and_a_new_name_read_differently_and_show_no_codes():
    known = proposals.describe(
        origin="suggester:entities", proposal={"confidence": 0.9}, confidence=0.9
    )
    new = proposals.describe(
        origin="suggester:entities",
        proposal=proposals.mention(name="Hamas", kind="ORG", confidence=0.4),
        confidence=0.4,
    )

    assert known == "Suggested from the names the archive knows · sure"
    assert new == "Suggested from a name-like phrase · unsure"
    for text in (known, new):
        assert "suggester:" not in text
        assert "0." not in text


def test_an_editors_span_says_nothing():
    assert proposals.describe(origin="editor", proposal={}, confidence=None) == ""
