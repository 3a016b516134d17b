#!/usr/bin/env python3
"""Makes the resampler golden files tests/golden/resample_*.

Each case is a short synthetic input WAV and the 16 kHz mono float32 signal
VibeNet's own loader makes of it:
    y, sr = soundfile.read(path); y = float32(y); y = y.mean(axis=1); soxr.resample(y, sr, 16000)
audio_resample_test.cpp checks MonoStream against these.

Re-run from the repository root (needs numpy, soundfile and soxr from PyPI):
    python3 -m pip install numpy soundfile soxr==1.1.0
    python3 tests/golden/resample_golden.py
"""
from pathlib import Path

import numpy as np
import soundfile
import soxr

GOLDEN = Path(__file__).resolve().parent
TARGET_RATE = 16000

# (name, sample rate, channels, seconds, WAV subtype)
CASES = [
    ("resample_44100_stereo", 44100, 2, 0.25, "PCM_16"),  # the common CD case, downmixed
    ("resample_48000_mono", 48000, 1, 0.25, "FLOAT"),  # float samples, no downmix
    ("resample_22050_mono", 22050, 1, 0.2, "PCM_24"),  # upsampling
]


def synthesize(rate, channels, seconds, seed):
    """A chirp, a few partials and noise: energy across the whole band, so
    filter differences would show."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    columns = []
    for channel in range(channels):
        chirp = np.sin(2 * np.pi * (200 + 0.5 * rate * 0.45 / seconds * t) * t)
        partials = sum(np.sin(2 * np.pi * f * (channel + 1) * t) / k for k, f in enumerate((110, 1234, 5555), 1))
        columns.append(0.3 * chirp + 0.15 * partials + 0.05 * rng.standard_normal(t.size))
    return np.clip(np.stack(columns, axis=1) * 0.8, -1, 1)


def vibenet_load(path):
    y, sr = soundfile.read(path)
    y = np.float32(y)
    if y.ndim == 2:
        y = y.mean(axis=1)
    return soxr.resample(y, sr, TARGET_RATE)


def main():
    for seed, (name, rate, channels, seconds, subtype) in enumerate(CASES):
        wav = GOLDEN / f"{name}.wav"
        soundfile.write(wav, synthesize(rate, channels, seconds, seed), rate, subtype=subtype)
        expected = vibenet_load(wav).astype("<f4")
        expected.tofile(GOLDEN / f"{name}.expected.f32")
        print(f"{name}: {expected.size} samples")
    print(f"soundfile {soundfile.__version__} (libsndfile {soundfile.__libsndfile_version__}), "
          f"soxr {soxr.__version__} (libsoxr {soxr.__libsoxr_version__}), numpy {np.__version__}")


if __name__ == "__main__":
    main()
