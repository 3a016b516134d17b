#!/usr/bin/python3
"""Writes the golden files that pin vibed's front end and model to VibeNet's own Python code.

    tests/golden/make_mel_golden.py [OUTDIR]     (default: the folder of this script)

Runs inside the VibeNet venv (re-executes itself there through model/reference_env.py). For each
case a deterministic synthetic 16 kHz mono signal goes through vibenet.core.extract_mel:

    mel_<case>.in.f32    input samples, float32 little-endian
    mel_<case>.out.f32   VibeNet's log-mel dB, float32 little-endian, shape (128, frames) row-major
    mel_<case>.json      {"samples": N, "mels": 128, "frames": T, ...}

and for the cases long enough to be music, VibeNet's ONNX model through onnxruntime:

    model_<case>.json    {"input": "mel_<case>.in.f32", "logits": [...], "attributes": {...}}

Only synthetic signals: corpus audio must never be committed. Re-running reproduces the files
byte for byte.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "model"))
import reference_env  # noqa: E402  (needs the path above)

SAMPLE_RATE = 16000


def music_like(seconds: float):
    """A rising chirp, a chord with a slow tremolo, a pulsed kick-like low tone and seeded noise."""
    import numpy as np

    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    chirp = 0.2 * np.sin(2 * np.pi * (100 * t + (6000 - 100) / (2 * seconds) * t**2))
    tremolo = 0.75 + 0.25 * np.sin(2 * np.pi * 3 * t)
    chord = tremolo * sum(0.1 * np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63, 440.0))
    beat_phase = (t * 2.0) % 1.0  # 120 beats per minute
    kick = 0.5 * np.exp(-beat_phase * 12) * np.sin(2 * np.pi * 55 * t)
    noise = 0.02 * np.random.default_rng(2024).standard_normal(t.size)
    return (chirp + chord + kick + noise).astype(np.float32)


def silence_and_burst():
    """Digital silence, a tone 60 dB down, a near-full-scale noise burst, silence again, and a
    length that is not a whole number of hops: exercises the 80 dB clamp below the maximum and the
    dropped partial frame at the end."""
    import numpy as np

    generator = np.random.default_rng(7)
    quiet_tone = 0.001 * np.sin(2 * np.pi * 1000 * np.arange(8000) / SAMPLE_RATE)
    burst = 0.9 * np.clip(generator.standard_normal(4800) / 3, -1, 1)
    parts = (np.zeros(8000), quiet_tone, burst, np.zeros(3521))
    return np.concatenate(parts).astype(np.float32)


def shorter_than_window():
    """500 samples: VibeNet zero-pads anything shorter than one 640-sample window to one frame."""
    import numpy as np

    t = np.arange(500) / SAMPLE_RATE
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def digital_silence():
    """All zeros: every value sits on the 1e-10 power floor (-100 dB), nothing is clamped."""
    import numpy as np

    return np.zeros(4000, dtype=np.float32)


# name -> (signal maker, description, whether a model golden is written)
CASES = {
    "music_like_4s": (lambda: music_like(4.0),
                      "4 s chirp 100-6000 Hz + A-major chord with tremolo + 120 bpm low pulse "
                      "+ seeded noise", True),
    "silence_burst": (silence_and_burst,
                      "0.5 s silence, 0.5 s 1 kHz tone at -60 dBFS, 0.3 s noise burst near full "
                      "scale, 3521 samples of silence", True),
    "digital_silence": (digital_silence, "0.25 s of zeros", False),
    "short_500": (shorter_than_window, "500 samples of a 440 Hz sine, shorter than one window",
                  False),
}


def main() -> int:
    reference_env.VIBENET.run_inside_venv()
    import numpy as np
    import vibenet
    from vibenet.core import extract_mel

    output_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    output_dir.mkdir(parents=True, exist_ok=True)
    model = vibenet.load_model()
    generator_note = f"tests/golden/make_mel_golden.py, vibenet {reference_env.VIBENET.read_lock()['VIBENET_VERSION']}"

    for name, (make_signal, description, with_model) in CASES.items():
        samples = make_signal()
        mel = extract_mel(samples, SAMPLE_RATE)
        samples.astype("<f4").tofile(output_dir / f"mel_{name}.in.f32")
        np.ascontiguousarray(mel, dtype="<f4").tofile(output_dir / f"mel_{name}.out.f32")
        write_json(output_dir / f"mel_{name}.json", {
            "description": description, "generator": generator_note, "sample_rate": SAMPLE_RATE,
            "samples": int(samples.size), "mels": int(mel.shape[0]), "frames": int(mel.shape[1])})
        print(f"make_mel_golden: {name}: {samples.size} samples -> {mel.shape[0]}x{mel.shape[1]} mel")
        if with_model:
            write_json(output_dir / f"model_{name}.json",
                       model_golden(model, name, samples, mel, description, generator_note))
    return 0


def model_golden(model, name, samples, mel, description, generator_note) -> dict:
    """VibeNet's logits (its ONNX session on the mel above) and attributes (its public predict())."""
    import numpy as np
    import vibenet

    logits = model.ort_sess.run(None, {"x": mel[np.newaxis]})[0][0]
    attributes = model.predict([samples], SAMPLE_RATE)[0].to_dict()
    return {"description": description, "generator": generator_note,
            "input": f"mel_{name}.in.f32", "sample_rate": SAMPLE_RATE,
            "labels": vibenet.labels, "logits": [float(v) for v in logits],
            "attributes": attributes}


def write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
