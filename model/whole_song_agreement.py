#!/usr/bin/python3
"""Agreement with the teacher on WHOLE songs, for each front end of the student.

    /usr/bin/python3 model/whole_song_agreement.py [--joins N] [--front-end SPEC ...]

The whole-song set (cached in model/cache/whole-songs/, never committed):
  * every full game-music track of 135 s or more in the packages of model/corpus_packages.txt
    that model/build_corpus.py has unpacked into model/cache/unpacked/ (stems such as
    guitar.ogg left out: one file per song);
  * N joins of 8 consecutive clips of ../shared/corpus/music-clips (240 s, 192 kb/s MP3, as
    tests/bench/bench_lib.sh makes them).
Reference: the teacher (model/generated/vibenet.pt) on VibeNet's exact front end, every sample.
Compared: the student on VibeNet's front end (what it was trained and evaluated on) and on each
front end given (default: "excerpts", the one its sidecar model/student.json names), by CCC per
attribute against the teacher (model/student/metrics.py), and the musical features of the
excerpts against the same student's whole-track ones (loudness in LU, tempo, key).
Runs `vibectl analyze -j 1 -f csv --features` from build/ (cmake --build build --target vibectl).
"""
from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student.metrics import agreement  # noqa: E402
from student.network import ATTRIBUTES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "model" / "cache"
CLIPS = REPO.parent / "shared" / "corpus" / "music-clips"
STEMS = {"guitar", "rhythm", "drums", "vocals", "bass"}
MIN_SECONDS = 135.0


def duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "quiet", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True).stdout.strip()
    try:
        return float(out)
    except ValueError:
        return 0.0


def game_tracks() -> list[Path]:
    root = CACHE / "unpacked"
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in {".ogg", ".mp3", ".flac", ".wav"}
                   and p.is_file() and p.stem.lower() not in STEMS and "/sounds/" not in str(p))
    return [p for p in files if duration(p) >= MIN_SECONDS]


def clip_joins(count: int) -> list[Path]:
    out_dir = CACHE / "whole-songs"
    out_dir.mkdir(parents=True, exist_ok=True)
    clips = sorted(CLIPS.glob("*.mp3"))
    joins = []
    for n in range(min(count, len(clips) // 8)):
        out = out_dir / f"join-{n:02d}.mp3"
        if not out.exists():
            group = clips[8 * n: 8 * n + 8]
            inputs = [arg for clip in group for arg in ("-i", str(clip))]
            chain = "".join(f"[{i}:a]aformat=sample_rates=44100:channel_layouts=stereo[a{i}];" for i in range(8))
            chain += "".join(f"[a{i}]" for i in range(8)) + "concat=n=8:v=0:a=1"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *inputs, "-filter_complex", chain, "-t", "240",
                            "-c:a", "libmp3lame", "-b:a", "192k", str(out)], check=True)
        joins.append(out)
    return joins


def analyse(files: list[Path], model: str, front_end: str) -> dict[str, dict[str, str]]:
    command = [str(REPO / "build" / "daemon" / "vibectl"), "analyze", "-j", "1", "-q", "-f", "csv", "--features",
               "--model", model, "--front-end", front_end, *map(str, files)]
    print(f"agreement: {model} on front end {front_end} ({len(files)} files)", file=sys.stderr)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {row["path"]: row for row in csv.DictReader(io.StringIO(out))}


def matrix(rows: dict[str, dict[str, str]], files: list[Path], columns) -> np.ndarray:
    return np.array([[float(rows[str(f)][c]) for c in columns] for f in files])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=24, help="8-clip joins of the corpus clips (default 24)")
    parser.add_argument("--front-end", action="append", dest="front_ends",
                        help="student front end to compare (vibenet, excerpts, COUNTxSECONDS); repeatable")
    args = parser.parse_args()
    front_ends = args.front_ends or ["excerpts"]
    files = game_tracks() + clip_joins(args.joins)
    if not files:
        sys.exit("agreement: no whole songs (run model/build_corpus.py, check ../shared/corpus)")
    teacher = analyse(files, str(REPO / "model" / "generated" / "vibenet.pt"), "vibenet")
    whole = analyse(files, "student", "vibenet")
    files = [f for f in files if str(f) in teacher and str(f) in whole]
    print(f"whole songs: {len(files)} ({len(game_tracks())} game tracks, {args.joins} clip joins)")
    t = matrix(teacher, files, ATTRIBUTES)
    reports = {"vibenet (every sample)": agreement(matrix(whole, files, ATTRIBUTES), t)}
    features = {}
    for spec in front_ends:
        rows = analyse(files, "student", spec)
        reports[spec] = agreement(matrix(rows, files, ATTRIBUTES), t)
        features[spec] = rows
    names = list(reports)
    print("\n| attribute | " + " | ".join(f"CCC, {n}" for n in names) + " |")
    print("|---|" + "---:|" * len(names))
    for a in ATTRIBUTES:
        print(f"| {a} | " + " | ".join(f"{reports[n][a]['ccc']:.3f}" for n in names) + " |")
    print("| mean | " + " | ".join(f"{np.mean([reports[n][a]['ccc'] for a in ATTRIBUTES]):.3f}" for n in names) + " |")
    print("\nmusical features of the excerpts against the same student's whole-track values:")
    for spec, rows in features.items():
        loud = np.array([float(rows[str(f)]["loudness"]) - float(whole[str(f)]["loudness"]) for f in files])
        lra = np.array([float(rows[str(f)]["loudness_range"]) - float(whole[str(f)]["loudness_range"]) for f in files])
        bpm_same = np.mean([abs(float(rows[str(f)]["bpm"]) - float(whole[str(f)]["bpm"])) <= 1.0 for f in files])
        key_same = np.mean([rows[str(f)]["key"] == whole[str(f)]["key"] and rows[str(f)]["mode"] == whole[str(f)]["mode"]
                            for f in files])
        print(f"- {spec}: loudness error mean |{np.mean(np.abs(loud)):.2f}| LU, max {np.max(np.abs(loud)):.2f} LU; "
              f"loudness range mean |{np.mean(np.abs(lra)):.2f}| LU, max {np.max(np.abs(lra)):.2f}; "
              f"same tempo (±1 BPM) {bpm_same:.0%}; same key and mode {key_same:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
