"""python -m model.registry: list versions, promote, set the challenger, roll back.

python -m model.registry list
python -m model.registry promote VERSION [--note WHY] [--by NAME]
python -m model.registry set-challenger VERSION|none [--note WHY]
python -m model.registry rollback [--note WHY]

Every move is recorded (who, when, from, to, why); running apps serve it within seconds.
Exit codes: 0 done, 1 refused (the reason on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from config import Settings
from data.aliases import AliasError
from data.spec import load_spec
from data.spec_errors import SpecError
from model.artifact_store import ArtifactStoreError
from model.evaluate import PRIMARY
from model.registry import ModelLoadError, Registry
from model.train import registry_for


def version_rows(registry: Registry) -> list[dict]:
    """Each version with its holdout headline and the aliases it holds."""
    held: dict[str, list[str]] = {}
    for alias, (version, by, at) in registry.alias_store.holders().items():
        held.setdefault(version, []).append(
            f"{alias} (set by {by}, {at:%Y-%m-%d %H:%M})"
        )
    rows = []
    for version in sorted(registry.versions(), reverse=True):
        try:
            card = registry.card(version)
        except ModelLoadError as exc:
            rows.append({"version": version, "problem": str(exc)})
            continue
        metric, _ = PRIMARY[card.kind]
        rows.append(
            {
                "version": version,
                "created": card.created,
                "estimator": f"{card.model.estimator} ({card.model.origin})",
                "metric": metric,
                "value": card.metrics["model"].holdout.get(metric),
                "data": card.dataset.fingerprint[:12],
                "aliases": held.get(version, []),
            }
        )
    return rows


def _list(registry: Registry) -> None:
    for row in version_rows(registry):
        if "problem" in row:
            print(f"{row['version']}  unreadable: {row['problem']}")
            continue
        aliases = ", ".join(row["aliases"]) or "-"
        value = "—" if row["value"] is None else f"{row['value']:.4f}"
        print(
            f"{row['version']}  {row['created']}  {row['metric']} {value}  "
            f"{row['estimator']}  [{aliases}]"
        )
    for move in registry.alias_store.history(10):
        print(
            f"  {move.at:%Y-%m-%d %H:%M:%S} {move.alias}: {move.from_version or '-'} -> "
            f"{move.to_version or '-'} by {move.user} ({move.action}) {move.note}"
        )


def _move(registry: Registry, args) -> None:
    if args.command == "rollback":
        target = registry.alias_store.previous_champion()
        if target is None:
            raise AliasError("there is no earlier champion to roll back to")
        registry.set_alias("champion", target, args.by, args.note, "rollback")
        print(f"champion: rolled back to {target}")
        return
    alias = "champion" if args.command == "promote" else "challenger"
    version = None if args.version.lower() == "none" else args.version
    old = registry.set_alias(alias, version, args.by, args.note)
    print(f"{alias}: {old or '-'} -> {version or '-'}")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m model.registry", description=__doc__)
    top.add_argument("--spec", help="spec TOML (default: FLIGHTDECK_SPEC or flights)")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every version, its headline metric and aliases")
    for name, help_text in (
        ("promote", "make VERSION the champion"),
        ("set-challenger", "make VERSION the challenger ('none' clears it)"),
        ("rollback", "return to the previous champion"),
    ):
        command = sub.add_parser(name, help=help_text)
        if name != "rollback":
            command.add_argument("version")
        command.add_argument("--note", default="", help="why, for the history")
        command.add_argument("--by", default=getpass.getuser(), help="who (recorded)")
    return top


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        registry = registry_for(settings, load_spec(args.spec or settings.spec_path))
        if args.command == "list":
            _list(registry)
        else:
            _move(registry, args)
    except (AliasError, ArtifactStoreError, ModelLoadError, SpecError) as exc:
        print(f"model.registry: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
