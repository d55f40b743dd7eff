"""Versioned model artifacts (model.joblib + card.json) and the champion/challenger aliases.

Loading checks the artifact's sha256 against its card before unpickling anything, and
refuses an artifact built with another scikit-learn version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import joblib
import sklearn
from pydantic import ValidationError
from sklearn.exceptions import InconsistentVersionWarning

from data.aliases import ALIASES, AliasStore
from model.artifact_store import ArtifactStore
from model.card import Artifact, ModelCard

MODEL_FILE, CARD_FILE, ALIASES_FILE = "model.joblib", "card.json", "aliases.json"


class ModelLoadError(RuntimeError):
    """The artifact is missing, tampered with, or from an incompatible library version."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json_atomic(path: Path, payload: dict | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if isinstance(payload, str):
            handle.write(payload)
        else:
            json.dump(payload, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Registry:
    """Model versions of one dataset under `root` (a folder or an fsspec URL), each in its
    own folder; the aliases (champion, challenger) and their history in the database."""

    def __init__(self, root: Path | str, aliases: AliasStore):
        self.store = ArtifactStore(root)
        self.root: Path | str = self.store.local or self.store.url
        self.alias_store = aliases
        self._adopt_legacy_aliases()

    def versions(self) -> list[str]:
        return self.store.versions()

    def aliases(self) -> dict[str, str]:
        return self.alias_store.all()

    def set_alias(
        self,
        alias: str,
        version: str | None,
        user: str = "system",
        note: str = "",
        action: str = "set",
    ) -> str | None:
        """Point an alias at a version (None clears it), recorded; returns the old one."""
        if version is not None and version not in self.versions():
            raise ModelLoadError(f"no model version '{version}'")
        return self.alias_store.move(alias, version, user, note, action)

    def _adopt_legacy_aliases(self) -> None:
        """Aliases kept in aliases.json before they moved to the database, moved once."""
        if not self.store.exists(ALIASES_FILE) or self.alias_store.all():
            return
        for alias, version in json.loads(self.store.read_bytes(ALIASES_FILE)).items():
            if version in self.versions() and alias in ALIASES:
                self.alias_store.move(
                    alias, version, "migration", f"from {ALIASES_FILE}"
                )
        self.store.rename(ALIASES_FILE, ALIASES_FILE + ".adopted")

    def resolve(self, alias_or_version: str) -> str | None:
        return self.aliases().get(alias_or_version) or (
            alias_or_version if alias_or_version in self.versions() else None
        )

    def save(self, pipeline, card: ModelCard) -> str:
        """Write a new version folder; the card records the artifact's sha256."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        staging = Path(tempfile.mkdtemp(dir=self._staging_parent(), prefix=".staging-"))
        try:
            joblib.dump(pipeline, staging / MODEL_FILE)
            digest = sha256_of(staging / MODEL_FILE)
            version = f"v{stamp}-{digest[:8]}"
            taken = 1
            while self.store.exists(version):  # the same file saved twice in a second
                taken += 1
                version = f"v{stamp}-{digest[:8]}-{taken}"
            card = card.model_copy(
                update={
                    "version": version,
                    "artifact": Artifact(file=MODEL_FILE, sha256=digest),
                }
            )
            _write_json_atomic(staging / CARD_FILE, card.model_dump_json(indent=1))
            self._publish(staging, version)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return version

    def _staging_parent(self) -> Path | None:
        """Beside the versions on local disk (so a rename publishes it), else a temp folder."""
        if self.store.local is None:
            return None
        self.store.local.mkdir(parents=True, exist_ok=True)
        return self.store.local

    def _publish(self, staging: Path, version: str) -> None:
        if self.store.local is not None:
            os.replace(staging, self.store.local / version)
        else:  # object storage: file by file, the card (which makes it a version) last
            self.store.upload(staging, version, last=CARD_FILE)

    def card(self, version: str) -> ModelCard:
        """The version's card, checked field by field."""
        try:
            text = self.store.read_bytes(version, CARD_FILE)
        except (FileNotFoundError, IsADirectoryError):
            raise ModelLoadError(
                f"model version '{version}' has no {CARD_FILE}"
            ) from None
        try:
            return ModelCard.model_validate_json(text)
        except ValidationError as exc:
            raise ModelLoadError(
                f"model {version}: its {CARD_FILE} is not a card this Flightdeck reads "
                f"({exc.error_count()} field problem(s)); retrain with `python -m model.train`"
            ) from None

    def load(self, version: str):
        """Return (pipeline, card) after checking sha256 and library version.

        The artifact is read once: the bytes whose sha256 is checked are the bytes
        unpickled (as fast as loading the file: 7 ms for the default model either way).
        """
        card = self.card(version)
        data = self._artifact(version, self.store.read_bytes)
        self._check(version, card, hashlib.sha256(data).hexdigest())
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            try:
                pipeline = joblib.load(io.BytesIO(data))
            except InconsistentVersionWarning as exc:
                raise ModelLoadError(f"model {version}: {exc}") from exc
        return pipeline, card

    def verify(self, version: str) -> ModelCard:
        """The card, once the artifact's sha256 and library versions check out."""
        card = self.card(version)
        self._check(version, card, self._artifact(version, self.store.sha256))
        return card

    def _artifact(self, version: str, read):
        try:
            return read(version, MODEL_FILE)
        except (FileNotFoundError, IsADirectoryError):
            raise ModelLoadError(
                f"model version '{version}' has no {MODEL_FILE}"
            ) from None

    def _check(self, version: str, card: ModelCard, actual: str) -> None:
        """Refuse an artifact whose sha256 or scikit-learn version is not the card's."""
        expected = card.sha256
        if expected != actual:
            raise ModelLoadError(
                f"model {version}: sha256 {actual[:12]}… does not match its card "
                f"({str(expected)[:12]}…); refusing to unpickle it"
            )
        built_with = card.libraries.get("scikit-learn")
        if built_with != sklearn.__version__:
            raise ModelLoadError(
                f"model {version} was built with scikit-learn {built_with}, "
                f"this is {sklearn.__version__}; retrain with `python -m model.train`"
            )


if __name__ == "__main__":
    from model.registry_cli import main

    main()
