"""Corpus manifest, C++ features (vibectl dump-mel) and teacher labels, all cached under model/cache."""
from __future__ import annotations

import csv
import hashlib
import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

MEL_BANDS = 128


@dataclass(frozen=True)
class CorpusItem:
    id: str
    path: Path
    split: str
    kind: str
    sources: tuple[str, ...]     # source keys, as model/build_corpus.py names them


def read_manifest(path: Path) -> list[CorpusItem]:
    with path.open(newline="") as f:
        return [CorpusItem(r["id"], Path(r["path"]), r["split"], r["kind"], tuple(r["sources"].split(",")))
                for r in csv.DictReader(f, delimiter="\t")]


def items_sharing_audio_across_splits(items: list[CorpusItem], unpacked: Path, split: str) -> set[str]:
    """Ids of `split` items made from a source file whose exact bytes are also a source of another
    split. Some packages ship one recording several times (Drascula has a copy per language), and
    the corpus splits by file, so such twins must be left out of the held-out evaluation."""
    def content_of(source: str) -> str:
        path = unpacked / source
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        return ",".join(sha256_of(f) for f in files if f.is_file()) or source

    content = {s: content_of(s) for i in items for s in i.sources}
    elsewhere = {content[s] for i in items if i.split != split for s in i.sources}
    return {i.id for i in items if i.split == split and any(content[s] in elsewhere for s in i.sources)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def feature_path(feature_dir: Path, item_id: str) -> Path:
    return feature_dir / f"{item_id}.npy"


def build_dump_tool(build_dir: Path) -> Path:
    """Builds model/tools/dump_mels.cpp (CMake target vibed_dump_mels, linked against vibed_core
    like vibectl) in `build_dir`, configuring that build directory first if it is new."""
    repo = Path(__file__).resolve().parent.parent.parent
    if not (build_dir / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "-S", str(repo), "-B", str(build_dir), "-DVIBED_BUILD_TESTS=OFF"], check=True)
    subprocess.run(["cmake", "--build", str(build_dir), "--target", "vibed_dump_mels", "-j", "2"], check=True,
                   stdout=subprocess.DEVNULL)
    return build_dir / "model" / "tools" / "vibed_dump_mels"


def dump_features(items: list[CorpusItem], dump_tool: Path, feature_dir: Path, jobs: int) -> list[str]:
    """Computes the log-mel of every item lacking a feature file; returns one error line per failure.

    The features are the C++ front end's own output (model/tools/dump_mels.cpp, the same code as
    `vibectl dump-mel`), so the student learns from exactly what it sees at run time: decoder,
    resampler and mel included."""
    feature_dir.mkdir(parents=True, exist_ok=True)
    todo = [i for i in items if not feature_path(feature_dir, i.id).exists()]
    if not todo:
        return []

    def dump(chunk: list[CorpusItem]) -> list[str]:
        raw = {item.id: feature_dir / f"{item.id}.f32" for item in chunk}
        requests = "".join(f"{item.path}\t{raw[item.id]}\n" for item in chunk)
        replies = subprocess.run([str(dump_tool)], input=requests, capture_output=True, text=True,
                                 check=True).stdout.splitlines()
        errors = []
        for item, reply in zip(chunk, replies):
            status, _, detail = reply.partition(" ")
            if status != "ok":
                errors.append(f"{item.id}: {detail}")
                continue
            mel = np.fromfile(raw[item.id], dtype=np.float32)
            raw[item.id].unlink()
            np.save(feature_path(feature_dir, item.id), mel.reshape(MEL_BANDS, int(detail)))
        return errors

    chunks = [todo[k::jobs] for k in range(jobs)]
    with ThreadPoolExecutor(jobs) as pool:
        errors = [e for chunk_errors in pool.map(dump, chunks) for e in chunk_errors]
    for error in errors:
        print(f"features: {error}", file=sys.stderr)
    print(f"features: {len(todo) - len(errors)} dumped, {len(errors)} failed", file=sys.stderr)
    return errors


