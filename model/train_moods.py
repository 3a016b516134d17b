#!/usr/bin/python3
"""Learn moods people agree with from three human-labelled collections: one linear mood model,
cross-validated by artist within each collection and across collections (issue 17).

    /usr/bin/python3 model/train_moods.py            # inputs -> cross-validation -> model -> card

Steps:
 1. inputs:  `vibectl analyze --features --embedding -f csv` (the bundled student's seven attributes,
             the twelve musical features and its 512-number embedding, exactly as the daemon computes
             them) of the clips of ../shared/corpus/{music-clips,mirex-like,emotify}, cached in
             model/cache/moods/ by the vibectl binary's and the student's identity (model/mood_sources.py).
 2. labels:  quadrants (music-clips), AllMusic mood clusters (mirex-like, C4 left out), listeners'
             shares of nine emotions (emotify), mapped onto valence, arousal and the four moods as
             model/mood_sources.py explains.
 3. training: shared inputs standardised over the pooled training clips; three heads (valence and
             arousal: logistic, moods: softmax) learn from every collection whose labels say something
             about them, soft targets as sample weights; each collection weighs the same in total; a
             per-collection offset absorbs how differently the collections are balanced and is left out
             of the exported model (which keeps the 4Q collection's intercepts). The regularisation is
             chosen inside each training fold by an inner artist-grouped 3-fold (never on a test fold).
 4. cross-validation: (a) artist-grouped 5-fold within each collection, repeated, every fold trained on
             the other folds of all three; (b) train on two collections, test on the third. Recipes side
             by side (today's recipe, trained on the 4Q clips only, is the "before").
 5. model:   the chosen recipe fitted on every clip -> model/moods.json (read by vibed),
             model/moods-card.json, docs/model-card-moods.md and tests/golden/moods_golden.json.
Python builds the model only; vibed evaluates it in C++ (core/model/mood_model.cpp).

Named tag inputs (a later student's tag probabilities) join with `--extra-inputs NAME,...` once the
analysis table has such columns and core/model/model_inputs.cpp knows them.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mood_sources as sources  # noqa: E402

REPO = sources.REPO
SHARED = REPO.parent / "shared"
SEED = 20261201
MOODS = sources.MOODS  # core/model/moods.hpp order
ATTRIBUTES = ("acousticness", "danceability", "energy", "instrumentalness", "liveness", "speechiness", "valence")

# The mood model's inputs: (name, transform, unknown_if_zero). The key's pitch class is left out: C is
# no happier than F#; what matters is the mode and how clearly the music is in a key.
FEATURE_INPUTS = (
    ("bpm", "log", True),
    ("bpm_confidence", "identity", False),
    ("loudness", "identity", False),
    ("loudness_range", "identity", False),
    ("mode", "minor", False),
    ("key_strength", "identity", False),
    ("majorness", "identity", False),
    ("onset_rate", "identity", False),
    ("beat_regularity", "identity", False),
    ("brightness", "log", False),
    ("noisiness", "identity", False),
    ("harmonic_change", "identity", False),
)
ATTRIBUTE_INPUTS = tuple((name, "identity", False) for name in ATTRIBUTES)
MAX_STANDARDISED = 4.0  # as core/model/model_inputs.cpp clamps
C_GRID = (0.03, 0.1, 0.3, 1.0)
HEADS = ("valence", "arousal", "moods")


# ---- the model ---------------------------------------------------------------------------------

def transform(values: np.ndarray, kind: str) -> np.ndarray:
    if kind == "log":
        return np.log(np.maximum(values, 1e-6))
    if kind == "minor":  # mode 2 = minor, 1 = major, 0 = unknown
        return np.where(values == 2, 1.0, np.where(values == 1, 0.0, 0.5))
    return values.astype(float)


class Standardiser:
    """Exactly the C++ standardisation: centre/scale after the transform, unknowns at 0, clamped."""

    def __init__(self, inputs, data: dict[str, np.ndarray], rows: np.ndarray):
        self.inputs = inputs
        self.centres, self.scales = [], []
        for name, kind, unknown_if_zero in inputs:
            values = data[name][rows]
            known = values != 0 if unknown_if_zero else np.ones_like(values, dtype=bool)
            t = transform(values[known], kind) if known.any() else np.zeros(1)
            self.centres.append(float(t.mean()))
            self.scales.append(float(t.std()) if t.std() > 1e-9 else 1.0)

    def __call__(self, data: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        columns = []
        for (name, kind, unknown_if_zero), centre, scale in zip(self.inputs, self.centres, self.scales):
            values = data[name][rows]
            z = np.clip((transform(values, kind) - centre) / scale, -MAX_STANDARDISED, MAX_STANDARDISED)
            if unknown_if_zero:
                z = np.where(values == 0, 0.0, z)
            columns.append(z)
        return np.stack(columns, axis=1)


def grouped_folds(groups: np.ndarray, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """k test folds with every group inside one fold, sizes balanced, order random."""
    unique = np.array(sorted(set(groups)))
    rng.shuffle(unique)
    sizes = {g: int((groups == g).sum()) for g in unique}
    folds: list[list[str]] = [[] for _ in range(k)]
    load = [0] * k
    for g in sorted(unique, key=lambda g: -sizes[g]):  # stable for ties: the shuffled order
        i = int(np.argmin(load))
        folds[i].append(g)
        load[i] += sizes[g]
    return [np.flatnonzero(np.isin(groups, fold)) for fold in folds]



RULE_TERM = re.compile(r"^\s*(\w+)\s*(<=|>=|!=|<|>|=)\s*(\S+)\s*$")


def rule_matches(query: str, values: dict[str, np.ndarray]) -> np.ndarray:
    """The default playlists' filters: conjunctions of `field op value` (the form they all use)."""
    n = len(next(iter(values.values())))
    keep = np.ones(n, dtype=bool)
    for term in re.split(r"\band\b", query):
        m = RULE_TERM.match(term)
        if not m:
            raise SystemExit(f"train_moods.py: cannot score the rule term '{term.strip()}' of '{query}'")
        field, op, value = m.groups()
        column = values[field]
        if field == "mood":
            target = value.strip('"')
            keep &= (column == target) if op == "=" else (column != target)
            continue
        v = float(value)
        keep &= {"<": column < v, "<=": column <= v, ">": column > v, ">=": column >= v,
                 "=": column == v, "!=": column != v}[op]
    return keep


