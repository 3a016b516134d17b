"""Compares two attribute CSVs (VibeNet's CLI and vibectl analyze) file by file.

    compare_attributes.py REFERENCE.csv CANDIDATE.csv --tolerance 0.01 [--summary OUT.json]

Runs in the VibeNet venv. Both CSVs have the header path,acousticness,...,valence. Rows are matched by the real path of the
file. Prints, per attribute, the max and mean absolute difference and the file where the max
occurs; exits 1 if any difference exceeds the tolerance or a file is missing from either side.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

from vibenet import labels as LABELS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference")
    parser.add_argument("candidate")
    parser.add_argument("--tolerance", type=float, required=True)
    parser.add_argument("--summary", help="also write the per-attribute numbers as JSON here")
    arguments = parser.parse_args()

    reference = read_rows(arguments.reference)
    candidate = read_rows(arguments.candidate)
    problems = [f"only in {arguments.reference}: {path}" for path in sorted(reference.keys() - candidate.keys())]
    problems += [f"only in {arguments.candidate}: {path}" for path in sorted(candidate.keys() - reference.keys())]
    common = sorted(reference.keys() & candidate.keys())
    if not common:
        problems.append("no file was analysed by both tools")
        print("\n".join(problems), file=sys.stderr)
        return 1

    print(f"{len(common)} files compared, tolerance {arguments.tolerance}")
    print(f"{'attribute':<18}{'max abs diff':>14}{'mean abs diff':>15}  worst file")
    summary = {}
    for label in LABELS:
        differences = {path: abs(reference[path][label] - candidate[path][label]) for path in common}
        worst = max(differences, key=differences.get)
        mean = sum(differences.values()) / len(differences)
        summary[label] = {"max_abs_diff": differences[worst], "mean_abs_diff": mean, "worst_file": worst}
        print(f"{label:<18}{differences[worst]:>14.6f}{mean:>15.6f}  {os.path.basename(worst)}")
        problems += [f"{path}: {label} {reference[path][label]:.6f} vs {candidate[path][label]:.6f}"
                     for path, difference in differences.items() if difference > arguments.tolerance]

    if arguments.summary:
        with open(arguments.summary, "w") as out:
            json.dump({"files": len(common), "tolerance": arguments.tolerance,
                       "attributes": summary, "problems": problems}, out, indent=1)
    if problems:
        print(f"FAILED: {len(problems)} problem(s):", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("parity OK")
    return 0


def read_rows(csv_path: str) -> dict[str, dict[str, float]]:
    """Maps each file's real path to its attributes. Exits with a one-line error on a bad CSV."""
    try:
        with open(csv_path, newline="") as source:
            reader = csv.DictReader(source)
            missing = [c for c in ("path", *LABELS) if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"header lacks {', '.join(missing)}")
            return {os.path.realpath(row["path"]): {label: float(row[label]) for label in LABELS}
                    for row in reader}
    except (OSError, ValueError) as error:
        raise SystemExit(f"compare_attributes: {csv_path}: {error}")


if __name__ == "__main__":
    sys.exit(main())
