#!/usr/bin/python3
"""Agreement with the teacher on WHOLE songs, for each front end of the student.

    /usr/bin/python3 model/whole_song_agreement.py [--joins N] [--emotify-joins N] [--front-end SPEC ...]

The whole-song set (cached in model/cache/whole-songs/, never committed):
  * every full game-music track of 135 s or more in the packages of model/corpus_packages.txt
    that model/build_corpus.py has unpacked into model/cache/unpacked/ (stems such as
    guitar.ogg left out: one file per song; byte-identical copies, such as Drascula's tracks
    shipped once per language, counted once);
  * N joins of 8 consecutive clips of ../shared/corpus/music-clips (240 s, 192 kb/s MP3, as
    tests/bench/bench_lib.sh makes them);
  * N joins of 8 consecutive Emotify excerpts of ../shared/corpus/emotify (240 s, Opus as they
    come: 32 kb/s, re-encoded once by libopus at 96 kb/s).
Reference: the teacher (model/generated/vibenet.pt) on VibeNet's exact front end, every sample;
its CSV is kept in model/cache/whole-songs/ (keyed by the teacher's sha256) and reused.
Compared: the student as shipped (its sidecar's front end, every sample) and on each front end
given (default: "excerpts"), by CCC per attribute against the teacher (model/student/metrics.py)
and against the same student on every sample, and the musical features of the excerpts against
the same student's whole-track ones (loudness in LU, tempo, key).
Runs `vibectl analyze -j 1 -f csv --features` from build/ (cmake --build build --target vibectl),
or the binary given with --vibectl.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
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
EMOTIFY = REPO.parent / "shared" / "corpus" / "emotify"
TEACHER = REPO / "model" / "generated" / "vibenet.pt"
VIBECTL = REPO / "build" / "daemon" / "vibectl"
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
    seen, unique = set(), []
    for p in files:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        if digest not in seen and duration(p) >= MIN_SECONDS:
            seen.add(digest)
            unique.append(p)
    return unique


def joins(source: Path, pattern: str, count: int, prefix: str, rate: int, codec: list[str], suffix: str) -> list[Path]:
    out_dir = CACHE / "whole-songs"
    out_dir.mkdir(parents=True, exist_ok=True)
    clips = sorted(source.glob(pattern))
    result = []
    for n in range(min(count, len(clips) // 8)):
        out = out_dir / f"{prefix}-{n:02d}.{suffix}"
        if not out.exists():
            group = clips[8 * n: 8 * n + 8]
            inputs = [arg for clip in group for arg in ("-i", str(clip))]
            chain = "".join(f"[{i}:a]aformat=sample_rates={rate}:channel_layouts=stereo[a{i}];" for i in range(8))
            chain += "".join(f"[a{i}]" for i in range(8)) + "concat=n=8:v=0:a=1"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *inputs, "-filter_complex", chain, "-t", "240",
                            *codec, str(out)], check=True)
        result.append(out)
    return result


def clip_joins(count: int) -> list[Path]:
    return joins(CLIPS, "*.mp3", count, "join", 44100, ["-c:a", "libmp3lame", "-b:a", "192k"], "mp3")


def emotify_joins(count: int) -> list[Path]:
    return joins(EMOTIFY, "*.opus", count, "emotify-join", 48000, ["-c:a", "libopus", "-b:a", "96k"], "opus")


def analyse(files: list[Path], model: str, front_end: str | None, vibectl: Path) -> dict[str, dict[str, str]]:
    command = [str(vibectl), "analyze", "-j", "1", "-q", "-f", "csv", "--features", "--model", model,
               *(["--front-end", front_end] if front_end else []), *map(str, files)]
    print(f"agreement: {model} on front end {front_end or '(its sidecar)'} ({len(files)} files)", file=sys.stderr)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {row["path"]: row for row in csv.DictReader(io.StringIO(out))}


def teacher_rows(files: list[Path], vibectl: Path) -> dict[str, dict[str, str]]:
    """The teacher's analysis (the dear part), kept per teacher sha256 and extended as files are added."""
    digest = hashlib.sha256(TEACHER.read_bytes()).hexdigest()[:16]
    cache = CACHE / "whole-songs" / f"teacher-{digest}.csv"
    rows = {}
    if cache.exists():
        with cache.open() as f:
            rows = {row["path"]: row for row in csv.DictReader(f)}
    missing = [f for f in files if str(f) not in rows]
    if missing:
        rows.update(analyse(missing, str(TEACHER), "vibenet", vibectl))
        with cache.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(next(iter(rows.values())).keys()))
            writer.writeheader()
            writer.writerows(rows.values())
    return rows


