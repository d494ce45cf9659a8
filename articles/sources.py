"""Where article files come from: paths on disk (files, folders, zips) and uploads.

Each source yields `SourceFile`s: a name and its bytes, or a note saying why there are no
bytes (skipped, unreadable, over a limit). One bad member never stops the others.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

ARTICLE_SUFFIX = ".txt"


@dataclass(frozen=True)
class SourceFile:
    name: str  # the file name an article remembers (no folders)
    data: bytes | None = None
    error: str = ""  # set: the file failed before import
    skipped: str = ""  # set: not an article file, passed over on purpose


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
                    yield SourceFile(child.name, skipped=f"{child}: not a .txt file, skipped.")
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
            yield SourceFile(path.name, error=_too_big(size, limits.max_bytes))
            return
        yield SourceFile(path.name, data=path.read_bytes())
    except OSError as error:
        yield SourceFile(path.name, error=f"Cannot read {path}: {error.strerror or error}")


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
    try:
        archive = zipfile.ZipFile(handle if handle.seekable() else io.BytesIO(handle.read()))
    except (zipfile.BadZipFile, OSError):
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
            member = PurePosixPath(info.filename).name
            label = f"{name}/{info.filename}"
            if not member.lower().endswith(ARTICLE_SUFFIX) or member.startswith("."):
                yield SourceFile(member, skipped=f"{label}: not a .txt file, skipped.")
                continue
            if info.file_size > limits.max_bytes:
                yield SourceFile(member, error=_too_big(info.file_size, limits.max_bytes))
                continue
            try:
                # Read at most one byte past the limit: a member whose header lies about
                # its size cannot unpack more than that.
                with archive.open(info) as stream:
                    data = stream.read(min(limits.max_bytes, budget) + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as error:
                yield SourceFile(member, error=f"{label}: cannot unpack ({error}).")
                continue
            if len(data) > limits.max_bytes:
                yield SourceFile(member, error=_too_big(len(data), limits.max_bytes))
                continue
            budget -= len(data)
            if budget < 0:
                yield SourceFile(member, error="The zip unpacks to more than its limit.")
                return
            yield SourceFile(member, data=data)


def _too_big(size: int, limit: int) -> str:
    return f"The file is {size:,} bytes; the limit is {limit:,} bytes."
