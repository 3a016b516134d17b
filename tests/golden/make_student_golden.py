#!/usr/bin/python3
"""Records the bundled student's logits on the golden log-mel inputs.

    tests/golden/make_student_golden.py

Runs model/student.pt with Debian's torch on VibeNet's own log-mel of each
tests/golden/mel_<case> signal (mel_<case>.out.f32, written by
make_mel_golden.py) and writes tests/golden/student_<case>.json. The C++ test
(tests/core/model_golden_test.cpp) recomputes the log-mel from the samples and
must land on the same logits, so a change to the front end or to the model
file shows up. It also writes tests/golden/embedding_<case>.json: the 512-number
embedding of the model's analyse() method on the same input. Re-run it whenever
model/student.pt is retrained.
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

GOLDEN = Path(__file__).resolve().parent
MODEL = GOLDEN.parent.parent / "model" / "student.pt"
CASES = ("music_like_4s", "silence_burst")


def main() -> None:
    torch.set_num_threads(1)
    model = torch.jit.load(str(MODEL)).eval()
    digest = hashlib.sha256(MODEL.read_bytes()).hexdigest()
    for case in CASES:
        meta = json.loads((GOLDEN / f"mel_{case}.json").read_text())
        mel = np.fromfile(GOLDEN / f"mel_{case}.out.f32", dtype="<f4").reshape(128, meta["frames"])
        with torch.inference_mode():
            logits = model(torch.from_numpy(mel).unsqueeze(0))[0].tolist()
            embedding = model.analyse(torch.from_numpy(mel).unsqueeze(0))[1][0].tolist()
        record = {
            "description": f"model/student.pt on VibeNet's log-mel of mel_{case}.in.f32",
            "generator": "tests/golden/make_student_golden.py",
            "model_sha256": digest,
            "input": f"mel_{case}.in.f32",
            "sample_rate": 16000,
            "logits": logits,
        }
        (GOLDEN / f"student_{case}.json").write_text(json.dumps(record, indent=1) + "\n")
        print(f"student_{case}.json: {[round(v, 4) for v in logits]}")
        embedding_record = {
            "description": f"model/student.pt's analyse() embedding of VibeNet's log-mel of mel_{case}.in.f32",
            "generator": "tests/golden/make_student_golden.py",
            "model_sha256": digest,
            "input": f"mel_{case}.in.f32",
            "sample_rate": 16000,
            "embedding": embedding,
        }
        (GOLDEN / f"embedding_{case}.json").write_text(json.dumps(embedding_record) + "\n")


if __name__ == "__main__":
    main()
