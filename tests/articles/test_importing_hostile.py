"""Hostile and careless files through the real import paths: the admin upload and the
`import_articles` command. Each file is refused or imported on its own; the good ones land."""

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from articles.models import Article, ArticleRevision
from articles.services import Outcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = b"A good article\n\nIts body is plain UTF-8 text.\n"
BODY = b"Some body text that compresses well. " * 40


def zip_of(members: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def damaged_zip(method: int) -> bytes:
    """A zip of two members whose first member's compressed stream is overwritten with 0xff
    (its headers are intact, so only unpacking it fails)."""
    data = bytearray(
        zip_of([("bad.txt", b"Bad\n\n" + BODY), ("fine.txt", b"Fine\n\n" + BODY)], method)
    )
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    compressed = struct.unpack("<I", data[18:22])[0]
    first = 30 + name_len + extra_len
    # An LZMA member starts with 4 bytes of zip header and 5 of properties: keep those.
    skip = 9 if method == zipfile.ZIP_LZMA else 0
    data[first + skip : first + compressed] = b"\xff" * (compressed - skip)
    return bytes(data)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_import(admin_client, *files: tuple[str, bytes]):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    response = admin_client.post(reverse("admin:articles_article_import"), {"files": uploads})
    assert response.status_code == 200
    return response, [(r.name, r.outcome, r.message) for r in response.context["reports"]]


def run_command(*paths) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_articles", *map(str, paths), stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.parametrize(
    ("method", "error"),
    [(zipfile.ZIP_DEFLATED, "zlib.error"), (zipfile.ZIP_LZMA, "LZMAError")],
    ids=["deflate", "lzma"],
)
def test_admin_damaged_member_fails_alone(admin_client, method, error):
    error_name = error.split(".")[-1]
    assert Article.objects.count() == 0
    response, rows = admin_import(
        admin_client, ("good.txt", GOOD), ("damaged.zip", damaged_zip(method))
    )
    assert [(name, outcome) for name, outcome, _ in rows] == [
        ("good.txt", Outcome.IMPORTED),
        ("bad.txt", Outcome.FAILED),
        ("fine.txt", Outcome.IMPORTED),
    ]
    assert rows[1][2].startswith("damaged.zip/bad.txt: cannot unpack (")
    assert error_name in rows[1][2]
    assert "damaged.zip/bad.txt: cannot unpack" in response.content.decode()
    assert sorted(Article.objects.values_list("source_file", flat=True)) == [
        "fine.txt",
        "good.txt",
    ]


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA], ids=["deflate", "lzma"]
)
def test_command_damaged_member_fails_alone_and_exits_non_zero(tmp_path, method):
    (tmp_path / "good.txt").write_bytes(GOOD)
    (tmp_path / "damaged.zip").write_bytes(damaged_zip(method))
    code, out = run_command(tmp_path)
    assert code == 1
    assert "bad.txt: failed — damaged.zip/bad.txt: cannot unpack" in out
    assert "3 files: 2 imported, 1 failed" in out
    assert Article.objects.count() == 2


def test_path_traversal_names_are_refused(admin_client):
    members = [
        ("../../evil.txt", b"Evil one\n\nClimbs up.\n"),
        ("/etc/absolute.txt", b"Evil two\n\nAbsolute.\n"),
        ("..\\..\\windows.txt", b"Evil three\n\nBackslashes.\n"),
        ("C:/drive.txt", b"Evil four\n\nA drive.\n"),
        ("ok/./inside.txt", b"Fine\n\nA normal folder.\n"),
    ]
    _, rows = admin_import(admin_client, ("tricks.zip", zip_of(members)))
    assert [(name, outcome) for name, outcome, _ in rows] == [
        ("evil.txt", Outcome.FAILED),
        ("absolute.txt", Outcome.FAILED),
        ("windows.txt", Outcome.FAILED),
        ("drive.txt", Outcome.FAILED),
        ("inside.txt", Outcome.IMPORTED),
    ]
    assert (
        rows[0][2]
        == "tricks.zip/../../evil.txt: the path leaves the zip (absolute, or “..”); refused."
    )
    assert list(Article.objects.values_list("source_file", flat=True)) == ["inside.txt"]


def test_same_name_in_one_zip_is_a_conflict_never_a_revision(admin_client):
    members = [
        ("a/report.txt", b"Report A\n\nThe first report.\n"),
        ("b/report.txt", b"Report B\n\nA different report.\n"),
        ("c/report.txt", b"Report A\n\nThe first report.\n"),  # the same file again
    ]
    response, rows = admin_import(admin_client, ("reports.zip", zip_of(members)))
    assert [(name, outcome) for name, outcome, _ in rows] == [
        ("report.txt", Outcome.IMPORTED),
        ("report.txt", Outcome.CONFLICT),
        ("report.txt", Outcome.ALREADY),
    ]
    assert rows[1][2] == (
        "reports.zip/b/report.txt: another file of this import has the same name "
        "(reports.zip/a/report.txt); an article is known by its file name, so rename one "
        "and import it again."
    )
    assert "another file of this import has the same name" in response.content.decode()
    [article] = Article.objects.all()
    assert (article.title, article.revision) == ("Report A", 1)
    assert ArticleRevision.objects.count() == 0


