#!/usr/bin/python3
"""Learn the similarity space behind `vibectl radio`: a linear projection of a track's attributes and
musical features, trained on the genres of the 4Q clips and the moods of all three human-labelled
collections, cross-validated by artist (issue 17, item 5).

    /usr/bin/python3 model/train_similarity.py [--cached]   # inputs -> cross-validation -> model -> card

The inputs are the mood model's (model/train_moods.py, model/mood_sources.py): the bundled student's
seven attributes and twelve musical features, standardised exactly as vibed standardises them, over
the pooled clips of the three collections. The projection's rows are the weight vectors of
regularised logistic regressions: one per common genre of the 4Q clips ("is this clip Jazz?") and the
four mood rows of a softmax trained as the mood model is (4Q quadrants, MIREX-like clusters mapped
onto them, Emotify's listener shares as soft targets, each collection weighing the same), so two
tracks are close when the genre and mood evidence in their sound agrees. Intercepts do not move
distances and are dropped.

Scored as the radio plays: for each held-out seed, its first five picks (nearest, Euclidean, among the
other clips of its collection; also with the seed's artist left out, as the radio's artist gap does):
on the 4Q clips the share with a genre in common and the share in the same quadrant; on MIREX-like the
share in the same cluster. Repeated artist-grouped 5-fold within each collection; the regularisation
is chosen inside each training fold by an inner grouped 3-fold. Side by side: random vectors, the
student's seven attributes, all nineteen inputs unweighted, today's recipe (4Q clips only), and bliss
on the 4Q clips when `--bliss-csv` gives its features.

Writes model/similarity.json (read by vibed), model/similarity-card.json, docs/model-card-similarity.md
and tests/golden/similarity_golden.json. Python builds the model only; vibed applies it in C++.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_moods as tm  # noqa: E402  (the shared inputs, standardisation, pooled collections, folds)

REPO = tm.REPO
PICKS = 5
MIN_GENRE_CLIPS = 10      # genres rarer than this get no coordinate of their own
C_GRID = (0.03, 0.1, 0.3)
EVERY = ("4q", "mirex", "emotify")


@dataclass
class Labels:
    genres: np.ndarray        # 4Q clips x genres, 0/1
    genre_names: list[str]
    share_genre: np.ndarray   # 4Q clips x 4Q clips: 1 when two clips share a genre
    same_quadrant: np.ndarray
    same_cluster: np.ndarray  # MIREX-like clips x clips


def read_labels(pool: tm.Pool) -> Labels:
    q = pool.collections["4q"]
    sets = [set(g.split(";")) for g in q.labels["genres"]]
    names = sorted(set().union(*sets))
    genres = np.array([[g in s for g in names] for s in sets], dtype=float)
    quadrant, cluster = q.labels["quadrant"], pool.collections["mirex"].labels["cluster"]
    return Labels(genres, names, (genres @ genres.T > 0).astype(float),
                  (quadrant[:, None] == quadrant[None, :]).astype(float),
                  (cluster[:, None] == cluster[None, :]).astype(float))


def first_picks(vectors: np.ndarray, seeds: np.ndarray, groups: np.ndarray, other_artists: bool) -> np.ndarray:
    """Each seed's PICKS nearest other clips (indices into vectors), nearest first."""
    d = ((vectors[seeds, None, :] - vectors[None, :, :]) ** 2).sum(-1)
    d[np.arange(len(seeds)), seeds] = np.inf
    if other_artists:
        d[groups[seeds][:, None] == groups[None, :]] = np.inf
    return np.argsort(d, axis=1, kind="stable")[:, :PICKS]


def radio_scores(vectors: np.ndarray, test: np.ndarray, pool: tm.Pool, labels: Labels, other_artists: bool) -> dict:
    """Shares over the held-out seeds of each collection; `vectors` holds every pooled clip (rows of nan:
    a collection the space has no vectors for, scored nan)."""
    out = {}
    for name, match in (("4q", {"genre": labels.share_genre, "quadrant": labels.same_quadrant}),
                        ("mirex", {"cluster": labels.same_cluster})):
        rows = pool.rows[name]
        if np.isnan(vectors[rows]).any():
            out.update({key: float("nan") for key in match})
            continue
        seeds = np.flatnonzero(np.isin(rows, test))
        picks = first_picks(vectors[rows], seeds, pool.groups[rows], other_artists)
        for key, m in match.items():
            out[key] = float(m[seeds[:, None], picks].mean())
    return out


