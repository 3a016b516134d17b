#!/usr/bin/env python3
"""Build the student model's training corpus: 30-second audio 'tracks' plus a manifest.

One command, reproducible and cached (re-running only does what is missing):

    python3 model/build_corpus.py [--clips DIR] [--cache model/cache] [--jobs 2]

Sources
  * Debian game-music packages pinned in model/corpus_packages.txt (apt-get download, dpkg-deb -x;
    .pk3 archives are zip files and are unpacked too). Long tracks are cut into 30 s pieces.
  * The 400 real 30 s music clips (default ../shared/corpus/music-clips relative to the repo).
  * Speech synthesised with espeak-ng (many voices, speeds, pitches, texts from the licence files
    in /usr/share/common-licenses).
Derived items (so the teacher's whole output range is covered): augmented music (gain, EQ, tempo,
pitch, reverb), two pieces of music mixed, speech over music at levels from barely audible to
dominant, and music under crowd-like noise and reverb (a 'live' feel).

Splits are assigned per SOURCE (sha1 of a stable source key), and derived items only combine
sources of one split, so no piece of one song is in two splits.

Output: <cache>/corpus/items/*.wav (16 kHz mono, 16-bit) and <cache>/corpus/manifest.tsv with
columns id, path, split, kind, sources. The real clips are listed with their original MP3 path
so the most realistic items go through the MP3 decoder exactly as a user's library would.
Needs: apt-get, dpkg-deb, ffmpeg, sox, espeak-ng, numpy.
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import re
import subprocess
import sys
import wave
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
CLIP_SECONDS = 30.0
CLIP_SAMPLES = int(SAMPLE_RATE * CLIP_SECONDS)
MIN_SOURCE_SECONDS = 20.0          # shorter game files are jingles or sound effects
MAX_PIECES_PER_TRACK = 4           # keeps one long track from dominating the corpus
AUDIO_SUFFIXES = {".ogg", ".oga", ".opus", ".mp3", ".wav", ".flac", ".xm", ".mod", ".it", ".s3m"}
STEM_NAMES = {"song", "guitar", "rhythm", "drums", "vocals"}   # fretsonfire multi-track songs

# How many derived items of each kind; with the 400 clips and ~1200 game pieces this keeps
# teacher labelling and training within about two hours on a busy two-core machine.
COUNTS = {
    "real_aug_per_clip": 1,
    "game_aug": 100,
    "speech": 300,
    "speech_music": 400,
    "music_mix": 100,
    "live": 100,
}

REPO = Path(__file__).resolve().parent.parent


def stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")


def split_of(source_key: str) -> str:
    bucket = stable_int("split:" + source_key) % 100
    return "train" if bucket < 80 else "val" if bucket < 90 else "test"


def rng_for(item_id: str) -> np.random.Generator:
    return np.random.default_rng(stable_int("rng:" + item_id))


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, **kwargs)
    if result.returncode != 0:
        err = result.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"{cmd[0]} failed: {err[-1] if err else 'no message'} ({' '.join(cmd[:8])})")
    return result


# ---------------------------------------------------------------- audio helpers

def decode(path: Path, start: float = 0.0, seconds: float | None = None) -> np.ndarray:
    """Any audio file -> 16 kHz mono float32, via ffmpeg."""
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-ss", f"{start:.3f}"]
    if seconds is not None:
        cmd += ["-t", f"{seconds:.3f}"]
    cmd += ["-i", str(path), "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    return np.frombuffer(run(cmd).stdout, dtype=np.float32).copy()


def duration_of(path: Path) -> float:
    """Length in seconds; 0 for files ffmpeg cannot read (a few packaged files are broken)."""
    result = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                             str(path)], capture_output=True)
    try:
        return float(result.stdout.decode().strip())
    except ValueError:
        return 0.0


def sox_effects(samples: np.ndarray, effects: list[str]) -> np.ndarray:
    raw = ["-t", "raw", "-r", str(SAMPLE_RATE), "-e", "floating-point", "-b", "32", "-c", "1"]
    out = run(["sox", "-V1", *raw, "-", *raw, "-", *effects], input=samples.astype(np.float32).tobytes())
    return np.frombuffer(out.stdout, dtype=np.float32).copy()


def fit_length(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Exactly CLIP_SAMPLES: random excerpt if longer, looped if shorter."""
    if len(samples) == 0:
        raise RuntimeError("empty audio")
    if len(samples) >= CLIP_SAMPLES:
        start = int(rng.integers(0, len(samples) - CLIP_SAMPLES + 1))
        return samples[start:start + CLIP_SAMPLES]
    reps = int(np.ceil(CLIP_SAMPLES / len(samples)))
    return np.tile(samples, reps)[:CLIP_SAMPLES]


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)) + 1e-12))


