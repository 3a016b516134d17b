#!/usr/bin/python3
# Runs the imported MusiCNN-MSD (model/generated/musicnn.pt, derived from musicnn 0.1.0, ISC
# licence: Copyright (c) Music Technology Group, Universitat Pompeu Fabra 2019, Jordi Pons; full
# notice in docs/model-musicnn.md) over the clips of the three corpus collections.
"""MusiCNN-MSD's outputs for every clip of ../shared/corpus: a per-patch cache and one CSV.

    /usr/bin/python3 model/musicnn_outputs.py [--corpus DIR] [--jobs N]

Re-executes itself in the musicnn venv (scripts/musicnn-venv.sh: librosa for musicnn's own
pre-processing; torch is Debian's, seen through --system-site-packages). For every clip of
music-clips/ (MP3), mirex-like/ and emotify/ (Opus) it computes musicnn's mel power (librosa,
16 kHz, FFT 512, hop 256, 96 bands), cuts it into musicnn's 3-s patches (187 frames, no overlap),
and runs the TorchScript export on them. Per clip, model/cache/musicnn/<collection>/<name>.npz
holds "probabilities" (patches, 50) and "penultimate" (patches, 200); existing files are kept,
so an interrupted run continues. Then model/cache/musicnn-outputs.csv gets one row per clip:
collection, file, patches, then tag_mean_<tag>, tag_max_<tag> (50 each, MSD_LABELS order) and
pen_mean_<k>, pen_max_<k> (k = 0..199): the mean and max over the clip's patches.
"""
from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "model"))

COLLECTIONS = {"music-clips": "*.mp3", "mirex-like": "*.opus", "emotify": "*.opus"}
_IN_VENV = "VIBED_MUSICNN_VENV_ACTIVE"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--model", type=Path, default=REPO / "model" / "generated" / "musicnn.pt")
    parser.add_argument("--cache", type=Path, default=REPO / "model" / "cache" / "musicnn")
    parser.add_argument("--csv", type=Path, default=REPO / "model" / "cache" / "musicnn-outputs.csv")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--csv-only", action="store_true",
                        help="only (re)write the CSV from the clips already cached (e.g. while a run goes on)")
    return parser.parse_args()


def run_inside_venv() -> None:
    if os.environ.get(_IN_VENV):
        return
    built = subprocess.run([str(REPO / "scripts" / "musicnn-venv.sh")], stdout=subprocess.PIPE, text=True)
    if built.returncode != 0:
        raise SystemExit("musicnn-venv.sh failed; see its messages above")
    python = os.path.join(built.stdout.strip().splitlines()[-1], "bin", "python")
    os.execve(python, [python, *sys.argv], dict(os.environ, **{_IN_VENV: "1", "OMP_WAIT_POLICY": "PASSIVE"}))


def mel_power(path: Path):
    """musicnn's librosa calls (musicnn.extractor.batch_data), kept in float32: (96, frames)."""
    import librosa
    import numpy as np

    audio, sr = librosa.load(str(path), sr=16000)
    return librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=256, n_fft=512,
                                          n_mels=96).astype(np.float32)


def patches_of(mel):
    import numpy as np

    from musicnn_network import PATCH_FRAMES
    if mel.shape[1] < PATCH_FRAMES:                    # musicnn gives no patch; repeat-pad to one
        mel = np.tile(mel, (1, -(-PATCH_FRAMES // mel.shape[1])))
    starts = range(0, mel.shape[1] - PATCH_FRAMES + 1, PATCH_FRAMES)
    return np.stack([mel[:, s:s + PATCH_FRAMES] for s in starts])


def process(jobs: list[tuple[Path, Path]], model_path: Path) -> list[str]:
    """Computes and saves the outputs of each (clip, cache file); returns one error line per failure."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    # Frozen, one patch at a time: measured here, optimize_for_inference (oneDNN) and batches of 10
    # patches both cost more CPU per patch (docs/model-musicnn.md, "Speed").
    model = torch.jit.freeze(torch.jit.load(str(model_path)).eval())
    errors = []
    for clip, target in jobs:
        try:
            batch = torch.from_numpy(patches_of(mel_power(clip)))
            with torch.inference_mode():
                outputs = [model(batch[k:k + 1]) for k in range(len(batch))]
            probabilities = torch.cat([tags for tags, _ in outputs])
            penultimate = torch.cat([layer for _, layer in outputs])
        except Exception as error:   # one unreadable clip must not stop the others
            errors.append(f"{clip}: {error}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.stem + ".tmp.npz")
        np.savez(temporary, probabilities=probabilities.numpy(), penultimate=penultimate.numpy())
        temporary.replace(target)
    return errors


def write_csv(rows: list[tuple[str, Path, Path]], output: Path) -> None:
    import numpy as np

    from musicnn_network import MSD_LABELS
    header = (["collection", "file", "patches"] + [f"tag_mean_{t}" for t in MSD_LABELS]
              + [f"tag_max_{t}" for t in MSD_LABELS] + [f"pen_mean_{k}" for k in range(200)]
              + [f"pen_max_{k}" for k in range(200)])
    temporary = output.with_name(output.name + ".tmp")
    with temporary.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for collection, clip, cached in rows:
            if not cached.exists():
                continue
            with np.load(cached) as outputs:
                tags, penultimate = outputs["probabilities"], outputs["penultimate"]
            values = np.concatenate([tags.mean(0), tags.max(0), penultimate.mean(0), penultimate.max(0)])
            writer.writerow([collection, clip.name, len(tags)] + [f"{v:.6g}" for v in values])
    temporary.replace(output)


def main() -> None:
    args = parse_args()
    run_inside_venv()
    rows = [(name, clip, args.cache / name / (clip.stem + ".npz"))
            for name, pattern in COLLECTIONS.items() for clip in sorted((args.corpus / name).glob(pattern))]
    todo = [] if args.csv_only else [(clip, cached) for _, clip, cached in rows if not cached.exists()]
    print(f"musicnn_outputs: {len(rows)} clips, {len(todo)} to compute", file=sys.stderr, flush=True)
    with ProcessPoolExecutor(args.jobs) as pool:
        errors = [e for part in pool.map(process, [todo[k::args.jobs] for k in range(args.jobs)],
                                         [args.model] * args.jobs) for e in part]
    for error in errors:
        print(f"musicnn_outputs: {error}", file=sys.stderr)
    write_csv(rows, args.csv)
    written = sum(1 for _, _, cached in rows if cached.exists())
    print(f"musicnn_outputs: wrote {args.csv} ({written} of {len(rows)} clips, {len(errors)} failed)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