def load_features(items: list[CorpusItem], feature_dir: Path, dtype: np.dtype = np.float32) -> list[np.ndarray]:
    return [np.load(feature_path(feature_dir, i.id)).astype(dtype, copy=False) for i in items]


def label_with_teacher(items: list[CorpusItem], feature_dir: Path, teacher_path: Path, labels_path: Path,
                       jobs: int) -> dict[str, np.ndarray]:
    """Teacher logits for every item, on the item's whole feature matrix (as the C++ analyser runs it),
    keyed by item id."""
    return run_teacher({i.id: Window(i.id, 0, None) for i in items}, feature_dir, teacher_path, labels_path, jobs)


@dataclass(frozen=True)
class Window:
    """`frames` feature columns of one item from `offset` on (None: to the end), optionally mixed
    with as many columns of another item from `mix_offset` on, `mix_gain_db` louder (see mix_log_mel)."""
    item_id: str
    offset: int
    frames: int | None
    mix_id: str | None = None
    mix_offset: int = 0
    mix_gain_db: float = 0.0

    def log_mel(self, features: "FeatureSource") -> np.ndarray:
        end = None if self.frames is None else self.offset + self.frames
        mel = np.asarray(features(self.item_id)[:, self.offset:end], dtype=np.float32)
        if self.mix_id is None:
            return mel
        other = features(self.mix_id)[:, self.mix_offset:self.mix_offset + mel.shape[1]]
        return mix_log_mel(mel, np.asarray(other, dtype=np.float32), self.mix_gain_db)


FeatureSource = Callable[[str], np.ndarray]

# VibeNet's power_to_db: amin 1e-10 (-100 dB), ref 1.0, then nothing more than 80 dB below the peak.
POWER_FLOOR = 1e-10
TOP_DB = 80.0


def mix_log_mel(mel: np.ndarray, other: np.ndarray, other_gain_db: float) -> np.ndarray:
    """The log-mel of two signals played together, from their log-mels: mel bands sum powers, and
    two unrelated signals' cross terms average out within a band, so adding the powers is close to
    the mel of the mixed audio. The result gets VibeNet's floor and 80 dB range again. The teacher
    labels these inputs themselves, so the approximation only has to give realistic inputs."""
    power = np.power(10.0, mel / 10.0) + np.power(10.0, (other + other_gain_db) / 10.0)
    db = 10.0 * np.log10(np.maximum(power, POWER_FLOOR))
    return np.maximum(db, db.max() - TOP_DB).astype(np.float32)


def crop_offsets(total_frames: int, crop_frames: int, count: int) -> list[int]:
    """`count` crop starts spread evenly over the item, first and last crop touching its ends."""
    if total_frames <= crop_frames:
        return [0]
    return sorted({int(round(x)) for x in np.linspace(0, total_frames - crop_frames, count)})


def crop_key(item_id: str, offset: int, frames: int) -> str:
    return f"{item_id}@{offset}+{frames}"


def label_crops_with_teacher(items: list[CorpusItem], feature_dir: Path, teacher_path: Path, labels_path: Path,
                             jobs: int, crop_frames: int, crops_per_item: int) -> dict[str, list[tuple[Window, np.ndarray]]]:
    """Teacher logits for `crops_per_item` excerpts of `crop_frames` per item, so that training on
    excerpts has each excerpt's own label rather than the whole clip's. Returns, per item id, a
    list of (window, logits); items shorter than one crop get none."""
    windows = {}
    for item in items:
        total = np.load(feature_path(feature_dir, item.id), mmap_mode="r").shape[1]
        if total < crop_frames:
            continue
        for offset in crop_offsets(total, crop_frames, crops_per_item):
            windows[crop_key(item.id, offset, crop_frames)] = Window(item.id, offset, crop_frames)
    return labelled_windows_by_item(windows, run_teacher(windows, feature_dir, teacher_path, labels_path, jobs))