def mix(base: np.ndarray, other: np.ndarray, other_db: float) -> np.ndarray:
    """Mix `other` into `base` at `other_db` relative to base's RMS level."""
    scale = rms(base) / rms(other) * 10 ** (other_db / 20)
    return base + scale * other


def write_wav(path: Path, samples: np.ndarray, rng: np.random.Generator) -> None:
    """Set a random playback level (peak between -12 and -0.5 dBFS) and write 16-bit PCM."""
    peak = float(np.max(np.abs(samples))) or 1.0
    target_peak = 10 ** (rng.uniform(-12.0, -0.5) / 20)
    pcm = np.clip(samples / peak * target_peak, -1.0, 1.0)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((pcm * 32767).astype("<i2").tobytes())
    tmp.rename(path)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as src:
        return np.frombuffer(src.readframes(src.getnframes()), dtype="<i2").astype(np.float32) / 32768


# ---------------------------------------------------------------- augmentation

def random_augment(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random chain of tempo/pitch change, EQ and reverb (each applied with some probability)."""
    effects: list[str] = []
    if rng.random() < 0.5:
        effects += ["tempo", "-m", f"{rng.uniform(0.85, 1.18):.3f}"]
    if rng.random() < 0.4:
        effects += ["pitch", f"{rng.uniform(-300, 300):.0f}"]
    if rng.random() < 0.6:
        effects += ["equalizer", f"{rng.uniform(80, 6000):.0f}", f"{rng.uniform(0.5, 2.0):.2f}q",
                    f"{rng.uniform(-12, 12):.1f}"]
    if rng.random() < 0.3:
        effects += ["bass", f"{rng.uniform(-10, 10):.1f}"]
    if rng.random() < 0.3:
        effects += ["treble", f"{rng.uniform(-12, 8):.1f}"]
    if rng.random() < 0.3:
        effects += ["reverb", f"{rng.uniform(20, 90):.0f}"]
    if not effects:
        effects = ["gain", f"{rng.uniform(-6, 0):.1f}"]
    return sox_effects(samples, effects)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.maximum(np.fft.rfftfreq(n), 1.0 / n)
    return np.fft.irfft(spectrum / np.sqrt(freqs), n).astype(np.float32)


# ---------------------------------------------------------------- speech

def speech_texts() -> list[str]:
    """Sentences from the licence texts every Debian system has: plenty of varied prose."""
    text = " ".join(p.read_text(errors="ignore") for p in sorted(Path("/usr/share/common-licenses").iterdir())
                    if p.is_file())
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text))]
    return [s for s in sentences if 30 <= len(s) <= 300 and not re.search(r"[<>{}|_=]", s)]


SPEECH_VOICES = ["en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "de", "fr",
                 "es", "it", "nl", "pt", "pl", "sv", "hi", "ru"]
SPEECH_VARIANTS = ["", "+m1", "+m3", "+m5", "+m7", "+f1", "+f2", "+f3", "+f4", "+f5", "+croak", "+whisper"]


def synth_speech(item_id: str, sentences: list[str], seconds: float = CLIP_SECONDS) -> np.ndarray:
    """espeak-ng reading random sentences with one random voice until `seconds` are filled."""
    rng = rng_for("speech:" + item_id)
    voice = SPEECH_VOICES[rng.integers(len(SPEECH_VOICES))] + SPEECH_VARIANTS[rng.integers(len(SPEECH_VARIANTS))]
    speed, pitch = int(rng.integers(110, 240)), int(rng.integers(20, 80))
    gap = float(rng.uniform(0.0, 0.8))
    pieces: list[np.ndarray] = []
    total = 0
    while total < seconds * SAMPLE_RATE:
        sentence = sentences[rng.integers(len(sentences))]
        wav = run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", sentence]).stdout
        audio = decode_wav_bytes(wav)
        pieces += [audio, np.zeros(int(gap * SAMPLE_RATE), np.float32)]
        total += len(audio) + int(gap * SAMPLE_RATE)
    return np.concatenate(pieces)[:int(seconds * SAMPLE_RATE)]


def decode_wav_bytes(data: bytes) -> np.ndarray:
    """espeak-ng writes a streaming WAV (sizes unset); resample its 22050 Hz output with sox."""
    out = run(["sox", "-V1", "-t", "wav", "-", "-t", "raw", "-r", str(SAMPLE_RATE), "-e", "floating-point",
               "-b", "32", "-c", "1", "-"], input=data).stdout
    return np.frombuffer(out, dtype=np.float32).copy()


# ---------------------------------------------------------------- corpus plan

@dataclass
class Item:
    id: str
    kind: str
    split: str
    sources: list[str]                         # source keys (for the manifest and the split)
    inputs: list[Path] = field(default_factory=list)   # files this item is made from
    path: Path | None = None                   # set for items used as-is (the real clips)
    start: float = 0.0                         # offset into the source (game pieces)


def fetch_packages(cache: Path) -> list[Path]:
    """apt-get download the pinned packages and unpack them; returns the unpack roots."""
    debs, unpacked = cache / "debs", cache / "unpacked"
    debs.mkdir(parents=True, exist_ok=True)
    roots = []
    for line in (REPO / "model" / "corpus_packages.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, version = line.split("=", 1)
        deb = next(debs.glob(f"{name}_*.deb"), None)
        if deb is None:
            print(f"corpus: downloading {line}", file=sys.stderr)
            run(["apt-get", "download", line], cwd=debs)
            deb = next(debs.glob(f"{name}_*.deb"))
        root = unpacked / name
        if not root.exists():
            tmp = unpacked / (name + ".tmp")
            tmp.mkdir(parents=True, exist_ok=True)
            run(["dpkg-deb", "-x", str(deb), str(tmp)])
            for pk3 in tmp.rglob("*.pk3"):            # Quake-style archives are plain zip files
                zipfile.ZipFile(pk3).extractall(pk3.with_suffix(".pk3.d"))
            tmp.rename(root)
        roots.append(root)
    return roots


def game_source_key(path: Path, unpacked: Path) -> str:
    rel = path.relative_to(unpacked)
    # Stems of one multi-track song share the song's folder as their source.
    return str(rel.parent if path.stem.lower() in STEM_NAMES else rel)


def plan_game_pieces(roots: list[Path], cache: Path) -> list[Item]:
    unpacked = cache / "unpacked"
    durations_file = cache / "corpus" / "game_durations.tsv"
    known = {}
    if durations_file.exists():
        known = {k: float(v) for k, v in (l.split("\t") for l in durations_file.read_text().splitlines())}
    files = sorted(p for r in roots for p in r.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
    items = []
    for path in files:
        key = str(path.relative_to(unpacked))
        if key not in known:
            known[key] = duration_of(path)
        length = known[key]
        if length < MIN_SOURCE_SECONDS:
            continue
        source = game_source_key(path, unpacked)
        count = max(1, min(MAX_PIECES_PER_TRACK, int(length // CLIP_SECONDS)))
        spacing = max(length - CLIP_SECONDS, 0.0) / count
        for piece in range(count):
            start = spacing * (piece + 0.5) if length > CLIP_SECONDS else 0.0
            items.append(Item(f"game-{stable_int(key) % 10**10:010d}-{piece}", "game", split_of(source),
                              [source], [path], start=start))
    durations_file.parent.mkdir(parents=True, exist_ok=True)
    durations_file.write_text("".join(f"{k}\t{v}\n" for k, v in sorted(known.items())))
    return items


def plan(clips_dir: Path, cache: Path) -> list[Item]:
    roots = fetch_packages(cache)
    items: list[Item] = []
    real = [Item(f"real-{p.stem}", "real", split_of("clip:" + p.name), ["clip:" + p.name], [p], path=p)
            for p in sorted(clips_dir.glob("*.mp3"))]
    if not real:
        raise SystemExit(f"corpus: no MP3 clips in {clips_dir}")
    game = plan_game_pieces(roots, cache)
    speech = [Item(f"speech-{i:04d}", "speech", split_of(f"speech:{i}"), [f"speech:{i}"])
              for i in range(COUNTS["speech"])]
    items += real + game + speech

    music = real + game

    def pick(pool: list[Item], split: str, rng: np.random.Generator, exclude: Item | None = None) -> Item:
        candidates = [i for i in pool if i.split == split and i is not exclude]
        return candidates[rng.integers(len(candidates))]

    for clip in real:
        for k in range(COUNTS["real_aug_per_clip"]):
            items.append(Item(f"aug-{clip.id}-{k}", "augment", clip.split, clip.sources, [clip_input(clip)]))
    rng = rng_for("plan:game_aug")
    for k in range(COUNTS["game_aug"]):
        base = game[rng.integers(len(game))]
        items.append(Item(f"aug-{base.id}-{k}", "augment", base.split, base.sources, [clip_input(base)]))
    rng = rng_for("plan:mix")
    for k in range(COUNTS["music_mix"]):
        a = music[rng.integers(len(music))]
        b = pick(music, a.split, rng, exclude=a)
        items.append(Item(f"mix-{k:04d}", "music_mix", a.split, a.sources + b.sources,
                          [clip_input(a), clip_input(b)]))
    rng = rng_for("plan:speech_music")
    speech_paths = {s.id: clip_input(s) for s in speech}
    for k in range(COUNTS["speech_music"]):
        voice = speech[rng.integers(len(speech))]
        bed = pick(music, voice.split, rng)
        items.append(Item(f"speechmusic-{k:04d}", "speech_music", voice.split, voice.sources + bed.sources,
                          [speech_paths[voice.id], clip_input(bed)]))
    rng = rng_for("plan:live")
    for k in range(COUNTS["live"]):
        bed = music[rng.integers(len(music))]
        items.append(Item(f"live-{k:04d}", "live", bed.split, bed.sources, [clip_input(bed)]))
    return items


WORK_DIR: Path = Path()


def clip_input(item: Item) -> Path:
    """Where the 16 kHz WAV of a base item lives (base items are rendered before derived ones)."""
    return WORK_DIR / "items" / f"{item.id}.wav"


# ---------------------------------------------------------------- rendering

SENTENCES: list[str] = []


def render(item: Item) -> str | None:
    out = clip_input(item)
    if out.exists():
        return None
    rng = rng_for(item.id)
    try:
        if item.kind == "real":
            audio = decode(item.inputs[0])
        elif item.kind == "game":
            audio = decode(item.inputs[0], item.start, CLIP_SECONDS)
        elif item.kind == "speech":
            audio = synth_speech(item.id, SENTENCES)
            if rng.random() < 0.3:      # some speech with room sound or a noisy line
                audio = sox_effects(audio, ["reverb", f"{rng.uniform(20, 80):.0f}"])
            if rng.random() < 0.3:
                audio = mix(audio, pink_noise(len(audio), rng), rng.uniform(-35, -15))
        elif item.kind == "augment":
            audio = random_augment(read_wav(item.inputs[0]), rng)
        elif item.kind == "music_mix":
            a, b = read_wav(item.inputs[0]), read_wav(item.inputs[1])
            audio = mix(a, fit_length(b, rng), rng.uniform(-10, 3))
        elif item.kind == "speech_music":
            voice, bed = read_wav(item.inputs[0]), read_wav(item.inputs[1])
            if rng.random() < 0.5:
                bed = random_augment(bed, rng)
            audio = mix(fit_length(bed, rng), fit_length(voice, rng), rng.uniform(-25, 15))
        elif item.kind == "live":
            audio = render_live(item, rng)
        else:
            raise RuntimeError(f"unknown kind {item.kind}")
        write_wav(out, fit_length(audio, rng), rng)
        return None
    except Exception as err:  # report and carry on: one bad source must not stop the corpus
        return f"{item.id}: {err}"


def render_live(item: Item, rng: np.random.Generator) -> np.ndarray:
    """Music in a big room with a crowd: reverb, babble of many voices, pink-noise roar, claps."""
    music = sox_effects(read_wav(item.inputs[0]), ["reverb", f"{rng.uniform(40, 100):.0f}",
                                                   f"{rng.uniform(20, 80):.0f}", f"{rng.uniform(50, 100):.0f}"])
    music = fit_length(music, rng)
    n = len(music)
    babble = sum(fit_length(synth_speech(f"{item.id}-crowd{v}", SENTENCES, 12.0), rng)
                 for v in range(int(rng.integers(3, 7))))
    roar = pink_noise(n, rng) * (1 + 0.5 * np.sin(np.linspace(0, rng.uniform(2, 20), n)))
    claps = np.zeros(n, np.float32)
    for _ in range(int(rng.integers(0, 400))):
        at = int(rng.integers(0, n - 800))
        claps[at:at + 800] += rng.standard_normal(800).astype(np.float32) * np.exp(-np.arange(800) / 120)
    crowd = mix(babble, roar, rng.uniform(-10, 5))
    if claps.any():
        crowd = mix(crowd, claps, rng.uniform(-15, 0))
    crowd = sox_effects(crowd, ["reverb", "80"])[:n]
    return mix(music, fit_length(crowd, rng), rng.uniform(-25, -3))


def init_worker(sentences: list[str], work_dir: Path) -> None:
    global SENTENCES, WORK_DIR
    SENTENCES, WORK_DIR = sentences, work_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=REPO.parent / "shared" / "corpus" / "music-clips")
    parser.add_argument("--cache", type=Path, default=REPO / "model" / "cache")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    work = args.cache / "corpus"
    (work / "items").mkdir(parents=True, exist_ok=True)
    sentences = speech_texts()
    init_worker(sentences, work)
    items = plan(args.clips, args.cache)
    base = [i for i in items if i.kind in ("real", "game", "speech")]
    derived = [i for i in items if i not in base]
    errors: list[str] = []
    with multiprocessing.Pool(args.jobs, initializer=init_worker, initargs=(sentences, work)) as pool:
        for stage, batch in (("base", base), ("derived", derived)):
            for done, error in enumerate(pool.imap_unordered(render, batch, chunksize=4), 1):
                if error:
                    errors.append(error)
                    print(f"corpus: skipped {error}", file=sys.stderr)
                if done % 200 == 0 or done == len(batch):
                    print(f"corpus: {stage} {done}/{len(batch)}", file=sys.stderr)

    rows = ["id\tpath\tsplit\tkind\tsources"]
    for item in items:
        rendered = clip_input(item)
        if rendered.exists():
            path = item.path or rendered
            rows.append(f"{item.id}\t{path}\t{item.split}\t{item.kind}\t{','.join(item.sources)}")
    (work / "manifest.tsv").write_text("\n".join(rows) + "\n")
    counts = {s: sum(1 for r in rows[1:] if r.split("\t")[2] == s) for s in ("train", "val", "test")}
    print(f"corpus: {len(rows) - 1} items {counts}, {len(errors)} skipped -> {work / 'manifest.tsv'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
