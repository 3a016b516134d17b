#!/usr/bin/python3
"""Learn moods people agree with: a linear mood model on human labels, cross-validated by artist.

    /usr/bin/python3 model/train_moods.py            # features -> cross-validation -> model -> card

Steps:
 1. inputs:  `vibectl analyze --features -f csv` (the bundled student's seven attributes and the
             musical features, exactly as the daemon computes them) on the 400 clips of
             ../shared/corpus/music-clips; also VibeNet's own attributes (`--model vibenet`) when the
             teacher has been imported (model/import_vibenet.py), for the comparison table.
             Cached in build/moods/ by the vibectl binary's and the models' identity.
 2. labels:  ../shared/corpus/music-clips-moods.csv (quadrant per clip, artist group, genres).
 3. cross-validation: repeated 5-fold, every artist group inside one fold, the regularisation chosen
             inside each training fold by an inner grouped 4-fold (never on the test fold). Compared
             side by side: VibeNet's raw values, the baseline softmax on the student's seven
             attributes, and the mood model; the default playlists' rules (config/vibed.toml) are
             scored on the held-out predictions.
 4. model:   the same recipe fitted on all 400 clips -> model/moods.json (read by vibed) and
             model/moods-card.json + docs/model-card-moods.md (generated from the same numbers).
Python builds the model only; vibed evaluates it in C++ (core/model/mood_model.cpp).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = 20261201
QUADRANTS = ("Q1", "Q2", "Q3", "Q4")
MOODS = ("happy", "tense", "sad", "calm")  # Q1..Q4, core/model/moods.hpp
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
MAX_STANDARDISED = 4.0  # as core/model/mood_model.cpp clamps
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)

# The default playlists' rules before the mood model (VibeNet's attributes only), for the comparison.
PREVIOUS_RULES = {
    "Morning Mix": "valence >= 0.55 and energy >= 0.3 and energy <= 0.7 and speechiness < 0.4",
    "Driving Vibes": "energy >= 0.6 and valence >= 0.5 and danceability >= 0.5",
    "Workout": "energy >= 0.75 and danceability >= 0.55",
    "Chill": "energy <= 0.45 and valence >= 0.35 and speechiness < 0.33",
    "Party": "danceability >= 0.7 and energy >= 0.65 and valence >= 0.5",
    "Melancholy": "valence <= 0.35 and energy <= 0.5",
}

# What each default playlist promises, as the quadrants that count as a correct pick.
PLAYLIST_PROMISES = {
    "Melancholy": ("sad", {"Q3"}),
    "Chill": ("calm and content", {"Q4"}),
    "Morning Mix": ("positive", {"Q1", "Q4"}),
    "Driving Vibes": ("happy and upbeat", {"Q1"}),
    "Workout": ("intense", {"Q1", "Q2"}),
    "Party": ("happy and upbeat", {"Q1"}),
}


# ---- inputs ------------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_vibectl(build_dir: Path) -> Path:
    if not (build_dir / "build.ninja").exists():
        subprocess.run(["cmake", "-S", str(REPO), "-B", str(build_dir), "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(build_dir), "--target", "vibectl", "-j", "2"], check=True,
                   stdout=subprocess.DEVNULL)
    return build_dir / "daemon" / "vibectl"


def analyze(vibectl: Path, model: str, clips: list[Path], cache_dir: Path) -> dict[str, dict[str, str]]:
    """Rows of `vibectl analyze --features -f csv` by file name, cached by the inputs' identity."""
    model_file = REPO / "model" / ("student.pt" if model == "student" else "generated/vibenet.pt")
    key = hashlib.sha256((sha256_of(vibectl) + sha256_of(model_file) + str(len(clips))).encode()).hexdigest()[:16]
    cache = cache_dir / f"{model}-{key}.csv"
    if not cache.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        print(f"analysing {len(clips)} clips with {model} ...", flush=True)
        out = subprocess.run([str(vibectl), "analyze", "--features", "-f", "csv", "-j", "2", "--model", model,
                              *map(str, clips)], check=True, capture_output=True, text=True).stdout
        cache.write_text(out)
    return read_analysis(cache)


