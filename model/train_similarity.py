#!/usr/bin/python3
"""Learn the similarity space behind `vibectl radio`: a linear projection of a track's attributes
and musical features, cross-validated by artist on the genres and mood quadrants of 400 clips.

    /usr/bin/python3 model/train_similarity.py            # inputs -> cross-validation -> model -> card

The inputs are the mood model's (model/train_moods.py): the bundled student's seven attributes and
the twelve musical features, standardised exactly as vibed standardises them. The projection's rows
are the weight vectors of regularised logistic regressions, one per common genre ("is this clip
Jazz?") and one per mood quadrant, so two tracks are close when the genre and mood evidence in their
sound agrees; each coordinate of a track's vector is one such log-odds, which keeps the space
readable (docs/model-card-similarity.md). Intercepts do not move distances and are dropped.

Scored as the issue asks: for each clip, the share of its 10 nearest neighbours (Euclidean, among
the other 399 clips) that share a genre with it, and the share in the same mood quadrant. Anything
trained on the labels is scored only on clips of held-out artist groups (repeated 5-fold, every
artist group inside one fold; the regularisation is chosen inside each training fold by an inner
grouped 3-fold). Side by side: random vectors, VibeNet's seven attributes (when the teacher is
imported), the student's seven attributes (the baseline), all nineteen inputs unweighted, and bliss
when `--bliss-csv` gives its features.

Writes model/similarity.json (read by vibed), model/similarity-card.json, docs/model-card-similarity.md
and tests/golden/similarity_golden.json. Python builds the model only; vibed applies it in C++.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_moods as moods  # noqa: E402  (the shared inputs, standardisation and grouped folds)

REPO = moods.REPO
NEIGHBOURS = 10
MIN_GENRE_CLIPS = 10      # genres rarer than this get no coordinate of their own
C_GRID = (0.03, 0.1, 0.3)
INPUTS = moods.ATTRIBUTE_INPUTS + moods.FEATURE_INPUTS


@dataclass
class Labels:
    genres: np.ndarray        # clips x genres, 0/1
    genre_names: list[str]
    share_genre: np.ndarray   # clips x clips: 1 when two clips share a genre
    same_quadrant: np.ndarray


def read_labels(path: Path, ds: moods.Dataset) -> Labels:
    by_file = {row["file"]: row for row in csv.DictReader(open(path, newline=""))}
    sets = [set(by_file[f]["genres"].split(";")) for f in ds.files]
    names = sorted(set().union(*sets))
    genres = np.array([[g in s for g in names] for s in sets], dtype=float)
    return Labels(genres, names, (genres @ genres.T > 0).astype(float),
                  (ds.quadrant[:, None] == ds.quadrant[None, :]).astype(float))


def neighbour_shares(vectors: np.ndarray, queries: np.ndarray, labels: Labels, groups: np.ndarray,
                     other_artists_only: bool = False) -> tuple[float, float]:
    """Mean share of each query's nearest neighbours with a shared genre / the same quadrant."""
    d = ((vectors[queries, None, :] - vectors[None, :, :]) ** 2).sum(-1)
    d[np.arange(len(queries)), queries] = np.inf
    if other_artists_only:
        d[groups[queries][:, None] == groups[None, :]] = np.inf
    nearest = np.argsort(d, axis=1, kind="stable")[:, :NEIGHBOURS]
    rows = queries[:, None]
    return float(labels.share_genre[rows, nearest].mean()), float(labels.same_quadrant[rows, nearest].mean())


# ---- the learned projection --------------------------------------------------------------------