def default_playlists() -> list[dict]:
    return tomllib.loads((REPO / "config" / "vibed.toml").read_text())["playlist"]



def summarise(values: list[float]) -> dict[str, float]:
    a = np.array(values, dtype=float)
    return {"mean": float(np.nanmean(a)), "sd": float(np.nanstd(a)), "min": float(np.nanmin(a)), "max": float(np.nanmax(a))}



# ---- the pooled collections and the recipes -----------------------------------------------------

@dataclass
class Pool:
    """Every labelled clip of the three collections, one row each, collections one after another."""
    collections: dict[str, sources.Collection]
    rows: dict[str, np.ndarray]      # each collection's row numbers
    source: np.ndarray               # collection name per row
    groups: np.ndarray               # "collection:artist" per row
    raw: dict[str, np.ndarray]       # every input column
    targets: dict[str, np.ndarray]   # valence, arousal (nan: unknown), moods (rows x 4, nan rows: unknown)

    def __len__(self) -> int:
        return len(self.source)


def make_pool(collections: dict[str, sources.Collection], inputs) -> Pool:
    names = [name for name, _, _ in inputs]
    rows, start = {}, 0
    for name, c in collections.items():
        rows[name] = np.arange(start, start + len(c))
        start += len(c)
    cat = lambda get: np.concatenate([get(c) for c in collections.values()])  # noqa: E731
    return Pool(collections, rows,
                cat(lambda c: np.array([c.name] * len(c))), cat(lambda c: np.char.add(c.name + ":", c.groups)),
                {n: cat(lambda c: c.raw[n]) for n in names},
                {"valence": cat(lambda c: c.valence), "arousal": cat(lambda c: c.arousal),
                 "moods": cat(lambda c: c.moods)})


