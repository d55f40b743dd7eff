"""Where model versions are kept: a local folder, or any fsspec URL (s3://, gs://, file://,
memory://) so that every instance reads the same artifacts.

A local folder (or a file:// URL) keeps today's writes: a staging folder renamed into place.
Elsewhere a version is written file by file, its card.json last: a version is listed only
once its card is there, so a reader never sees half a version.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

MARKER = "card.json"  # a version folder counts once this file is in it


class ArtifactStoreError(ValueError):
    """FLIGHTDECK_ARTIFACTS names a place this process cannot use."""


def is_url(location: str | os.PathLike) -> bool:
    """An fsspec URL (`s3://bucket/x`, `file:///srv/x`), not a plain path."""
    return "://" in str(location)


def joined(base: str | os.PathLike, name: str) -> str | Path:
    """`base`/`name`, kept a Path for a plain path and a URL for a URL."""
    if is_url(base):
        return f"{str(base).rstrip('/')}/{name}"
    return Path(base) / name


def _filesystem(url: str):
    try:
        return fsspec.core.url_to_fs(url)
    except (
        ImportError
    ) as exc:  # s3fs, gcsfs... are installed by the team that needs them
        raise ArtifactStoreError(
            f"artifacts at '{url}' need a package that is not installed: {exc}"
        ) from None
    except ValueError as exc:
        raise ArtifactStoreError(f"artifacts at '{url}': {exc}") from None


class ArtifactStore:
    """One registry's folder of versions, on local disk or behind fsspec."""

    def __init__(self, location: str | os.PathLike):
        text = str(location)
        if is_url(text):
            self.fs, self.path = _filesystem(text)
            self.url = text
        else:
            self.fs, self.path = LocalFileSystem(), str(Path(text).absolute())
            self.url = self.path
        on_disk = isinstance(self.fs, LocalFileSystem)
        self.local: Path | None = Path(self.path) if on_disk else None

    def where(self, *parts: str) -> str:
        return "/".join([self.path.rstrip("/"), *parts])

    def versions(self) -> list[str]:
        """The version folders that hold a card, by name."""
        if self.local is not None:
            if not self.local.is_dir():
                return []
            found = (
                p
                for p in self.local.iterdir()
                if (p / MARKER).is_file() and not p.name.startswith(".")
            )
            return sorted(p.name for p in found)
        self.fs.invalidate_cache(self.path)  # another instance may have added one
        cards = self.fs.glob(self.where("*", MARKER))
        return sorted(card.rstrip("/").split("/")[-2] for card in cards)

    def exists(self, *parts: str) -> bool:
        return self.fs.exists(self.where(*parts))

    def read_bytes(self, *parts: str) -> bytes:
        """The file's bytes; FileNotFoundError when it is not there."""
        return self.fs.cat_file(self.where(*parts))

    def sha256(self, *parts: str) -> str:
        """The file's sha256, read in blocks."""
        digest = hashlib.sha256()
        with self.fs.open(self.where(*parts), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def upload(self, staging: Path, version: str, last: str = MARKER) -> None:
        """The staging folder's files as `version`, the file `last` written last."""
        names = sorted(p.name for p in staging.iterdir() if p.is_file())
        for name in sorted(names, key=lambda n: n == last):
            self.fs.put_file(str(staging / name), self.where(version, name))

    def rename(self, old: str, new: str) -> None:
        self.fs.mv(self.where(old), self.where(new))
