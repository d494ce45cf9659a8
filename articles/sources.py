"""Where article files come from: paths on disk (files, folders, zips) and uploads.

Each source yields `SourceFile`s: a name and its bytes, or a note saying why there are no
bytes (skipped, unreadable, over a limit). One bad member never stops the others.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

ARTICLE_SUFFIX = ".txt"


@dataclass(frozen=True)
class SourceFile:
    name: str  # the file name an article remembers (no folders)
    data: bytes | None = None
    error: str = ""  # set: the file failed before import
    skipped: str = ""  # set: not an article file, passed over on purpose
    path: str = ""  # where it came from ("batch.zip/a/report.txt"), for messages

    @property
    def where(self) -> str:
        return self.path or self.name


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # one article file
    zip_max_members: int
    zip_max_bytes: int  # all members of one zip, unpacked


def from_paths(paths: Iterable[str | Path], limits: Limits) -> Iterator[SourceFile]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file())
            for child in found:
                if child.suffix.lower() in (".zip", ARTICLE_SUFFIX):
                    yield from _from_path(child, limits)
                elif not child.name.startswith("."):
                    yield SourceFile(
                        child.name, skipped=f"{child}: not a .txt file, skipped.", path=str(child)
                    )
        else:
            yield from _from_path(path, limits)


def _from_path(path: Path, limits: Limits) -> Iterator[SourceFile]:
    if not path.exists():
        yield SourceFile(path.name or str(path), error=f"No such file: {path}")
        return
    try:
        size = path.stat().st_size
        if path.suffix.lower() == ".zip":
            with path.open("rb") as handle:
                yield from from_zip(path.name, handle, limits)
            return
        if size > limits.max_bytes:
            yield SourceFile(path.name, error=_too_big(size, limits.max_bytes), path=str(path))
            return
        yield SourceFile(path.name, data=path.read_bytes(), path=str(path))
    except OSError as error:
        yield SourceFile(
            path.name, error=f"Cannot read {path}: {error.strerror or error}", path=str(path)
        )


def from_upload(name: str, handle: BinaryIO, size: int, limits: Limits) -> Iterator[SourceFile]:
    name = PurePosixPath(name.replace("\\", "/")).name
    if name.lower().endswith(".zip"):
        yield from from_zip(name, handle, limits)
        return
    if size > limits.max_bytes:
        yield SourceFile(name, error=_too_big(size, limits.max_bytes))
        return
    yield SourceFile(name, data=handle.read())


def from_zip(name: str, handle: BinaryIO, limits: Limits) -> Iterator[SourceFile]:
    """The members of a zip, each its own SourceFile: a member that cannot be read fails
    alone, with a message, and the others still come."""
    try:
        archive = zipfile.ZipFile(handle if handle.seekable() else io.BytesIO(handle.read()))
    except Exception:  # any damage to its directory means the same to a person
        yield SourceFile(name, error="Not a readable zip archive.")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.zip_max_members:
            yield SourceFile(
                name,
                error=f"The zip holds {len(members)} files; the limit is {limits.zip_max_members}.",
            )
            return
        declared = sum(info.file_size for info in members)
        if declared > limits.zip_max_bytes:
            yield SourceFile(
                name,
                error=f"The zip unpacks to {declared:,} bytes; the limit is {limits.zip_max_bytes:,}.",
            )
            return
        budget = limits.zip_max_bytes
        for info in members:
            # Zips made on Windows may separate folders with backslashes.
            inner = info.filename.replace("\\", "/")
            member = PurePosixPath(inner).name
            label = f"{name}/{inner}"
            if not member.lower().endswith(ARTICLE_SUFFIX) or member.startswith("."):
                yield SourceFile(member, skipped=f"{label}: not a .txt file, skipped.", path=label)
                continue
            if _escapes(inner):
                # Nothing is unpacked to disk, but a name that climbs out of the archive says
                # it was made to attack an unpacker: refuse it rather than guess its name.
                yield SourceFile(
                    member,
                    error=f"{label}: the path leaves the zip (absolute, or “..”); refused.",
                    path=label,
                )
                continue
            if info.file_size > limits.max_bytes:
                yield SourceFile(
                    member, error=_too_big(info.file_size, limits.max_bytes), path=label
                )
                continue
            try:
                # Read at most one byte past the limit: a member whose header lies about
                # its size cannot unpack more than that.
                with archive.open(info) as stream:
                    data = stream.read(min(limits.max_bytes, budget) + 1)
            except Exception as error:
                # A damaged member raises whatever its decompressor raises (zlib.error,
                # lzma.LZMAError, BadZipFile for a bad CRC, NotImplementedError for an
                # unknown method, RuntimeError when encrypted): it fails alone.
                yield SourceFile(
                    member, error=f"{label}: cannot unpack ({_reason(error)}).", path=label
                )
                continue
            if len(data) > limits.max_bytes:
                yield SourceFile(member, error=_too_big(len(data), limits.max_bytes), path=label)
                continue
            budget -= len(data)
            if budget < 0:
                yield SourceFile(
                    member, error="The zip unpacks to more than its limit.", path=label
                )
                return
            yield SourceFile(member, data=data, path=label)


def _escapes(inner: str) -> bool:
    """A member path that is absolute or climbs up with "..": "/etc/x.txt", "../x.txt"."""
    path = PurePosixPath(inner)
    return path.is_absolute() or ".." in path.parts or PureWindowsPath(inner).drive != ""


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _too_big(size: int, limit: int) -> str:
    return f"The file is {size:,} bytes; the limit is {limit:,} bytes."