@dataclass(frozen=True)
class Recipe:
    key: str
    label: str
    sources: tuple[str, ...] = ("4q", "mirex", "emotify")
    balanced: bool = True            # every collection weighs the same in total
    offsets: bool = True             # a per-collection intercept, not exported
    emotify_scales: bool = True      # emotify's soft valence/arousal train those heads


RECIPES = (
    Recipe("4q_only", "today's recipe: 4Q clips only (before)", ("4q",), False, False),
    Recipe("pooled", "all three, every clip weighs the same", balanced=False, offsets=False),
    Recipe("balanced", "all three, every collection weighs the same", offsets=False),
    Recipe("balanced_offsets", "all three, collections weigh the same, per-collection offsets"),
    Recipe("no_emotify_scales", "as above, emotify trains only the moods head", emotify_scales=False),
)
OFFSET_SCALE = 3.0  # the offset columns' value: a larger column is penalised less for the same offset


# ---- fitting -----------------------------------------------------------------------------------

@dataclass
class Fitted:
    recipe: Recipe
    standardiser: Standardiser
    intercepts: dict[str, np.ndarray]   # per head; the reference collection's offset included
    weights: dict[str, np.ndarray]      # per head: outputs x inputs
    c: dict[str, float]

    def predict(self, raw: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
        z = self.standardiser(raw, rows)
        logit = {h: z @ self.weights[h].T + self.intercepts[h] for h in HEADS}
        e = np.exp(logit["moods"] - logit["moods"].max(axis=1, keepdims=True))
        return {"valence": 1 / (1 + np.exp(-logit["valence"][:, 0])),
                "arousal": 1 / (1 + np.exp(-logit["arousal"][:, 0])), "moods": e / e.sum(axis=1, keepdims=True)}


def clip_weights(pool: Pool, rows: np.ndarray, recipe: Recipe) -> np.ndarray:
    if not recipe.balanced:
        return np.ones(len(rows))
    present = sorted(set(pool.source[rows]))
    counts = {s: (pool.source[rows] == s).sum() for s in present}
    return np.array([len(rows) / (len(present) * counts[s]) for s in pool.source[rows]])


def design(pool: Pool, rows: np.ndarray, recipe: Recipe, standardiser: Standardiser) -> np.ndarray:
    z = standardiser(pool.raw, rows)
    if not recipe.offsets:
        return z
    indicators = [(pool.source[rows] == s) * OFFSET_SCALE for s in recipe.sources]
    return np.column_stack([z, *indicators])


def expanded(x: np.ndarray, head: str, pool: Pool, rows: np.ndarray, recipe: Recipe, w: np.ndarray):
    """Soft targets as weighted copies: (x, class, weight) with zero weights dropped."""
    t = pool.targets[head][rows]
    if head in ("valence", "arousal"):
        t = np.where((pool.source[rows] == "emotify") & (not recipe.emotify_scales), np.nan, t)
        t = np.stack([1 - t, t], axis=1)
    known = ~np.isnan(t).any(axis=1)
    xs, ys, ws = [], [], []
    for k in range(t.shape[1]):
        xs.append(x[known])
        ys.append(np.full(known.sum(), k))
        ws.append(t[known, k] * w[known])
    x2, y2, w2 = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    keep = w2 > 0
    return x2[keep], y2[keep], w2[keep]


def fit_head(x, y, w, c) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000).fit(x, y, sample_weight=w)


