"""The import service, the command and the admin upload, on the real seeds and bad files."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from articles import sources
from articles.models import Article
from articles.services import Outcome, article_import, articles_import, import_limits
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


def seed_files():
    return list(sources.from_paths([SEEDS], import_limits()))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_seeds_import_then_reimport_is_a_no_op():
    reports = articles_import(files=seed_files())
    assert [(r.name, r.outcome) for r in reports] == [(n, Outcome.IMPORTED) for n in SEED_NAMES]
    first = {a.source_file: (a.pk, a.body, a.updated_at) for a in Article.objects.all()}
    assert len(first) == 2

    again = articles_import(files=seed_files())
    assert [r.outcome for r in again] == [Outcome.ALREADY, Outcome.ALREADY]
    assert {a.source_file: (a.pk, a.body, a.updated_at) for a in Article.objects.all()} == first


def test_imported_seed_keeps_report_and_provenance(editor):
    [report, _] = articles_import(files=seed_files(), imported_by=editor)
    article = Article.objects.get(pk=report.article_id)
    assert article.imported_by == editor
    assert article.original.startswith("US Secretary of State Antony Blinken jets")
    assert article.word_count == len(article.body.split())
    removed = article.import_report["removed"]
    assert {"line": 4, "text": "Advertisement", "reason": "boilerplate"} in removed
    assert len(removed) == 6
    assert "line 27: Israeli Prime Minister" in report.removed[3]


def test_same_name_other_content_is_a_new_revision():
    first = article_import(name="story.txt", data=b"Title\n\nFirst version.\n")
    [report] = articles_import(
        files=[sources.SourceFile("story.txt", data=b"Title\n\nSecond version.\n")]
    )
    assert report.outcome == Outcome.REVISED
    assert report.ok
    assert report.article_id == first.article_id
    assert report.message.startswith("revision 2: 0 annotations kept, 0 moved, 0 orphaned")
    article = Article.objects.get()
    assert (article.body, article.revision) == ("Second version.", 2)
    [old] = article.revisions.all()
    assert (old.number, old.body) == (1, "First version.")


def test_command_reports_a_revision(tmp_path):
    (tmp_path / "story.txt").write_bytes(b"Title\n\nFirst version.\n")
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())
    (tmp_path / "story.txt").write_bytes(b"Title\n\nSecond version.\n")
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), stdout=out)
    assert "story.txt: revised — revision 2" in out.getvalue()
    assert "1 files: 1 revised" in out.getvalue()


def test_same_content_under_another_name_is_already_imported():
    article_import(name="a.txt", data=b"Title\n\nBody.\n")
    [report] = articles_import(files=[sources.SourceFile("b.txt", data=b"Title\r\n\r\nBody.\r\n")])
    assert report.outcome == Outcome.ALREADY
    assert Article.objects.count() == 1


def test_one_bad_file_never_blocks_the_good_ones():
    files = [
        sources.SourceFile("good-1.txt", data=b"One\n\nFirst body.\n"),
        sources.SourceFile("empty.txt", data=b""),
        sources.SourceFile("bad.txt", data=b"T\n\n\xff\xfe\xfa"),
        sources.SourceFile("good-2.txt", data=b"Two\n\nSecond body.\n"),
    ]
    reports = articles_import(files=files)
    assert [r.outcome for r in reports] == [
        Outcome.IMPORTED,
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.IMPORTED,
    ]
    assert reports[1].message == "The file is empty."
    assert "not valid UTF-8" in reports[2].message
    assert sorted(Article.objects.values_list("source_file", flat=True)) == [
        "good-1.txt",
        "good-2.txt",
    ]


def test_zip_members_and_limits(tmp_path, settings):
    settings.NEWSDESK_ZIP_MAX_MEMBERS = 3
    good = tmp_path / "batch.zip"
    good.write_bytes(
        zip_bytes(
            {"a/one.txt": b"One\n\nBody one.\n", "notes.md": b"# hi", "two.txt": b"Two\n\nB.\n"}
        )
    )
    too_many = tmp_path / "many.zip"
    too_many.write_bytes(zip_bytes({f"{i}.txt": b"T\n\nB\n" for i in range(4)}))
    files = list(sources.from_paths([good, too_many], import_limits()))
    reports = articles_import(files=files)
    assert [(r.name, r.outcome) for r in reports] == [
        ("one.txt", Outcome.IMPORTED),
        ("notes.md", Outcome.SKIPPED),
        ("two.txt", Outcome.IMPORTED),
        ("many.zip", Outcome.FAILED),
    ]
    assert "not a .txt file" in reports[1].message
    assert "holds 4 files; the limit is 3" in reports[3].message


def test_zip_bomb_is_refused_by_unpacked_size(tmp_path, settings):
    settings.NEWSDESK_ZIP_MAX_BYTES = 1_000_000
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(zip_bytes({"big.txt": b"T\n\n" + b"a" * 5_000_000}))
    assert bomb.stat().st_size < 50_000
    [item] = sources.from_paths([bomb], import_limits())
    assert "unpacks to 5,000,003 bytes" in item.error


def test_oversize_file_fails_alone(tmp_path, settings):
    settings.NEWSDESK_IMPORT_MAX_BYTES = 1000
    (tmp_path / "big.txt").write_bytes(b"T\n\n" + b"word " * 400)
    (tmp_path / "small.txt").write_bytes(b"T\n\nsmall\n")
    reports = articles_import(files=sources.from_paths([tmp_path], import_limits()))
    assert [(r.name, r.outcome) for r in reports] == [
        ("big.txt", Outcome.FAILED),
        ("small.txt", Outcome.IMPORTED),
    ]
    assert "limit is 1,000 bytes" in reports[0].message


def test_not_a_zip(tmp_path):
    (tmp_path / "fake.zip").write_bytes(b"this is not a zip")
    [report] = articles_import(files=sources.from_paths([tmp_path / "fake.zip"], import_limits()))
    assert report.outcome == Outcome.FAILED
    assert report.message == "Not a readable zip archive."


# --- the command --------------------------------------------------------------------------


def test_command_imports_seeds_with_progress_and_report():
    out = io.StringIO()
    call_command("import_articles", str(SEEDS), stdout=out)
    text = out.getvalue()
    assert f"[1/2] {SEED_NAMES[0]}: imported" in text
    assert f"[2/2] {SEED_NAMES[1]}: imported" in text
    assert "2 files: 2 imported" in text
    out = io.StringIO()
    call_command("import_articles", str(SEEDS), stdout=out)
    assert "2 files: 2 already imported" in out.getvalue()


def test_command_fails_with_non_zero_status_when_a_file_fails(tmp_path):
    (tmp_path / "ok.txt").write_bytes(b"T\n\nfine\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 files were not imported") as error:
        call_command("import_articles", str(tmp_path), stdout=out)
    assert error.value.returncode == 1
    assert "empty.txt: failed — The file is empty." in out.getvalue()
    assert Article.objects.filter(source_file="ok.txt").exists()


def test_command_reports_missing_path(tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path / "nope.txt"), stdout=out)
    assert "No such file" in out.getvalue()


# --- the admin ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_changelist_links_to_import(admin_client):
    articles_import(files=seed_files())
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    assert reverse("admin:articles_article_import") in response.content.decode()


def test_admin_changelist_has_no_n_plus_one(admin_client, django_assert_max_num_queries):
    from tests.factories import ArticleFactory, SpanFactory

    for article in ArticleFactory.create_batch(30):
        SpanFactory(article=article)
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200


def test_admin_upload_several_files_and_a_zip_with_a_bad_one(admin_client):
    seed_0, seed_1 = (SEEDS / name for name in SEED_NAMES)
    upload = [
        _upload(seed_0.name, seed_0.read_bytes()),
        _upload("batch.zip", zip_bytes({seed_1.name: seed_1.read_bytes(), "bad.txt": b"\xff"})),
        _upload("binary.txt", b"\x00\x01\x02"),
    ]
    response = admin_client.post(reverse("admin:articles_article_import"), {"files": upload})
    assert response.status_code == 200
    rows = [(r.name, r.outcome) for r in response.context["reports"]]
    assert rows == [
        (seed_0.name, Outcome.IMPORTED),
        (seed_1.name, Outcome.IMPORTED),
        ("bad.txt", Outcome.FAILED),
        ("binary.txt", Outcome.FAILED),
    ]
    page = response.content.decode()
    assert "not valid UTF-8" in page
    assert "binary" in page
    assert Article.objects.count() == 2

    again = admin_client.post(
        reverse("admin:articles_article_import"),
        {"files": [_upload(p.name, p.read_bytes()) for p in (seed_0, seed_1)]},
    )
    assert [r.outcome for r in again.context["reports"]] == [Outcome.ALREADY] * 2
    assert again.content.decode().count("already imported") >= 2


def test_admin_import_needs_a_file(admin_client):
    response = admin_client.post(reverse("admin:articles_article_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["reports"] is None


def test_admin_import_is_closed_to_non_staff(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_import"))
    assert response.status_code == 302  # to the admin login


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_admin_add_article_leads_to_the_import_page(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_import")