def test_same_name_in_two_folders_is_a_conflict_in_the_command(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_bytes(b"Report A\n\nThe first report.\n")
    (tmp_path / "b" / "report.txt").write_bytes(b"Report B\n\nA different report.\n")
    code, out = run_command(tmp_path)
    assert code == 1
    assert "report.txt: conflict — " in out
    assert "another file of this import has the same name" in out
    assert Article.objects.count() == 1
    assert ArticleRevision.objects.count() == 0


def test_a_300_character_name_fails_alone(admin_client):
    long_name = "n" * 296 + ".txt"
    response, rows = admin_import(
        admin_client, ("names.zip", zip_of([(long_name, GOOD), ("short.txt", b"Short\n\nOk.\n")]))
    )
    assert [(name, outcome) for name, outcome, _ in rows] == [
        (long_name, Outcome.FAILED),
        ("short.txt", Outcome.IMPORTED),
    ]
    assert rows[0][2] == (
        "The file name has 300 characters; the limit is 255. Rename the file and import it again."
    )
    assert list(Article.objects.values_list("source_file", flat=True)) == ["short.txt"]


def test_utf16_and_nul_bytes_fail_alone(tmp_path):
    (tmp_path / "utf16.txt").write_bytes("Title\n\nBody\n".encode("utf-16"))
    (tmp_path / "nul.txt").write_bytes(b"Title\n\nBody\x00with a NUL\n")
    (tmp_path / "good.txt").write_bytes(GOOD)
    code, out = run_command(tmp_path)
    assert code == 1
    assert "nul.txt: failed — The file is binary, not text (it contains NUL bytes)." in out
    assert "utf16.txt: failed — The file is UTF-16; save it as UTF-8 and import it again." in out
    assert list(Article.objects.values_list("source_file", flat=True)) == ["good.txt"]


def test_utf16_and_nul_bytes_in_a_zip_fail_alone(admin_client):
    members = [
        ("utf16.txt", "Title\n\nBody\n".encode("utf-16")),
        ("nul.txt", b"Title\n\nBody\x00\n"),
        ("good.txt", GOOD),
    ]
    _, rows = admin_import(admin_client, ("mixed.zip", zip_of(members)))
    assert [outcome for _, outcome, _ in rows] == [
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.IMPORTED,
    ]
    assert Article.objects.count() == 1


def test_zip_bomb_is_refused_and_the_other_upload_lands(admin_client, settings):
    settings.NEWSDESK_ZIP_MAX_BYTES = 1_000_000
    bomb = zip_of([("big.txt", b"T\n\n" + b"a" * 20_000_000)])
    assert len(bomb) < 100_000
    _, rows = admin_import(admin_client, ("bomb.zip", bomb), ("good.txt", GOOD))
    assert rows == [
        (
            "bomb.zip",
            Outcome.FAILED,
            "The zip unpacks to 20,000,003 bytes; the limit is 1,000,000.",
        ),
        ("good.txt", Outcome.IMPORTED, rows[1][2]),
    ]
    assert Article.objects.count() == 1


def test_zip_member_lying_about_its_size_is_cut_at_the_limit(tmp_path, settings):
    """A header that declares a small size cannot make the reader unpack more than the limit."""
    settings.NEWSDESK_IMPORT_MAX_BYTES = 10_000
    data = bytearray(zip_of([("liar.txt", b"T\n\n" + b"a" * 1_000_000)]))
    # Declare 100 bytes unpacked, in the local header and in the central directory.
    data[22:26] = struct.pack("<I", 100)
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 100)
    (tmp_path / "liar.zip").write_bytes(bytes(data))
    (tmp_path / "good.txt").write_bytes(GOOD)
    code, out = run_command(tmp_path)
    assert code == 1
    assert "liar.txt: failed" in out
    assert Article.objects.count() == 1


def test_a_10000_character_title_is_refused_with_the_limit(admin_client):
    before = Article.objects.count()
    _, rows = admin_import(admin_client, ("long.txt", b"x" * 10_000 + b"\n\nBody.\n"))
    assert rows == [
        (
            "long.txt",
            Outcome.FAILED,
            "The title (the first non-empty line) has 10,000 characters; the limit is 500. "
            "Put the title on a line of its own.",
        )
    ]
    assert Article.objects.count() == before


@pytest.mark.parametrize(("length", "saved"), [(500, True), (501, False), (10_000, False)])
def test_admin_title_edit_has_the_same_limit(admin_client, length, saved):
    article = Article.objects.create(
        title="Short", body="Body.", original="Short\n\nBody.", content_hash="c" * 64
    )
    data = {
        "title": "t" * length,
        "source": "",
        "url": "",
        "published_at_0": "",
        "published_at_1": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = admin_client.post(url, data)
    article.refresh_from_db()
    if saved:
        assert response.status_code == 302
        assert len(article.title) == 500
    else:
        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors["title"]
        assert error == f"Ensure this value has at most 500 characters (it has {length})."
        assert article.title == "Short"


def test_the_database_refuses_an_over_long_title():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="t" * 501, body="B.", original="B.", content_hash="d" * 64)
    assert Article.objects.count() == 0