def choose_c(x, head, pool, rows, recipe, w, rng) -> float:
    """The regularisation with the best inner artist-grouped 3-fold weighted log-loss (training rows only)."""
    folds = grouped_folds(pool.groups[rows], 3, rng)
    best, best_loss = C_GRID[0], math.inf
    for c in C_GRID:
        loss = 0.0
        for test in folds:
            train = np.setdiff1d(np.arange(len(rows)), test)
            xt, yt, wt = expanded(x[train], head, pool, rows[train], recipe, w[train])
            xv, yv, wv = expanded(x[test], head, pool, rows[test], recipe, w[test])
            if len(set(yt)) < 2 or not len(yv):
                continue
            model = fit_head(xt, yt, wt, c)
            p = model.predict_proba(xv)[np.arange(len(yv)), np.searchsorted(model.classes_, yv)]
            loss -= (wv * np.log(np.clip(p, 1e-9, 1))).sum()
        if loss < best_loss:
            best, best_loss = c, loss
    return best


def fit(pool: Pool, rows: np.ndarray, recipe: Recipe, inputs, rng) -> Fitted:
    rows = rows[np.isin(pool.source[rows], recipe.sources)]
    standardiser = Standardiser(inputs, pool.raw, rows)
    x = design(pool, rows, recipe, standardiser)
    w = clip_weights(pool, rows, recipe)
    n_inputs = len(inputs)
    intercepts, weights, chosen = {}, {}, {}
    reference = [s for s in recipe.sources if s == "4q"] or list(recipe.sources)
    for head in HEADS:
        chosen[head] = choose_c(x, head, pool, rows, recipe, w, rng)
        model = fit_head(*expanded(x, head, pool, rows, recipe, w), chosen[head])
        coef = model.coef_  # binary heads: one row, for the positive class
        b = model.intercept_.copy()
        if recipe.offsets:  # the reference collection's offset (4Q, else the mean) joins the intercept
            offsets = coef[:, n_inputs:] * OFFSET_SCALE
            b += np.mean([offsets[:, recipe.sources.index(s)] for s in reference], axis=0)
        intercepts[head], weights[head] = b, coef[:, :n_inputs]
    return Fitted(recipe, standardiser, intercepts, weights, chosen)


# ---- cross-validation --------------------------------------------------------------------------

def within_folds(pool: Pool, rng, k: int = 5) -> list[np.ndarray]:
    """k test folds: fold i holds fold i of every collection, each artist inside one fold."""
    per = {name: grouped_folds(pool.groups[r], k, rng) for name, r in pool.rows.items()}
    return [np.concatenate([pool.rows[name][per[name][i]] for name in pool.rows]) for i in range(k)]


def empty_predictions(n: int) -> dict[str, np.ndarray]:
    return {"valence": np.zeros(n), "arousal": np.zeros(n), "moods": np.zeros((n, 4))}


def store(into: dict, rows: np.ndarray, p: dict) -> None:
    for head in HEADS:
        into[head][rows] = p[head]