@dataclass
class Dataset:
    files: list[str]
    quadrant: np.ndarray      # 0..3
    groups: np.ndarray        # artist group per clip
    raw: dict[str, np.ndarray]        # every column by name (student attributes and features)
    teacher: dict[str, np.ndarray] | None  # VibeNet's own attributes, when imported

    @property
    def positive(self) -> np.ndarray:  # Q1, Q4
        return np.isin(self.quadrant, (0, 3)).astype(int)

    @property
    def high(self) -> np.ndarray:  # Q1, Q2
        return np.isin(self.quadrant, (0, 1)).astype(int)


def read_analysis(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as f:
        return {Path(row["path"]).name: row for row in csv.DictReader(f)}


def load_dataset(args) -> Dataset:
    labels = list(csv.DictReader(open(args.labels, newline="")))
    clips = [args.corpus / row["file"] for row in labels]
    cache_dir = args.build_dir / "moods"
    vibectl = None if args.student_csv and args.teacher_csv else build_vibectl(args.build_dir)
    student = read_analysis(args.student_csv) if args.student_csv else analyze(vibectl, "student", clips, cache_dir)
    teacher = None
    if args.teacher_csv:
        teacher = read_analysis(args.teacher_csv)
    elif (REPO / "model" / "generated" / "vibenet.pt").exists():
        teacher = analyze(vibectl, "vibenet", clips, cache_dir)
    names = ATTRIBUTES + tuple(name for name, _, _ in FEATURE_INPUTS)
    files = [row["file"] for row in labels]
    raw = {name: np.array([float(student[f][name]) for f in files]) for name in names}
    teacher_raw = None
    if teacher:
        teacher_raw = {name: np.array([float(teacher[f][name]) for f in files]) for name in ATTRIBUTES}
    return Dataset(files, np.array([QUADRANTS.index(row["quadrant"]) for row in labels]),
                   np.array([row["artist_group"] for row in labels]), raw, teacher_raw)


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


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y)
    return model


@dataclass
class Heads:
    standardiser: Standardiser
    valence: LogisticRegression
    arousal: LogisticRegression
    moods: LogisticRegression
    c: dict[str, float]

    def predict(self, data, rows) -> dict[str, np.ndarray]:
        x = self.standardiser(data, rows)
        return {"valence": self.valence.predict_proba(x)[:, 1], "arousal": self.arousal.predict_proba(x)[:, 1],
                "moods": self.moods.predict_proba(x)}


def choose_c(x, y, groups, rng) -> float:
    """The regularisation with the best inner grouped-CV log-loss, on training rows only."""
    folds = grouped_folds(groups, 4, rng)
    best, best_loss = C_GRID[0], math.inf
    for c in C_GRID:
        loss = 0.0
        for test in folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            if len(set(y[train])) < len(set(y)):
                continue
            p = fit_logistic(x[train], y[train], c).predict_proba(x[test])
            classes = sorted(set(y[train]))
            idx = np.searchsorted(classes, y[test])
            loss -= np.log(np.clip(p[np.arange(len(test)), idx], 1e-9, 1)).sum()
        if loss < best_loss:
            best, best_loss = c, loss
    return best


def train_heads(inputs, ds: Dataset, rows: np.ndarray, rng) -> Heads:
    standardiser = Standardiser(inputs, ds.raw, rows)
    x = standardiser(ds.raw, rows)
    groups = ds.groups[rows]
    targets = {"valence": ds.positive[rows], "arousal": ds.high[rows], "moods": ds.quadrant[rows]}
    c = {head: choose_c(x, y, groups, rng) for head, y in targets.items()}
    return Heads(standardiser, *(fit_logistic(x, targets[h], c[h]) for h in ("valence", "arousal", "moods")), c)


# ---- playlist rules ----------------------------------------------------------------------------

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


def playlist_scores(values: dict[str, np.ndarray], quadrant: np.ndarray, rules: dict[str, str]) -> dict[str, dict]:
    scores = {}
    for name, query in rules.items():
        if name not in PLAYLIST_PROMISES:
            continue
        promise, correct = PLAYLIST_PROMISES[name]
        picked = rule_matches(query, values)
        hits = np.isin(quadrant[picked], [QUADRANTS.index(q) for q in correct]).sum()
        scores[name] = {"promise": promise, "query": query,
                        "picks_per_100": 100.0 * picked.sum() / len(quadrant),
                        "precision": float(hits / picked.sum()) if picked.sum() else float("nan")}
    return scores