def matrix(rows: dict[str, dict[str, str]], files: list[Path], columns) -> np.ndarray:
    return np.array([[float(rows[str(f)][c]) for c in columns] for f in files])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=24, help="8-clip joins of the corpus clips (default 24)")
    parser.add_argument("--emotify-joins", type=int, default=37, help="8-excerpt joins of Emotify (default 37, all)")
    parser.add_argument("--front-end", action="append", dest="front_ends",
                        help="student front end to compare (vibenet, excerpts, COUNTxSECONDS[:MODE]); repeatable")
    parser.add_argument("--vibectl", type=Path, default=VIBECTL, help="the vibectl to run (default build/daemon/vibectl)")
    parser.add_argument("--teacher-only", action="store_true", help="only analyse (and cache) the teacher")
    args = parser.parse_args()
    front_ends = args.front_ends or ["excerpts"]
    games, clip_set, emotify_set = game_tracks(), clip_joins(args.joins), emotify_joins(args.emotify_joins)
    files = games + clip_set + emotify_set
    if not files:
        sys.exit("agreement: no whole songs (run model/build_corpus.py, check ../shared/corpus)")
    teacher = teacher_rows(files, args.vibectl)
    if args.teacher_only:
        return 0
    whole = analyse(files, "student", None, args.vibectl)
    files = [f for f in files if str(f) in teacher and str(f) in whole]
    print(f"whole songs: {len(files)} ({len(games)} game tracks, {len(clip_set)} clip joins, "
          f"{len(emotify_set)} Emotify joins)")
    t = matrix(teacher, files, ATTRIBUTES)
    w = matrix(whole, files, ATTRIBUTES)
    reports = {"as shipped (every sample)": agreement(w, t)}
    against_whole = {}
    features = {}
    for spec in front_ends:
        rows = analyse(files, "student", spec, args.vibectl)
        reports[spec] = agreement(matrix(rows, files, ATTRIBUTES), t)
        against_whole[spec] = agreement(matrix(rows, files, ATTRIBUTES), w)
        features[spec] = rows
    print_table("CCC against the teacher, every sample", reports)
    print_table("CCC against the same student on every sample", against_whole)
    print("\nmusical features of the excerpts against the same student's whole-track values:")
    for spec, rows in features.items():
        print_features(spec, rows, whole, files)
    return 0


def print_table(title: str, reports: dict[str, dict[str, dict[str, float]]]) -> None:
    names = list(reports)
    print(f"\n{title}:\n\n| attribute | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for a in ATTRIBUTES:
        print(f"| {a} | " + " | ".join(f"{reports[n][a]['ccc']:.3f}" for n in names) + " |")
    print("| lowest | " + " | ".join(f"{min(reports[n][a]['ccc'] for a in ATTRIBUTES):.3f}" for n in names) + " |")
    print("| mean | " + " | ".join(f"{np.mean([reports[n][a]['ccc'] for a in ATTRIBUTES]):.3f}" for n in names) + " |")


def print_features(spec: str, rows, whole, files: list[Path]) -> None:
    def column(table, name):
        return np.array([float(table[str(f)][name]) for f in files])
    loud = column(rows, "loudness") - column(whole, "loudness")
    lra = column(rows, "loudness_range") - column(whole, "loudness_range")
    bpm_same = np.mean(np.abs(column(rows, "bpm") - column(whole, "bpm")) <= 1.0)
    key_same = np.mean([rows[str(f)]["key"] == whole[str(f)]["key"] and rows[str(f)]["mode"] == whole[str(f)]["mode"]
                        for f in files])
    print(f"- {spec}: loudness difference mean {np.mean(loud):+.2f} LU, mean |{np.mean(np.abs(loud)):.2f}| LU, "
          f"max |{np.max(np.abs(loud)):.2f}| LU; loudness range mean |{np.mean(np.abs(lra)):.2f}| LU, "
          f"max {np.max(np.abs(lra)):.2f}; same tempo (±1 BPM) {bpm_same:.0%}; same key and mode {key_same:.0%}")


if __name__ == "__main__":
    sys.exit(main())
