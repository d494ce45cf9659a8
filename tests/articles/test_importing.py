"""The cleaner on the real seed files and on every kind of bad input (no database)."""

import codecs
import unicodedata
from pathlib import Path

import pytest

from articles.importing import ArticleFileError, Cleaner, clean

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_000 = SEEDS / "000_4c6accdc8b3529ad.txt"
SEED_001 = SEEDS / "001_85bd4fbd7aa182c2.txt"


@pytest.fixture(scope="module")
def seed_000():
    return clean(SEED_000.read_bytes())


@pytest.fixture(scope="module")
def seed_001():
    return clean(SEED_001.read_bytes())


def test_seed_titles(seed_000, seed_001):
    assert seed_000.title == (
        "US Secretary of State Antony Blinken jets to Israel in a show of solidarity and to "
        "prevent a wider war in the Middle East: ‘The United States has Israel’s back’"
    )
    assert seed_001.title == "Antony Blinken departs for Israel, says ‘US has Israel’s back’"


def test_seed_boilerplate_removed(seed_000):
    assert "Advertisement" not in seed_000.body
    assert "READ ALSO" not in seed_000.body
    assert "Jay Z" not in seed_000.body
    reasons = [r.reason for r in seed_000.removals]
    assert reasons.count("boilerplate") == 4  # three "Advertisement", one "READ ALSO"


def test_seed_repeated_captions_kept_once(seed_000):
    netanyahu = "Israeli Prime Minister Benjamin Netanyahu this week found himself heading"
    toll = "Palestinian officials have said the death toll in Gaza is already close to 1,200"
    assert seed_000.body.count(netanyahu) == 1
    assert seed_000.body.count(toll) == 1
    repeated = [r for r in seed_000.removals if r.reason == "repeated paragraph"]
    assert [r.line for r in repeated] == [27, 31]
    # The same caption further away is not "immediately repeated": both stay.
    assert seed_000.body.count("Secretary of State Anthony Blinken vowed") == 2


def test_seed_typography_preserved(seed_000, seed_001):
    assert "Israel’s back" in seed_000.body
    assert "“We know that Israel" in seed_000.body
    assert "\u00a0" not in seed_000.body  # the only NBSP sat in the removed READ ALSO line
    assert "‘’US has Israel’s back.”" in seed_001.body  # the typo stays: text is evidence
    assert "We’re determined to make sure" in seed_001.body


def test_seed_body_layout(seed_000, seed_001):
    assert "\n\n\n" not in seed_000.body
    assert not seed_000.body.startswith(("\n", " "))
    assert seed_000.body.splitlines()[0].startswith("Secretary of State Anthony Blinken vowed")
    # 001's paragraphs follow each other line by line; the blank lines after the title go.
    assert seed_001.body.startswith("US Secretary of State Antony Blinken on Wednesday")
    assert seed_001.body.count("\n") == 3


def test_original_kept_for_provenance(seed_000):
    assert seed_000.original == SEED_000.read_text(encoding="utf-8")
    assert "Advertisement" in seed_000.original


def test_same_text_any_encoding_details_same_hash():
    text = "Título\n\nCafé — “quoted”.\n"
    plain = clean(text.encode())
    variants = [
        codecs.BOM_UTF8 + text.encode(),
        text.replace("\n", "\r\n").encode(),
        text.replace("\n", "\r").encode(),
        unicodedata.normalize("NFD", text).encode(),
    ]
    for data in variants:
        cleaned = clean(data)
        assert cleaned.content_hash == plain.content_hash
        assert cleaned.body == plain.body
    # NFC: a decomposed é becomes the composed one.
    assert clean("T\n\nCafe\u0301".encode()).body == "Café"


def test_blank_line_runs_collapse_and_lines_are_stripped():
    cleaned = clean(b"  Title  \n\n\n\n  First para.  \n\n\n\nSecond para.\nSame block.\n")
    assert cleaned.title == "Title"
    assert cleaned.body == "First para.\n\nSecond para.\nSame block."


def test_boilerplate_patterns_are_configurable():
    data = b"Title\n\nKeep me.\nPromoted\nAdvertisement\n"
    assert clean(data, boilerplate_patterns=[r"promoted"]).body == "Keep me.\nAdvertisement"
    assert clean(data).body == "Keep me.\nPromoted"


def test_boilerplate_only_whole_lines():
    body = clean(b"T\n\nThe advertisement said READ ALSO in small print.\n").body
    assert body == "The advertisement said READ ALSO in small print."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\n \t\n", "only white space", id="blank"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="binary"),
        pytest.param(b"Title\n\nCaf\xe9 au lait\n", "not valid UTF-8", id="latin-1"),
        pytest.param("Title\n\nBody\n".encode("utf-16"), "UTF-16", id="utf-16"),
        pytest.param(b"Just a title\n\n\n", "title but no body", id="title-only"),
        pytest.param(b"Title\nAdvertisement\n", "title but no body", id="only-boilerplate"),
        pytest.param(b"\x01\x02\x03\x04 Title\n\x05\x06\x07 body\n", "binary", id="controls"),
    ],
)
def test_bad_input_gets_a_clear_error(data, message):
    with pytest.raises(ArticleFileError, match=message):
        clean(data)


def test_size_limit():
    cleaner = Cleaner(max_bytes=100)
    cleaner.clean(b"T\n\n" + b"x" * 90)
    with pytest.raises(ArticleFileError, match="limit is 100 bytes"):
        cleaner.clean(b"T\n\n" + b"x" * 200)
