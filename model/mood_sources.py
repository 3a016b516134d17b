"""The three human-labelled collections the mood model learns from, their labels as training targets,
and the issue's measures per collection (issue 17). Shared by train_moods.py, train_similarity.py and
playlist_check.py.

Every collection's inputs are `vibectl analyze --features --embedding -f csv` of its clips, cached in
model/cache/moods/<collection>-<key>.csv by the identity of the vibectl binary and the student.

How each label kind becomes targets (one row per clip, `None` where a label says nothing):
- music-clips (4Q): valence = Q1 or Q4, arousal = Q1 or Q2, mood = the quadrant (happy, tense, sad, calm).
- mirex-like: the README's reading onto the quadrants. C1 happy (positive, high), C2 positive with
  mixed arousal (valence only; mood half happy, half calm), C3 sad (negative, low), C5 tense
  (negative, high); C4 (humorous) has no quadrant and trains nothing.
- emotify: the listeners' shares of the four emotions that name a quadrant (joyful activation,
  tension, sadness, calmness), normalised to sum to 1, are soft mood targets; valence is the share of
  joyful activation + calmness among them, arousal the share of joyful activation + tension.
"""
from __future__ import annotations

import csv
import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
CACHE = REPO / "model" / "cache" / "moods"
MOODS = ("happy", "tense", "sad", "calm")
QUADRANTS = ("Q1", "Q2", "Q3", "Q4")
# Emotify's emotions that name a quadrant, in MOODS order.
EMOTIFY_MOODS = ("joyful_activation", "tension", "sadness", "calmness")


@dataclass
class Collection:
    name: str                       # "4q", "mirex", "emotify"
    files: list[str]
    groups: np.ndarray              # artist group per clip
    raw: dict[str, np.ndarray]      # every analysed column by name (attributes, features, embedding_i)
    valence: np.ndarray             # target in [0, 1], nan where unknown
    arousal: np.ndarray
    moods: np.ndarray               # clips x 4 target distribution, rows of nan where unknown
    labels: dict[str, np.ndarray] = field(default_factory=dict)  # the raw labels, for the measures

    def __len__(self) -> int:
        return len(self.files)


SOURCES = {
    "4q": ("music-clips", "music-clips-moods.csv"),
    "mirex": ("mirex-like", "mirex-like-moods.csv"),
    "emotify": ("emotify", "emotify-emotions.csv"),
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def analysis(vibectl: Path | None, name: str, clips: list[Path]) -> dict[str, dict[str, str]]:
    """`vibectl analyze --features --embedding -f csv` rows by file name, cached by the inputs' identity.
    Without a vibectl (tables given), the newest cached table of the collection is read."""
    folder = SOURCES[name][0]
    if vibectl is None:
        tables = sorted(CACHE.glob(f"{folder}*.csv"), key=lambda p: p.stat().st_mtime)
        if not tables:
            raise SystemExit(f"mood_sources: no cached analysis of {folder} in {CACHE}")
        return read_analysis(tables[-1])
    key = hashlib.sha256((sha256_of(vibectl) + sha256_of(REPO / "model" / "student.pt") +
                          str(len(clips))).encode()).hexdigest()[:16]
    cache = CACHE / f"{folder}-{key}.csv"
    if not cache.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"analysing {len(clips)} clips of {folder} ...", flush=True)
        out = subprocess.run([str(vibectl), "analyze", "--features", "--embedding", "-f", "csv", "-j", "2",
                              "--model", "student", *map(str, clips)], check=True, capture_output=True,
                             text=True).stdout
        cache.write_text(out)
    return read_analysis(cache)