def label_mixes_with_teacher(items: list[CorpusItem], feature_dir: Path, teacher_path: Path, labels_path: Path,
                             jobs: int, crop_frames: int, mixes_per_item: int, gain_db_range: tuple[float, float],
                             seed: int) -> dict[str, list[tuple[Window, np.ndarray]]]:
    """Teacher logits for `mixes_per_item` excerpts of `crop_frames` per item, each mixed with an
    excerpt of another item of the same list at a random lower level (mix_log_mel): more, and more
    varied, inputs than the corpus holds, each with the teacher's own label. Returns, per item id,
    a list of (window, logits); the draws depend only on `seed` and the items' order."""
    lengths = {i.id: np.load(feature_path(feature_dir, i.id), mmap_mode="r").shape[1] for i in items}
    usable = [i.id for i in items if lengths[i.id] >= crop_frames]
    rng = np.random.default_rng(seed)
    windows: dict[str, Window] = {}
    for item_id in usable:
        for _ in range(mixes_per_item):
            other = usable[int(rng.integers(len(usable)))]
            window = Window(item_id, int(rng.integers(lengths[item_id] - crop_frames + 1)), crop_frames, other,
                            int(rng.integers(lengths[other] - crop_frames + 1)),
                            round(float(rng.uniform(*gain_db_range)), 2))
            windows[f"{item_id}@{window.offset}+{crop_frames}~{other}@{window.mix_offset}{window.mix_gain_db:+}dB"] = window
    return labelled_windows_by_item(windows, run_teacher(windows, feature_dir, teacher_path, labels_path, jobs))


def labelled_windows_by_item(windows: dict[str, Window], labels: dict[str, np.ndarray]
                             ) -> dict[str, list[tuple[Window, np.ndarray]]]:
    by_item: dict[str, list[tuple[Window, np.ndarray]]] = {}
    for key, window in windows.items():
        by_item.setdefault(window.item_id, []).append((window, labels[key]))
    return by_item


def run_teacher(windows: dict[str, Window], feature_dir: Path, teacher_path: Path, labels_path: Path,
                jobs: int) -> dict[str, np.ndarray]:
    """Teacher logits for every window, keyed as `windows` is.

    `jobs` single-threaded processes share the work: on a busy machine, one process with several
    intra-op threads spends much of its time waiting at the threads' barriers. Resumable: each
    process saves its part every few hundred windows; the parts are merged into one .npz, whose name
    carries the teacher's sha256 so a different teacher never mixes with old labels."""
    parts = [labels_path.with_name(f"{labels_path.stem}.part{k}.npz") for k in range(jobs)]
    labels = load_labels([labels_path, *parts])
    todo = [(key, window) for key, window in windows.items() if key not in labels]
    if todo:
        context = multiprocessing.get_context("spawn")   # a fresh interpreter: no inherited torch state
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            list(pool.map(label_part, [todo[k::jobs] for k in range(jobs)], [feature_dir] * jobs,
                          [teacher_path] * jobs, parts))
        labels = load_labels([labels_path, *parts])
        save_npz(labels_path, labels)
        for part in parts:
            part.unlink(missing_ok=True)
    return labels


def load_labels(paths: list[Path]) -> dict[str, np.ndarray]:
    labels: dict[str, np.ndarray] = {}
    for path in paths:
        if path.exists():
            labels.update(np.load(path))
    return labels


def label_part(windows: list[tuple[str, Window]], feature_dir: Path, teacher_path: Path, part_path: Path) -> None:
    torch.set_num_threads(1)
    # Freezing and MKL-DNN conversion make the teacher about 5x cheaper here with the same logits
    # (differences around 1e-6), which is what makes labelling thousands of clips affordable.
    teacher = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(str(teacher_path)).eval()))
    labels = load_labels([part_path])
    with torch.inference_mode():
        for done, (key, window) in enumerate(windows, 1):
            mel = window.log_mel(lambda item_id: np.load(feature_path(feature_dir, item_id), mmap_mode="r"))
            labels[key] = teacher(torch.from_numpy(mel).unsqueeze(0))[0].numpy().astype(np.float32)
            if done % 200 == 0 or done == len(windows):
                save_npz(part_path, labels)
                print(f"labels: {part_path.name} {done}/{len(windows)}", file=sys.stderr, flush=True)


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