def measure_all(pool: Pool, p: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    return {name: sources.measures(c, p["valence"][pool.rows[name]], p["arousal"][pool.rows[name]],
                                   p["moods"][pool.rows[name]]) for name, c in pool.collections.items()}


def cross_validate_within(pool: Pool, recipe: Recipe, inputs, repeats: int) -> tuple[list, list, list]:
    """Per repeat: out-of-fold predictions and the measures on them; the chosen regularisation."""
    rng = np.random.default_rng(SEED)
    everything = np.arange(len(pool))
    predictions, runs, chosen = [], [], []
    for _ in range(repeats):
        oof = empty_predictions(len(pool))
        for test in within_folds(pool, rng):
            model = fit(pool, np.setdiff1d(everything, test), recipe, inputs, rng)
            chosen.append(model.c)
            store(oof, test, model.predict(pool.raw, test))
        predictions.append(oof)
        runs.append(measure_all(pool, oof))
    return predictions, runs, chosen


def cross_validate_across(pool: Pool, recipe: Recipe, inputs) -> tuple[dict, dict]:
    """Train on two collections (as the recipe weighs them), test on the third, for each third.
    A recipe of one collection is tested on the two others."""
    rng = np.random.default_rng(SEED)
    held = empty_predictions(len(pool))
    tested = []
    for name in pool.rows:
        trained_on = tuple(s for s in recipe.sources if s != name)
        if not trained_on:
            continue
        tested.append(name)
        partial = Recipe(recipe.key, recipe.label, trained_on, recipe.balanced, recipe.offsets, recipe.emotify_scales)
        model = fit(pool, np.setdiff1d(np.arange(len(pool)), pool.rows[name]), partial, inputs, rng)
        store(held, pool.rows[name], model.predict(pool.raw, pool.rows[name]))
    return held, {name: m for name, m in measure_all(pool, held).items() if name in tested}


def mean_measures(runs: list[dict]) -> dict:
    return {name: {k: summarise([r[name][k] for r in runs]) for k in runs[0][name]} for name in runs[0]}


def overall(measured: dict) -> float:
    """One number to choose a recipe by: the mean of every measure of every collection."""
    values = [v["mean"] if isinstance(v, dict) else v for m in measured.values() for v in m.values()]
    return float(np.mean(values))



# ---- export ------------------------------------------------------------------------------------

def export_model(model: Fitted, path: Path, pool: Pool) -> None:
    s = model.standardiser
    inputs = [{"name": name, "transform": kind, "unknown_if_zero": unknown, "center": c, "scale": sc}
              for (name, kind, unknown), c, sc in zip(s.inputs, s.centres, s.scales)]
    binary = lambda h: {"intercept": float(model.intercepts[h][0]),  # noqa: E731
                        "weights": [float(w) for w in model.weights[h][0]]}
    counts = ", ".join(f"{len(c)} {sources.SOURCES[name][0]}" for name, c in pool.collections.items())
    document = {
        "format": "vibed-mood-model", "version": 1, "name": "moods-v2",
        "trained_on": f"human labels of {len(pool)} clips ({counts}; ../shared/corpus)",
        "inputs": inputs, "valence": binary("valence"), "arousal": binary("arousal"),
        "moods": {"intercepts": [float(b) for b in model.intercepts["moods"]],
                  "weights": [[float(w) for w in row] for row in model.weights["moods"]]},
    }
    path.write_text(json.dumps(document, indent=1) + "\n")


def golden_cases(model: Fitted, pool: Pool, path: Path) -> None:
    """A few clips of each collection: their inputs and the Python predictions, for the C++ golden test."""
    rows = np.concatenate([r[:: max(1, len(r) // 3)][:3] for r in pool.rows.values()])
    p = model.predict(pool.raw, rows)
    cases = [{"inputs": {name: float(pool.raw[name][r]) for name, _, _ in model.standardiser.inputs},
              "valence": float(p["valence"][i]), "arousal": float(p["arousal"][i]),
              "moods": [float(v) for v in p["moods"][i]]} for i, r in enumerate(rows)]
    path.write_text(json.dumps({"model": "model/moods.json", "cases": cases}, indent=1) + "\n")


def build_vibectl(build_dir: Path) -> Path:
    if not (build_dir / "build.ninja").exists():
        subprocess.run(["cmake", "-S", str(REPO), "-B", str(build_dir), "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(build_dir), "--target", "vibectl", "-j", "2"], check=True,
                   stdout=subprocess.DEVNULL)
    return build_dir / "daemon" / "vibectl"


def model_inputs(extra: str) -> tuple:
    return ATTRIBUTE_INPUTS + FEATURE_INPUTS + tuple((n, "identity", False) for n in extra.split(",") if n)


def load_pool(args) -> Pool:
    vibectl = None if args.cached else build_vibectl(args.build_dir)
    return make_pool(sources.load_all(vibectl), model_inputs(args.extra_inputs))


def arguments(description: str, paths: list[tuple[str, str]] = ()) -> argparse.Namespace:
    """The options every script over the three collections takes; `paths`: more (option, help) paths."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for option, text in paths:
        parser.add_argument(option, type=Path, help=text)
    parser.add_argument("--build-dir", type=Path, default=REPO / "build")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cached", action="store_true", help="read the newest cached analysis tables "
                        "(model/cache/moods) instead of building vibectl and checking them")
    parser.add_argument("--extra-inputs", default="", help="more named input columns, comma-separated")
    return parser.parse_args()


def evaluate_recipe(pool: Pool, recipe: Recipe, inputs, repeats: int):
    predictions, runs, chosen = cross_validate_within(pool, recipe, inputs, repeats)
    held, across = cross_validate_across(pool, recipe, inputs)
    return predictions, runs, chosen, across, held


def main() -> None:
    args = arguments(__doc__)
    pool = load_pool(args)
    inputs = model_inputs(args.extra_inputs)
    print(", ".join(f"{name}: {len(c)} clips, {len(set(c.groups))} artists" for name, c in pool.collections.items()),
          flush=True)
    result = {"recipes": {}, "repeats": args.repeats,
              "collections": {n: {"clips": len(c), "artists": len(set(c.groups))} for n, c in pool.collections.items()}}
    within_predictions = {}
    with multiprocessing.Pool(2) as workers:  # the recipes are independent
        evaluated = workers.starmap(evaluate_recipe, [(pool, recipe, inputs, args.repeats) for recipe in RECIPES])
    held_predictions = {}
    for recipe, (predictions, runs, chosen, across, held) in zip(RECIPES, evaluated):
        within_predictions[recipe.key], held_predictions[recipe.key] = predictions, held
        result["recipes"][recipe.key] = {"label": recipe.label, "within": mean_measures(runs), "across": across,
                                         "chosen_c": chosen}
        print(f"{recipe.key:18s} within {overall(result['recipes'][recipe.key]['within']):.3f}  "
              f"across {overall(across):.3f}", flush=True)
    trained = [r for r in RECIPES if len(r.sources) > 1]
    best = max(trained, key=lambda r: overall(result["recipes"][r.key]["within"]) +
               overall(result["recipes"][r.key]["across"]))
    result["chosen_recipe"] = best.key
    model = fit(pool, np.arange(len(pool)), best, inputs, np.random.default_rng(SEED))
    export_model(model, REPO / "model" / "moods.json", pool)
    golden_cases(model, pool, REPO / "tests" / "golden" / "moods_golden.json")
    import playlist_check  # noqa: E402  (scores the default playlists on the held-out predictions)
    rules = playlist_check.current_rules()
    result["playlists"] = {
        "before": playlist_check.score_runs(pool, within_predictions["4q_only"], playlist_check.PREVIOUS_RULES),
        "after": playlist_check.score_runs(pool, within_predictions[best.key], rules)}
    result["playlists_across"] = playlist_check.score(pool, held_predictions[best.key], rules)
    result["final_c"] = model.c
    result["mood_model_sha256"] = sources.sha256_of(REPO / "model" / "moods.json")
    (REPO / "model" / "moods-card.json").write_text(json.dumps(result, indent=1) + "\n")
    from moods_card import write_card  # noqa: E402
    write_card(result, model, REPO / "docs" / "model-card-moods.md")
    for key, r in result["recipes"].items():
        for name, m in r["within"].items():
            print(f"{key:18s} {name:8s} " + "  ".join(f"{k} {v['mean']:.3f}" for k, v in m.items()))
        for name, m in r["across"].items():
            print(f"{key:18s} {name:8s} across " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()))
    print(f"chosen: {best.key}")


if __name__ == "__main__":
    main()