@dataclass
class Projection:
    standardiser: moods.Standardiser
    weights: np.ndarray        # dimensions x inputs
    axes: list[str]            # what each dimension's log-odds is for
    c: float

    def __call__(self, data: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        return self.standardiser(data, rows) @ self.weights.T


def fit_projection(ds: moods.Dataset, labels: Labels, rows: np.ndarray, c: float) -> Projection:
    standardiser = moods.Standardiser(INPUTS, ds.raw, rows)
    x = standardiser(ds.raw, rows)
    weights, axes = [], []
    for g, name in enumerate(labels.genre_names):
        y = labels.genres[rows, g]
        if y.sum() < MIN_GENRE_CLIPS or y.sum() == len(y):
            continue
        weights.append(LogisticRegression(C=c, max_iter=5000).fit(x, y).coef_[0])
        axes.append(f"genre:{name}")
    quadrant = LogisticRegression(C=c, max_iter=5000).fit(x, ds.quadrant[rows])
    weights.extend(quadrant.coef_)
    axes.extend(f"mood:{m}" for m in moods.MOODS)
    return Projection(standardiser, np.array(weights), axes, c)


def choose_c(ds: moods.Dataset, labels: Labels, rows: np.ndarray, rng) -> float:
    """The regularisation whose held-out neighbours score best in an inner grouped 3-fold."""
    best, best_score = C_GRID[0], -np.inf
    folds = moods.grouped_folds(ds.groups[rows], 3, rng)
    for c in C_GRID:
        score = 0.0
        for inner_test in folds:
            train = np.setdiff1d(np.arange(len(rows)), inner_test)
            projection = fit_projection(ds, labels, rows[train], c)
            vectors = projection(ds.raw, rows)
            local = Labels(labels.genres[rows], labels.genre_names, labels.share_genre[np.ix_(rows, rows)],
                           labels.same_quadrant[np.ix_(rows, rows)])
            score += sum(neighbour_shares(vectors, inner_test, local, ds.groups[rows]))
        if score > best_score:
            best, best_score = c, score
    return best


def train_projection(ds, labels, rows, rng) -> Projection:
    return fit_projection(ds, labels, rows, choose_c(ds, labels, rows, rng))


# ---- evaluation --------------------------------------------------------------------------------

def standardised(data: dict[str, np.ndarray], inputs, rows: np.ndarray) -> np.ndarray:
    everything = np.arange(len(next(iter(data.values()))))
    return moods.Standardiser(inputs, data, rows)(data, everything)


def read_bliss(path: Path, files: list[str]) -> np.ndarray:
    """bliss features per clip: tests/bench/bliss_features.sh's CSV (file name, then bliss's analysis vector)."""
    rows = {Path(r[0]).name: [float(v) for v in r[1:]] for r in csv.reader(open(path)) if r and r[0] != "file"}
    return np.array([rows[f] for f in files])


def cross_validate(ds: moods.Dataset, labels: Labels, repeats: int, bliss: np.ndarray | None) -> dict:
    rng = np.random.default_rng(moods.SEED)
    n = len(ds.files)
    everything = np.arange(n)
    spaces = ["random", "vibenet", "baseline", "inputs", "bliss", "learned"]
    scores = {s: {"all": [], "other_artists": []} for s in spaces}
    chosen_c = []
    for _ in range(repeats):
        for test in moods.grouped_folds(ds.groups, 5, rng):
            train = np.setdiff1d(everything, test)
            vectors = {"random": rng.normal(size=(n, 16)),
                       "baseline": standardised(ds.raw, moods.ATTRIBUTE_INPUTS, train),
                       "inputs": standardised(ds.raw, INPUTS, train)}
            if ds.teacher is not None:
                vectors["vibenet"] = standardised(ds.teacher, moods.ATTRIBUTE_INPUTS, train)
            if bliss is not None:
                vectors["bliss"] = bliss  # as blissify compares songs: Euclidean over bliss's own scaled features
            projection = train_projection(ds, labels, train, rng)
            chosen_c.append(projection.c)
            vectors["learned"] = projection(ds.raw, everything)
            for space, v in vectors.items():
                scores[space]["all"].append(neighbour_shares(v, test, labels, ds.groups))
                scores[space]["other_artists"].append(neighbour_shares(v, test, labels, ds.groups, True))
    summary = {}
    for space, by in scores.items():
        if not by["all"]:
            continue
        summary[space] = {variant: {"genre": moods.summarise([s[0] for s in runs]),
                                    "quadrant": moods.summarise([s[1] for s in runs])}
                          for variant, runs in by.items()}
    return {"spaces": summary, "chosen_c": chosen_c}


# ---- export ------------------------------------------------------------------------------------

def export_model(projection: Projection, path: Path, samples: int) -> None:
    s = projection.standardiser
    inputs = [{"name": name, "transform": kind, "unknown_if_zero": unknown, "center": c, "scale": sc}
              for (name, kind, unknown), c, sc in zip(s.inputs, s.centres, s.scales)]
    document = {
        "format": "vibed-similarity-model", "version": 1, "name": "similarity-v1",
        "trained_on": f"genres and mood quadrants of {samples} clips (../shared/corpus/music-clips-moods.csv)",
        "inputs": inputs,
        "dimensions": len(projection.axes),
        "axes": projection.axes,
        "projection": [[float(w) for w in row] for row in projection.weights],
    }
    path.write_text(json.dumps(document, indent=1) + "\n")


def golden_cases(projection: Projection, ds: moods.Dataset, path: Path) -> None:
    """A few clips' raw inputs and their vectors as Python computes them, for the C++ golden test."""
    rows = np.arange(0, len(ds.files), max(1, len(ds.files) // 8))[:8]
    vectors = projection(ds.raw, rows)
    cases = [{"inputs": {name: float(ds.raw[name][r]) for name in ds.raw},
              "vector": [float(v) for v in vectors[i]]} for i, r in enumerate(rows)]
    path.write_text(json.dumps({"model": "model/similarity.json", "cases": cases}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=moods.SHARED / "corpus" / "music-clips")
    parser.add_argument("--labels", type=Path, default=moods.SHARED / "corpus" / "music-clips-moods.csv")
    parser.add_argument("--build-dir", type=Path, default=REPO / "build")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--student-csv", type=Path, help="`vibectl analyze --features -f csv` of the clips, "
                        "instead of running it")
    parser.add_argument("--teacher-csv", type=Path, help="the same with --model vibenet")
    parser.add_argument("--bliss-csv", type=Path, help="bliss's features of the same clips (tests/bench/bliss_features.sh)")
    args = parser.parse_args()

    ds = moods.load_dataset(args)
    labels = read_labels(args.labels, ds)
    bliss = read_bliss(args.bliss_csv, ds.files) if args.bliss_csv else None
    print(f"{len(ds.files)} clips, {len(set(ds.groups))} artist groups; cross-validating "
          f"({args.repeats} x 5 folds) ...", flush=True)
    result = cross_validate(ds, labels, args.repeats, bliss)
    projection = train_projection(ds, labels, np.arange(len(ds.files)), np.random.default_rng(moods.SEED))
    export_model(projection, REPO / "model" / "similarity.json", len(ds.files))
    golden_cases(projection, ds, REPO / "tests" / "golden" / "similarity_golden.json")
    result.update({"final_c": projection.c, "axes": projection.axes, "repeats": args.repeats,
                   "min_genre_clips": MIN_GENRE_CLIPS,
                   "clips": len(ds.files), "artist_groups": len(set(ds.groups)), "neighbours": NEIGHBOURS,
                   "similarity_model_sha256": moods.sha256_of(REPO / "model" / "similarity.json")})
    (REPO / "model" / "similarity-card.json").write_text(json.dumps(result, indent=1) + "\n")
    from similarity_card import write_card  # noqa: E402
    write_card(result, projection, REPO / "docs" / "model-card-similarity.md")
    for space, by in result["spaces"].items():
        a, o = by["all"], by["other_artists"]
        print(f"{space:9s} genre {a['genre']['mean']:.3f} quadrant {a['quadrant']['mean']:.3f}   "
              f"(other artists only: {o['genre']['mean']:.3f} / {o['quadrant']['mean']:.3f})")


if __name__ == "__main__":
    main()