# ---- the learned projection --------------------------------------------------------------------

@dataclass
class Projection:
    standardiser: tm.Standardiser
    weights: np.ndarray        # dimensions x inputs
    axes: list[str]            # what each dimension's log-odds is for
    c: float

    def __call__(self, data: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        return self.standardiser(data, rows) @ self.weights.T


def fit_projection(pool: tm.Pool, labels: Labels, rows: np.ndarray, c: float, inputs, collections) -> Projection:
    rows = rows[np.isin(pool.source[rows], collections)]
    standardiser = tm.Standardiser(inputs, pool.raw, rows)
    q_rows = rows[pool.source[rows] == "4q"]
    x = standardiser(pool.raw, q_rows)
    local = q_rows - pool.rows["4q"][0]
    weights, axes = [], []
    for g, name in enumerate(labels.genre_names):
        y = labels.genres[local, g]
        if y.sum() < MIN_GENRE_CLIPS or y.sum() == len(y):
            continue
        weights.append(LogisticRegression(C=c, max_iter=5000).fit(x, y).coef_[0])
        axes.append(f"genre:{name}")
    recipe = tm.Recipe("similarity", "moods of the collections", tuple(collections), offsets=len(collections) > 1)
    xm = tm.design(pool, rows, recipe, standardiser)
    moods = tm.fit_head(*tm.expanded(xm, "moods", pool, rows, recipe, tm.clip_weights(pool, rows, recipe)), c)
    weights.extend(moods.coef_[:, :len(inputs)])
    axes.extend(f"mood:{m}" for m in tm.MOODS)
    return Projection(standardiser, np.array(weights), axes, c)


def choose_c(pool, labels, rows, rng, inputs, collections) -> float:
    """The regularisation whose held-out first picks score best in an inner grouped 3-fold."""
    best, best_score = C_GRID[0], -np.inf
    folds = tm.grouped_folds(pool.groups[rows], 3, rng)
    everything = np.arange(len(pool))
    for c in C_GRID:
        score = 0.0
        for inner in folds:
            projection = fit_projection(pool, labels, np.setdiff1d(rows, rows[inner]), c, inputs, collections)
            inner_test = rows[inner]
            hidden = np.setdiff1d(everything, np.setdiff1d(rows, inner_test))  # outer test clips stay out
            vectors = projection(pool.raw, everything)
            vectors[np.setdiff1d(hidden, inner_test)] = np.inf
            score += sum(radio_scores(vectors, inner_test, pool, labels, True).values())
        if score > best_score:
            best, best_score = c, score
    return best


def train_projection(pool, labels, rows, rng, inputs, collections=EVERY) -> Projection:
    return fit_projection(pool, labels, rows, choose_c(pool, labels, rows, rng, inputs, collections), inputs, collections)


# ---- evaluation --------------------------------------------------------------------------------

def read_bliss(path: Path, pool: tm.Pool) -> np.ndarray:
    """bliss's analysis vectors (tests/bench/bliss_features.sh's CSV: file name, then the vector) of the
    4Q clips, as blissify compares them; nan for the other collections' clips."""
    rows = {Path(r[0]).name: [float(v) for v in r[1:]] for r in csv.reader(open(path)) if r and r[0] != "file"}
    width = len(next(iter(rows.values())))
    vectors = np.full((len(pool), width), np.nan)
    vectors[pool.rows["4q"]] = [rows[f] for f in pool.collections["4q"].files]
    return vectors


def cross_validate(pool: tm.Pool, labels: Labels, repeats: int, inputs, bliss: np.ndarray | None) -> dict:
    rng = np.random.default_rng(tm.SEED)
    everything = np.arange(len(pool))
    scores: dict[str, dict[str, list]] = {}
    chosen_c = []
    for _ in range(repeats):
        for test in tm.within_folds(pool, rng):
            train = np.setdiff1d(everything, test)
            vectors = {"random": rng.normal(size=(len(pool), 16)),
                       "baseline": tm.Standardiser(tm.ATTRIBUTE_INPUTS, pool.raw, train)(pool.raw, everything),
                       "inputs": tm.Standardiser(inputs, pool.raw, train)(pool.raw, everything),
                       "before": train_projection(pool, labels, train, rng, inputs, ("4q",))(pool.raw, everything)}
            if bliss is not None:
                vectors["bliss"] = bliss
            learned = train_projection(pool, labels, train, rng, inputs)
            chosen_c.append(learned.c)
            vectors["learned"] = learned(pool.raw, everything)
            for space, v in vectors.items():
                for variant, other in (("all", False), ("other_artists", True)):
                    scores.setdefault(space, {}).setdefault(variant, []).append(radio_scores(v, test, pool, labels, other))
    summary = {space: {variant: {k: tm.summarise([r[k] for r in runs]) for k in runs[0]}
                       for variant, runs in by.items()} for space, by in scores.items()}
    return {"spaces": summary, "chosen_c": chosen_c}


# ---- export ------------------------------------------------------------------------------------

def export_model(projection: Projection, path: Path, pool: tm.Pool) -> None:
    s = projection.standardiser
    inputs = [{"name": name, "transform": kind, "unknown_if_zero": unknown, "center": c, "scale": sc}
              for (name, kind, unknown), c, sc in zip(s.inputs, s.centres, s.scales)]
    document = {
        "format": "vibed-similarity-model", "version": 1, "name": "similarity-v2",
        "trained_on": f"genres of {len(pool.rows['4q'])} 4Q clips and moods of {len(pool)} clips of three "
                      "human-labelled collections (../shared/corpus)",
        "inputs": inputs,
        "dimensions": len(projection.axes),
        "axes": projection.axes,
        "projection": [[float(w) for w in row] for row in projection.weights],
    }
    path.write_text(json.dumps(document, indent=1) + "\n")


def golden_cases(projection: Projection, pool: tm.Pool, path: Path) -> None:
    """A few clips' raw inputs and their vectors as Python computes them, for the C++ golden test."""
    rows = np.concatenate([r[:: max(1, len(r) // 3)][:3] for r in pool.rows.values()])
    vectors = projection(pool.raw, rows)
    cases = [{"inputs": {name: float(pool.raw[name][r]) for name, _, _ in projection.standardiser.inputs},
              "vector": [float(v) for v in vectors[i]]} for i, r in enumerate(rows)]
    path.write_text(json.dumps({"model": "model/similarity.json", "cases": cases}, indent=1) + "\n")


def main() -> None:
    args = tm.arguments(__doc__, [("--bliss-csv", "bliss's features of the 4Q clips "
                                                   "(tests/bench/bliss_features.sh)")])
    pool = tm.load_pool(args)
    inputs = tm.model_inputs(args.extra_inputs)
    labels = read_labels(pool)
    print(f"{len(pool)} clips; cross-validating ({args.repeats} x 5 folds) ...", flush=True)
    bliss = read_bliss(args.bliss_csv, pool) if args.bliss_csv else None
    result = cross_validate(pool, labels, args.repeats, inputs, bliss)
    projection = train_projection(pool, labels, np.arange(len(pool)), np.random.default_rng(tm.SEED), inputs)
    export_model(projection, REPO / "model" / "similarity.json", pool)
    golden_cases(projection, pool, REPO / "tests" / "golden" / "similarity_golden.json")
    result.update({"final_c": projection.c, "axes": projection.axes, "repeats": args.repeats,
                   "min_genre_clips": MIN_GENRE_CLIPS, "picks": PICKS,
                   "collections": {n: len(c) for n, c in pool.collections.items()},
                   "similarity_model_sha256": tm.sources.sha256_of(REPO / "model" / "similarity.json")})
    (REPO / "model" / "similarity-card.json").write_text(json.dumps(result, indent=1) + "\n")
    from similarity_card import write_card  # noqa: E402
    write_card(result, projection, REPO / "docs" / "model-card-similarity.md")
    for space, by in result["spaces"].items():
        print(f"{space:9s} " + "   ".join(f"{variant}: " + " ".join(f"{k} {v['mean']:.3f}" for k, v in m.items())
                                          for variant, m in by.items()))


if __name__ == "__main__":
    main()
