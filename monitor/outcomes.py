"""Outcomes that arrive later, matched to logged predictions and attached once.

A file names each prediction by its `request_id`, or by the spec's [monitor] keys (the
replay logged the same canonical key, monitor/keys.py). Actuals become the card's class
text ('1', True and 1.0 are all the flights class '1') or a number for regression; an
unknown class is reported, never attached. Attaching twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.stores import PredictionLog
from data.target import NO, YES, label_text
from monitor.keys import event_keys, number_text

REQUEST_ID = "request_id"


class OutcomeFileError(ValueError):
    """The file cannot be used at all (not a table, or a column it needs is missing)."""


def read_outcomes(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file of outcomes, as read by pandas."""
    if not path.is_file():
        raise OutcomeFileError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype={REQUEST_ID: str})
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise OutcomeFileError(
            f"{path}: not a readable CSV or Parquet file ({exc})"
        ) from None


class Actuals:
    """Turns outcome values as files write them into what the log stores."""

    def __init__(self, classes: list[str], regression: bool):
        self.regression = regression
        self.lookup = {c.casefold(): c for c in classes}
        if len(classes) == 2:
            self._yes_no(classes)

    @classmethod
    def for_card(cls, card) -> Actuals:
        """The classes (or numbers) of a model card."""
        return cls(list(card.classes), card.kind == "regression")

    def _yes_no(self, classes: list[str]) -> None:
        """A pair that reads as no/yes ('0'/'1') also takes True, 'yes', 'false'..."""
        words = [c.casefold() for c in classes]
        for no, yes in ((0, 1), (1, 0)):
            if words[no] in NO and words[yes] in YES:
                extra = {w: classes[yes] for w in YES} | {w: classes[no] for w in NO}
                self.lookup = extra | self.lookup

    def texts(self, values: pd.Series) -> tuple[list[str | None], list[str | None]]:
        """Each value's stored text (None when unusable) and why it is unusable."""
        read = self._number if self.regression else self._class
        texts = label_text(values)
        answers = {t: read(t) for t in texts.dropna().unique()}
        pairs = [answers[t] if not pd.isna(t) else (None, "no value") for t in texts]
        return [a for a, _ in pairs], [why for _, why in pairs]

    def _class(self, text: str) -> tuple[str | None, str | None]:
        found = self.lookup.get(text.casefold())
        if found is None:
            number = _number_text(text)
            found = self.lookup.get(number) if number else None
        return (found, None) if found else (None, f"unknown class {text[:40]!r}")

    def _number(self, text: str) -> tuple[str | None, str | None]:
        number = _number_text(text)
        return (number, None) if number else (None, f"not a number {text[:40]!r}")


def _number_text(text: str) -> str | None:
    """'2.0' -> '2', '0.5' -> '0.5'; None unless a finite number."""
    try:
        return number_text(float(text))
    except ValueError:
        return None


@dataclass
class OutcomeReport:
    """What one file did: rows by fate, and predictions attached now or before."""

    rows: int = 0
    matched: int = 0  # rows that found at least one logged prediction
    attached: int = 0  # predictions given their outcome now
    already: int = 0  # predictions that had one (a re-run)
    unmatched: int = 0
    duplicates: int = 0
    bad: Counter = field(default_factory=Counter)

    def summary(self, dry_run: bool = False) -> str:
        """One line, in the user's words."""
        verb = "would attach" if dry_run else "attached"
        line = (
            f"{self.rows:,} rows read: {self.matched:,} matched, {verb} "
            f"{self.attached:,} outcome(s), {self.already:,} already attached; "
            f"{self.unmatched:,} unmatched; {self.duplicates:,} duplicate rows "
            f"(first used); {sum(self.bad.values()):,} bad values"
        )
        if self.bad:
            shown = ", ".join(f"{why} x{n}" for why, n in self.bad.most_common(3))
            line += f" ({shown})"
        return line


def identities(frame: pd.DataFrame, keys: tuple[str, ...]) -> tuple[pd.Series, str]:
    """Each row's request id or event key, and which of the two the file uses."""
    if REQUEST_ID in frame.columns:
        ids = frame[REQUEST_ID].astype("string").str.strip()
        return ids.mask(ids.eq("")).astype(object), "request id"
    if not keys:
        raise OutcomeFileError(
            f"no '{REQUEST_ID}' column, and the spec names no [monitor] keys to match by"
        )
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise OutcomeFileError(
            f"no '{REQUEST_ID}' column, and the key column(s) {missing} are missing "
            f"(the spec's [monitor] keys: {', '.join(keys)})"
        )
    return event_keys(frame, keys), "keys"


def requests_of(
    prediction_log: PredictionLog, wanted: list[str], by: str
) -> dict[str, list[str]]:
    """Request ids per identity: itself when logged, or every row logged under a key."""
    if by == "keys":
        return prediction_log.find_keys(wanted)
    return {rid: [rid] for rid in prediction_log.logged(wanted)}


def match_outcomes(
    frame: pd.DataFrame,
    prediction_log: PredictionLog,
    actuals: Actuals,
    *,
    column: str,
    keys: tuple[str, ...],
    origin: str,
    dry_run: bool = False,
) -> OutcomeReport:
    """Attach each row's outcome to its logged prediction(s); a re-run attaches nothing."""
    if column not in frame.columns:
        raise OutcomeFileError(
            f"no outcome column '{column}' (use --column to name it)"
        )
    who, by = identities(frame, keys)
    values, why = actuals.texts(frame[column])
    report = OutcomeReport(rows=len(frame))
    usable = _first_usable(who, values, why, report)
    found = requests_of(prediction_log, sorted(usable), by)
    report.matched = len(found)
    report.unmatched += len(usable) - len(found)
    wanted = {rid: usable[ident] for ident, rids in found.items() for rid in rids}
    return _attach(prediction_log, wanted, report, origin, dry_run)


def _first_usable(
    who: pd.Series, values: list, why: list, report: OutcomeReport
) -> dict[str, str]:
    """Identity -> actual from the first row of each identity; the rest are counted."""
    present, repeated = who.notna(), who.duplicated(keep="first")
    report.unmatched = int((~present).sum())  # no id or key: nothing to match
    report.duplicates = int((present & repeated).sum())
    identity = who.to_numpy()
    usable = {}
    for i in (present & ~repeated).to_numpy().nonzero()[0]:
        if values[i] is None:
            report.bad[why[i]] += 1
        else:
            usable[identity[i]] = values[i]
    return usable


def _attach(
    prediction_log: PredictionLog,
    wanted: dict[str, str],
    report: OutcomeReport,
    origin: str,
    dry_run: bool,
) -> OutcomeReport:
    done = prediction_log.attached(list(wanted))
    report.already = len(done)
    fresh = {rid: actual for rid, actual in wanted.items() if rid not in done}
    report.attached = (
        len(fresh) if dry_run else prediction_log.attach_outcomes(fresh, origin)
    )
    return report


def attach_known(
    prediction_log: PredictionLog,
    actuals: Actuals,
    request_ids: list[str | None],
    values: pd.Series,
    origin: str,
) -> int:
    """Outcomes already at hand (the replay's targets), one per logged request id."""
    texts, _ = actuals.texts(values.reset_index(drop=True))
    wanted = {
        rid: text
        for rid, text in zip(request_ids, texts, strict=True)
        if rid is not None and text is not None
    }
    return prediction_log.attach_outcomes(wanted, origin)