# ---- evaluation --------------------------------------------------------------------------------

def metrics(valence: np.ndarray, arousal: np.ndarray, predicted: np.ndarray, ds: Dataset) -> dict[str, float]:
    calm = np.isin(ds.quadrant, (2, 3))
    return {
        "valence_auc": roc_auc_score(ds.positive, valence),
        "calm_valence_auc": roc_auc_score(ds.quadrant[calm] == 3, valence[calm]),
        "arousal_auc": roc_auc_score(ds.high, arousal),
        "accuracy": float((predicted == ds.quadrant).mean()),
    }


def quadrant_from_scales(valence, arousal) -> np.ndarray:
    # Q1 positive/high, Q2 negative/high, Q3 negative/low, Q4 positive/low
    return np.where(arousal >= 0.5, np.where(valence >= 0.5, 0, 1), np.where(valence >= 0.5, 3, 2))


def row_values(ds: Dataset, source: dict[str, np.ndarray], moods: np.ndarray | None, valence=None, arousal=None):
    values = dict(source)
    if moods is not None:
        for k, mood in enumerate(MOODS):
            values[mood] = moods[:, k]
        values["mood"] = np.array(MOODS)[moods.argmax(axis=1)]
        values["mood_valence"], values["mood_arousal"] = valence, arousal
    return values


def cross_validate(ds: Dataset, repeats: int) -> dict:
    """Out-of-fold predictions per repeat; metrics and playlist scores averaged over repeats."""
    rng = np.random.default_rng(SEED)
    runs = {"vibenet": [], "student_raw": [], "baseline": [], "moods": []}
    playlists = {"previous": [], "moods": []}
    current_rules = {p["name"]: p["query"] for p in default_playlists()}
    chosen_c = []
    n = len(ds.files)
    for _ in range(repeats):
        oof = {"baseline": np.zeros((n, 4)), "moods": np.zeros((n, 4)), "valence": np.zeros(n), "arousal": np.zeros(n)}
        for test in grouped_folds(ds.groups, 5, rng):
            train = np.setdiff1d(np.arange(n), test)
            base_std = Standardiser(ATTRIBUTE_INPUTS, ds.raw, train)
            base_x = base_std(ds.raw, train)
            base = fit_logistic(base_x, ds.quadrant[train], choose_c(base_x, ds.quadrant[train], ds.groups[train], rng))
            oof["baseline"][test] = base.predict_proba(base_std(ds.raw, test))
            heads = train_heads(ATTRIBUTE_INPUTS + FEATURE_INPUTS, ds, train, rng)
            chosen_c.append(heads.c)
            p = heads.predict(ds.raw, test)
            oof["moods"][test], oof["valence"][test], oof["arousal"][test] = p["moods"], p["valence"], p["arousal"]
        b = oof["baseline"]
        runs["baseline"].append(metrics(b[:, 0] + b[:, 3], b[:, 0] + b[:, 1], b.argmax(axis=1), ds))
        runs["moods"].append(metrics(oof["valence"], oof["arousal"], oof["moods"].argmax(axis=1), ds))
        playlists["moods"].append(playlist_scores(
            row_values(ds, ds.raw, oof["moods"], oof["valence"], oof["arousal"]), ds.quadrant, current_rules))
    # Models without training: the same every repeat.
    for name, source in (("vibenet", ds.teacher), ("student_raw", ds.raw)):
        if source is None:
            runs.pop(name)
            continue
        v, e = source["valence"], source["energy"]
        runs[name].append(metrics(v, e, quadrant_from_scales(v, e), ds))
    playlists["previous"].append(playlist_scores(ds.raw, ds.quadrant, PREVIOUS_RULES))
    return {"runs": runs, "playlists": playlists, "chosen_c": chosen_c}


def summarise(values: list[float]) -> dict[str, float]:
    a = np.array(values, dtype=float)
    return {"mean": float(np.nanmean(a)), "sd": float(np.nanstd(a)), "min": float(np.nanmin(a)), "max": float(np.nanmax(a))}


