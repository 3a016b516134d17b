"""Corpus manifest, C++ features (vibectl dump-mel) and teacher labels, all cached under model/cache."""
from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

MEL_BANDS = 128


@dataclass(frozen=True)
class CorpusItem:
    id: str
    path: Path
    split: str
    kind: str


def read_manifest(path: Path) -> list[CorpusItem]:
    with path.open(newline="") as f:
        return [CorpusItem(r["id"], Path(r["path"]), r["split"], r["kind"])
                for r in csv.DictReader(f, delimiter="\t")]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def feature_path(feature_dir: Path, item: CorpusItem) -> Path:
    return feature_dir / f"{item.id}.npy"


def dump_features(items: list[CorpusItem], vibectl: Path, feature_dir: Path, jobs: int) -> list[str]:
    """Runs `vibectl dump-mel` on every item lacking a feature file; returns one error line per failure.

    The features are the C++ front end's own output, so the student learns from exactly what it sees
    at run time (decoder, resampler and mel included)."""
    feature_dir.mkdir(parents=True, exist_ok=True)
    todo = [i for i in items if not feature_path(feature_dir, i).exists()]

    def dump(item: CorpusItem) -> str | None:
        raw = feature_dir / f"{item.id}.f32"
        result = subprocess.run([str(vibectl), "dump-mel", str(item.path), str(raw)], capture_output=True, text=True)
        if result.returncode != 0:
            return f"{item.id}: {result.stderr.strip() or 'vibectl dump-mel failed'}"
        mel = np.fromfile(raw, dtype=np.float32)
        raw.unlink()
        frames = int(result.stdout.split()[0])
        if mel.size != MEL_BANDS * frames:
            return f"{item.id}: dump-mel wrote {mel.size} values for {frames} frames"
        np.save(feature_path(feature_dir, item), mel.reshape(MEL_BANDS, frames))
        return None

    errors = []
    with ThreadPoolExecutor(jobs) as pool:
        for done, error in enumerate(pool.map(dump, todo), 1):
            if error:
                errors.append(error)
                print(f"features: {error}", file=sys.stderr)
            if done % 500 == 0:
                print(f"features: {done}/{len(todo)}", file=sys.stderr)
    return errors


def load_features(items: list[CorpusItem], feature_dir: Path, dtype: np.dtype = np.float32) -> list[np.ndarray]:
    return [np.load(feature_path(feature_dir, i)).astype(dtype, copy=False) for i in items]


def label_with_teacher(items: list[CorpusItem], feature_dir: Path, teacher_path: Path, labels_path: Path,
                       threads: int) -> dict[str, np.ndarray]:
    """Teacher logits for every item, on the item's whole feature matrix (as the C++ analyser runs it).

    Resumable: results are saved every few hundred items in an .npz keyed by item id; the file name
    carries the teacher's sha256, so a different teacher never mixes with old labels."""
    labels: dict[str, np.ndarray] = dict(np.load(labels_path)) if labels_path.exists() else {}
    todo = [i for i in items if i.id not in labels]
    if not todo:
        return labels
    torch.set_num_threads(threads)
    teacher = torch.jit.load(str(teacher_path)).eval()
    with torch.inference_mode():
        for done, item in enumerate(todo, 1):
            mel = torch.from_numpy(np.load(feature_path(feature_dir, item))).unsqueeze(0)
            labels[item.id] = teacher(mel)[0].numpy().astype(np.float32)
            if done % 250 == 0 or done == len(todo):
                save_npz(labels_path, labels)
                print(f"labels: {done}/{len(todo)}", file=sys.stderr, flush=True)
    return labels


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
