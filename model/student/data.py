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
    """`frames` feature columns of one item from `offset` on (None: to the end)."""
    item_id: str
    offset: int
    frames: int | None


def crop_offsets(total_frames: int, crop_frames: int, count: int) -> list[int]:
    """`count` crop starts spread evenly over the item, first and last crop touching its ends."""
    if total_frames <= crop_frames:
        return [0]
    return sorted({int(round(x)) for x in np.linspace(0, total_frames - crop_frames, count)})


def crop_key(item_id: str, offset: int, frames: int) -> str:
    return f"{item_id}@{offset}+{frames}"


def label_crops_with_teacher(items: list[CorpusItem], feature_dir: Path, teacher_path: Path, labels_path: Path,
                             jobs: int, crop_frames: int, crops_per_item: int) -> dict[str, list[tuple[int, np.ndarray]]]:
    """Teacher logits for `crops_per_item` excerpts of `crop_frames` per item, so that training on
    excerpts has each excerpt's own label rather than the whole clip's. Returns, per item id, a
    list of (offset, logits); items shorter than one crop get none."""
    windows = {}
    for item in items:
        total = np.load(feature_path(feature_dir, item.id), mmap_mode="r").shape[1]
        if total < crop_frames:
            continue
        for offset in crop_offsets(total, crop_frames, crops_per_item):
            windows[crop_key(item.id, offset, crop_frames)] = Window(item.id, offset, crop_frames)
    labels = run_teacher(windows, feature_dir, teacher_path, labels_path, jobs)
    crops: dict[str, list[tuple[int, np.ndarray]]] = {}
    for key, window in windows.items():
        crops.setdefault(window.item_id, []).append((window.offset, labels[key]))
    return crops


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
            mel = np.load(feature_path(feature_dir, window.item_id), mmap_mode="r")
            end = None if window.frames is None else window.offset + window.frames
            mel = torch.from_numpy(np.array(mel[:, window.offset:end], dtype=np.float32)).unsqueeze(0)
            labels[key] = teacher(mel)[0].numpy().astype(np.float32)
            if done % 200 == 0 or done == len(windows):
                save_npz(part_path, labels)
                print(f"labels: {part_path.name} {done}/{len(windows)}", file=sys.stderr, flush=True)


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
