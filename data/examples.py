"""Write the example CSVs that the specs under examples/ read, from scikit-learn's bundled data.

python -m data.examples            # writes examples/*/*.csv (gitignored)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes

from config import ROOT

EXAMPLES = ROOT / "examples"


def diabetes_frame() -> pd.DataFrame:
    """442 patients; target: disease progression one year later (regression)."""
    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame["sex"] = frame["sex"].map({1.0: "female", 2.0: "male"})
    return frame.rename(columns={"target": "progression"})


def breast_cancer_frame() -> pd.DataFrame:
    """569 tumours; target: 1 when benign (classification)."""
    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame["size_band"] = pd.cut(
        frame["mean_radius"], [0, 12, 16, 100], labels=["small", "medium", "large"]
    )
    return frame.rename(columns={"target": "benign"})


def write_examples(folder: Path = EXAMPLES) -> list[Path]:
    written = []
    for name, build in (
        ("diabetes", diabetes_frame),
        ("breast_cancer", breast_cancer_frame),
    ):
        path = folder / name / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        build().to_csv(path, index=False)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the example CSVs.")
    parser.add_argument("--folder", type=Path, default=EXAMPLES)
    for path in write_examples(parser.parse_args(argv).folder):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