def read_analysis(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as f:
        return {Path(row["path"]).name: row for row in csv.DictReader(f)}


def numeric_columns(table: dict[str, dict[str, str]], files: list[str]) -> dict[str, np.ndarray]:
    first = table[files[0]]
    names = [k for k in first if k not in ("path", "key_name")]
    return {k: np.array([float(table[f][k]) for f in files]) for k in names}


def load(name: str, vibectl: Path | None) -> Collection:
    folder, label_file = SOURCES[name]
    rows = list(csv.DictReader(open(CORPUS / label_file, newline="")))
    if name == "mirex":
        rows = [r for r in rows if r["cluster"] != "C4"]  # no quadrant: nothing to learn or check
    files = [r["file"] for r in rows]
    raw = numeric_columns(analysis(vibectl, name, [CORPUS / folder / f for f in files]), files)
    groups = np.array([r["artist_group"] for r in rows])
    n = len(rows)
    valence, arousal, moods = np.full(n, np.nan), np.full(n, np.nan), np.full((n, 4), np.nan)
    labels: dict[str, np.ndarray] = {}
    if name == "4q":
        q = np.array([QUADRANTS.index(r["quadrant"]) for r in rows])
        valence, arousal, moods = np.isin(q, (0, 3)).astype(float), np.isin(q, (0, 1)).astype(float), np.eye(4)[q]
        labels = {"quadrant": q, "genres": np.array([r["genres"] for r in rows])}
    elif name == "mirex":
        c = np.array([r["cluster"] for r in rows])
        valence = np.where(np.isin(c, ("C1", "C2")), 1.0, 0.0)
        arousal = np.select([np.isin(c, ("C1", "C5")), c == "C3"], [1.0, 0.0], np.nan)
        table = {"C1": (1, 0, 0, 0), "C2": (0.5, 0, 0, 0.5), "C3": (0, 0, 1, 0), "C5": (0, 1, 0, 0)}
        moods = np.array([table[x] for x in c], dtype=float)
        labels = {"cluster": c}
    else:
        shares = np.array([[float(r[e]) for e in EMOTIFY_MOODS] for r in rows])
        total = np.maximum(shares.sum(axis=1, keepdims=True), 1e-9)
        moods = shares / total
        valence, arousal = moods[:, 0] + moods[:, 3], moods[:, 0] + moods[:, 1]
        labels = {e: shares[:, i] for i, e in enumerate(EMOTIFY_MOODS)}
        labels["genre"] = np.array([r["genre"] for r in rows])
    return Collection(name, files, groups, raw, valence, arousal, moods, labels)


def load_all(vibectl: Path | None) -> dict[str, Collection]:
    return {name: load(name, vibectl) for name in SOURCES}


# ---- the measures, per collection ---------------------------------------------------------

def quiet_sad_labels(c: Collection) -> tuple[np.ndarray, np.ndarray]:
    """Emotify's quiet tracks (listeners reported calmness + sadness more than joyful activation +
    tension) and, among them, which are sad: sadness's share of sadness + calmness above the median."""
    l = c.labels
    quiet = l["calmness"] + l["sadness"] > l["joyful_activation"] + l["tension"]
    ratio = l["sadness"] / np.maximum(l["sadness"] + l["calmness"], 1e-9)
    sad = ratio > np.median(ratio[quiet])
    return quiet, sad


def measures(c: Collection, valence: np.ndarray, arousal: np.ndarray, moods: np.ndarray) -> dict[str, float]:
    """The issue's target measures for one collection from predicted valence, arousal and mood
    probabilities (clips x 4, MOODS order)."""
    top = moods.argmax(axis=1)
    if c.name == "4q":
        q = c.labels["quadrant"]
        low = np.isin(q, (2, 3))
        return {"valence_auc": roc_auc_score(np.isin(q, (0, 3)), valence),
                "calm_valence_auc": roc_auc_score(q[low] == 3, valence[low]),
                "arousal_auc": roc_auc_score(np.isin(q, (0, 1)), arousal),
                "accuracy": float((top == q).mean())}
    if c.name == "mirex":
        k = c.labels["cluster"]
        scaled = k != "C2"
        agree = {"C1": (0,), "C2": (0, 3), "C3": (2,), "C5": (1,)}
        return {"valence_auc": roc_auc_score(np.isin(k, ("C1", "C2")), valence),
                "arousal_auc": roc_auc_score(np.isin(k[scaled], ("C1", "C5")), arousal[scaled]),
                "top_mood_agreement": float(np.mean([t in agree[x] for t, x in zip(top, k)]))}
    l = c.labels
    quiet, sad = quiet_sad_labels(c)
    sad_vs_calm = moods[:, 2] / np.maximum(moods[:, 2] + moods[:, 3], 1e-12)
    return {"happy_joyful_spearman": float(spearmanr(moods[:, 0], l["joyful_activation"])[0]),
            "sad_sadness_spearman": float(spearmanr(moods[:, 2], l["sadness"])[0]),
            "calm_calmness_spearman": float(spearmanr(moods[:, 3], l["calmness"])[0]),
            "tense_tension_spearman": float(spearmanr(moods[:, 1], l["tension"])[0]),
            "quiet_sad_vs_calm_auc": roc_auc_score(sad[quiet], sad_vs_calm[quiet])}


TARGETS = {
    "4q": {"valence_auc": 0.90, "calm_valence_auc": 0.82, "arousal_auc": 0.97, "accuracy": 0.78},
    "mirex": {"valence_auc": 0.82, "arousal_auc": 0.90, "top_mood_agreement": 0.70},
    "emotify": {"happy_joyful_spearman": 0.70, "sad_sadness_spearman": 0.50, "calm_calmness_spearman": 0.75,
                "tense_tension_spearman": 0.75, "quiet_sad_vs_calm_auc": 0.85},
}


# ---- a model file, evaluated exactly as core/model/mood_model.cpp does -----------------------------

def standardise_like_cpp(inputs: list[dict], raw: dict[str, np.ndarray]) -> np.ndarray:
    columns = []
    for spec in inputs:
        x = raw[spec["name"]]
        if spec["transform"] == "log":
            t = np.log(np.maximum(x, 1e-6))
        elif spec["transform"] == "minor":
            t = np.where(x == 2, 1.0, np.where(x == 1, 0.0, 0.5))
        else:
            t = x.astype(float)
        z = np.clip((t - spec["center"]) / spec["scale"], -4, 4)
        if spec.get("unknown_if_zero"):
            z = np.where(x == 0, 0.0, z)
        columns.append(z)
    return np.stack(columns, axis=1)


def predict_with_file(document: dict, raw: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(valence, arousal, moods) of a vibed mood model file (model/moods.json) on raw inputs."""
    z = standardise_like_cpp(document["inputs"], raw)
    sig = lambda head: 1 / (1 + np.exp(-(head["intercept"] + z @ np.array(head["weights"]))))  # noqa: E731
    logits = np.array(document["moods"]["intercepts"]) + z @ np.array(document["moods"]["weights"]).T
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return sig(document["valence"]), sig(document["arousal"]), e / e.sum(axis=1, keepdims=True)


def main() -> None:
    """Score mood model files as they are (no training) on the cached analyses of the three collections:
    /usr/bin/python3 model/mood_sources.py model/moods.json [OTHER.json ...]. A file scored on clips it
    was trained on flatters itself; train_moods.py's cross-validated figures are the honest ones."""
    import json
    import sys
    collections = {name: load(name, None) for name in SOURCES}
    for path in sys.argv[1:]:
        document = json.loads(Path(path).read_text())
        for name, c in collections.items():
            v, a, m = predict_with_file(document, c.raw)
            print(f"{path} {name:8s} " + "  ".join(f"{k} {x:.3f}" for k, x in measures(c, v, a, m).items()))


if __name__ == "__main__":
    main()