def summary(cv: dict) -> dict:
    out = {"metrics": {}, "playlists": {}}
    for model, runs in cv["runs"].items():
        out["metrics"][model] = {key: summarise([r[key] for r in runs]) for key in runs[0]}
    for rules, runs in cv["playlists"].items():
        out["playlists"][rules] = {}
        for name in runs[0]:
            out["playlists"][rules][name] = {
                "promise": runs[0][name]["promise"], "query": runs[0][name]["query"],
                "precision": summarise([r[name]["precision"] for r in runs]),
                "picks_per_100": summarise([r[name]["picks_per_100"] for r in runs])}
    return out


# ---- export ------------------------------------------------------------------------------------

def export_model(heads: Heads, path: Path, samples: int) -> None:
    inputs = [{"name": name, "transform": kind, "unknown_if_zero": unknown, "center": c, "scale": s}
              for (name, kind, unknown), c, s in zip(heads.standardiser.inputs, heads.standardiser.centres,
                                                     heads.standardiser.scales)]
    def binary(model):
        return {"intercept": float(model.intercept_[0]), "weights": [float(w) for w in model.coef_[0]]}
    document = {
        "format": "vibed-mood-model", "version": 1, "name": "moods-v1",
        "trained_on": f"{samples} human-labelled clips (../shared/corpus/music-clips-moods.csv)",
        "inputs": inputs, "valence": binary(heads.valence), "arousal": binary(heads.arousal),
        "moods": {"intercepts": [float(b) for b in heads.moods.intercept_],
                  "weights": [[float(w) for w in row] for row in heads.moods.coef_]},
    }
    path.write_text(json.dumps(document, indent=1) + "\n")


def golden_cases(heads: Heads, ds: Dataset, path: Path) -> None:
    """A few clips' inputs and the Python predictions, for the C++ golden test."""
    rows = np.arange(0, len(ds.files), max(1, len(ds.files) // 8))[:8]
    p = heads.predict(ds.raw, rows)
    cases = []
    for i, r in enumerate(rows):
        cases.append({"inputs": {name: float(ds.raw[name][r]) for name in ds.raw},
                      "valence": float(p["valence"][i]), "arousal": float(p["arousal"][i]),
                      "moods": [float(v) for v in p["moods"][i]]})
    path.write_text(json.dumps({"model": "model/moods.json", "cases": cases}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "music-clips")
    parser.add_argument("--labels", type=Path, default=SHARED / "corpus" / "music-clips-moods.csv")
    parser.add_argument("--build-dir", type=Path, default=REPO / "build")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--student-csv", type=Path, help="`vibectl analyze --features -f csv` of the clips, "
                        "instead of running it")
    parser.add_argument("--teacher-csv", type=Path, help="the same with --model vibenet")
    args = parser.parse_args()

    ds = load_dataset(args)
    print(f"{len(ds.files)} clips, {len(set(ds.groups))} artist groups; cross-validating ({args.repeats} x 5 folds) ...",
          flush=True)
    cv = cross_validate(ds, args.repeats)
    result = summary(cv)
    heads = train_heads(ATTRIBUTE_INPUTS + FEATURE_INPUTS, ds, np.arange(len(ds.files)), np.random.default_rng(SEED))
    export_model(heads, REPO / "model" / "moods.json", len(ds.files))
    golden_cases(heads, ds, REPO / "tests" / "golden" / "moods_golden.json")
    result["final_c"] = heads.c
    result["repeats"] = args.repeats
    result["clips"] = len(ds.files)
    result["artist_groups"] = len(set(ds.groups))
    result["mood_model_sha256"] = sha256_of(REPO / "model" / "moods.json")
    (REPO / "model" / "moods-card.json").write_text(json.dumps(result, indent=1) + "\n")
    sys.path.insert(0, str(REPO / "model"))
    from moods_card import write_card  # noqa: E402
    write_card(result, heads, REPO / "docs" / "model-card-moods.md")
    for model, m in result["metrics"].items():
        print(f"{model:12s} " + "  ".join(f"{k} {v['mean']:.3f}" for k, v in m.items()))
    for rules, scores in result["playlists"].items():
        for name, s in scores.items():
            print(f"{rules:6s} {name:14s} precision {s['precision']['mean']:.2f}  picks/100 {s['picks_per_100']['mean']:.1f}")


if __name__ == "__main__":
    main()
