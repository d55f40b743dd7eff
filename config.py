"""One place that turns the environment into settings; importing it does nothing else."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_SPEC = ROOT / "data" / "specs" / "flights.toml"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Flightdeck process."""

    spec_path: Path = DEFAULT_SPEC
    home: Path = ROOT / "var"
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    auto_build: bool = True
    database_url: str = ""
    model_threads: int = 1
    compress: bool = True

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from environment variables (FLIGHTDECK_*, HOST, PORT)."""
        env = dict(os.environ if env is None else env)
        return cls(
            spec_path=Path(env.get("FLIGHTDECK_SPEC") or DEFAULT_SPEC),
            home=Path(env.get("FLIGHTDECK_HOME") or ROOT / "var"),
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8050),
            debug=_flag(env.get("FLIGHTDECK_DEBUG"), False),
            auto_build=_flag(env.get("FLIGHTDECK_AUTO_BUILD"), True),
            database_url=env.get("DATABASE_URL") or "",
            model_threads=int(env.get("FLIGHTDECK_MODEL_THREADS") or 1),
            compress=_flag(env.get("FLIGHTDECK_COMPRESS"), True),
        )

    def with_overrides(self, **changes) -> Settings:
        """A copy with some fields changed (tests use this)."""
        return replace(self, **changes)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec_path", Path(self.spec_path))
        object.__setattr__(self, "home", Path(self.home))

    @property
    def database(self) -> str:
        """SQLAlchemy URL of the prediction log: DATABASE_URL, else SQLite under home."""
        return self.database_url or f"sqlite:///{self.home / 'flightdeck.db'}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"
