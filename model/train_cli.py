"""python -m model.train: train a candidate, judge it by the gate, promote or keep it.

[--spec SPEC] [--force] [--no-promote] [--note WHY] [--by WHO] [--estimator NAME]
[--max-iter N] [--compare]. Exit codes: 0 promoted, 3 kept as challenger, 4 busy, 1 failed.
"""

from __future__ import annotations

import argparse
import sys

from config import Settings
from data.db import first_line
from data.spec import load_spec
from data.spec_errors import SpecError
from model.pipeline import ParamError
from model.registry import ModelLoadError
from model.retrain import BUSY, RetrainBusy, retrain


def main(argv: list[str] | None = None) -> None:
    """Retrain behind the gate; the exit code says what happened (see model/gate.py)."""
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        spec = load_spec(args.spec or settings.spec_path)
        if args.compare:
            from model.compare import compare

            compare(settings, spec)
            return
        result = retrain(
            settings,
            spec,
            force=args.force,
            by=args.by,
            note=args.note or "",
            params={"max_iter": args.max_iter} if args.max_iter else None,
            estimator=args.estimator,
            move_aliases=not args.no_promote,
        )
    except RetrainBusy as exc:
        print(f"model.train: {exc}", file=sys.stderr)
        raise SystemExit(BUSY) from None
    except (SpecError, ParamError) as exc:
        raise SystemExit(f"model.train: {exc}") from None
    except (ModelLoadError, OSError, KeyError, ValueError) as exc:
        raise SystemExit(
            f"model.train: failed, nothing promoted: {first_line(exc)}"
        ) from None
    print("\n".join(result.report()))
    print(f"[train] done in {result.seconds:.1f}s")
    raise SystemExit(result.verdict.exit_code if result.moved else 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Train a candidate and promote it only if it passes the gate.",
        epilog="Exit codes: 0 promoted (or --no-promote), 3 kept as challenger, "
        "4 another retrain is running, 1 failed, 2 bad arguments.",
    )
    parser.add_argument(
        "--spec", help="spec TOML (default: FLIGHTDECK_SPEC or flights)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="promote even if the gate says no (recorded as forced)",
    )
    parser.add_argument(
        "--no-promote",
        action="store_true",
        help="register the candidate and report the gate, move no alias",
    )
    parser.add_argument("--note", help="why, for the alias history")
    parser.add_argument("--by", default="model.train", help="who, for the history")
    parser.add_argument(
        "--estimator", help="hist_gradient_boosting or logistic_regression"
    )
    parser.add_argument("--max-iter", type=int, help="boosting rounds (a cap)")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="fit both estimators, compare them on the validation split, register nothing",
    )
    return parser


if __name__ == "__main__":
    main()
