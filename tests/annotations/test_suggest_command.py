"""`manage.py suggest --json OUT PATH…`: cleaning and suggesters, no database.

These tests have no `db` fixture, so pytest-django fails any query the command would make.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def run(*paths, **options) -> dict:
    out = options.pop("out")
    extra = [f"--gazetteer={options.pop('gazetteer')}"] if "gazetteer" in options else []
    call_command("suggest", *map(str, paths), f"--json={out}", *extra, stdout=io.StringIO())
    return json.loads(Path(out).read_text(encoding="utf-8"))


def test_writes_every_seed_with_offsets_into_the_cleaned_body(tmp_path):
    result = run(SEEDS, out=tmp_path / "out.json")
    assert sorted(result) == sorted(p.name for p in SEEDS.glob("*.txt"))
    for article in result.values():
        assert set(article) == {"title", "body", "quotes", "mentions", "claims"}
        body = article["body"]
        assert article["quotes"]
        assert article["mentions"]
        for key in ("quotes", "mentions", "claims"):
            for item in article[key]:
                assert body[item["start"] : item["end"]] == item["text"]
        assert set(article["quotes"][0]) == {
            "start",
            "end",
            "text",
            "speaker",
            "speaker_confidence",
            "indirect",
        }
        assert set(article["mentions"][0]) == {"start", "end", "text", "entity", "kind"}


def test_reads_zips_and_reports_bad_files(tmp_path):
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(
            "a.txt",
            "Title\n\n“We will win,” said Rosa Diaz, the coach.\n\n"
            "Neighbours hung their washing out under “No entry for anyone”.\n",
        )
        zipped.writestr("empty.txt", "")
    errors = io.StringIO()
    out = tmp_path / "out.json"
    call_command("suggest", str(archive), f"--json={out}", stdout=io.StringIO(), stderr=errors)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert list(result) == ["a.txt"]
    quote, sign = result["a.txt"]["quotes"]
    assert (quote["text"], quote["speaker"], quote["indirect"]) == (
        "We will win",
        "Rosa Diaz",
        False,
    )
    assert quote["speaker_confidence"] >= 0.8
    # No reporting verb: the last speaker is only a guess, and the output says so.
    assert (sign["text"], sign["speaker"]) == ("No entry for anyone", "Rosa Diaz")
    assert sign["speaker_confidence"] < 0.5
    assert "empty.txt" in errors.getvalue()


def test_a_gazetteer_file_links_known_entities(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Title\n\nPresident Okoro said the port would reopen.\n", encoding="utf-8")
    known = tmp_path / "known.json"
    known.write_text(
        json.dumps([{"id": 4, "name": "Ada Okoro", "kind": "PERSON", "aliases": ["Okoro"]}]),
        encoding="utf-8",
    )
    result = run(article, out=tmp_path / "out.json", gazetteer=str(known))
    [mention] = result["a.txt"]["mentions"]
    assert (mention["text"], mention["entity"], mention["kind"]) == ("Okoro", "Ada Okoro", "PERSON")


def test_no_article_files_is_an_error(tmp_path):
    with pytest.raises(CommandError):
        run(tmp_path, out=tmp_path / "out.json")
