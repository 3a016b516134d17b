#!/usr/bin/python3
# Imports MusiCNN-MSD from the musicnn 0.1.0 wheel. musicnn is ISC-licenced: Copyright (c) Music
# Technology Group, Universitat Pompeu Fabra 2019. Code developed by Jordi Pons
# (www.jordipons.me). Permission to use, copy, modify, and/or distribute this software for any
# purpose with or without fee is hereby granted, provided that the above copyright notice and this
# permission notice appear in all copies. THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS
# ALL WARRANTIES WITH REGARD TO THIS SOFTWARE (full notice: docs/model-musicnn.md).
"""Imports MusiCNN-MSD (musicnn's TensorFlow checkpoint) as TorchScript for Debian's libtorch.

    model/import_musicnn.py [--output PATH] [--clips N] [--record]
    model/import_musicnn.py --check [--clips N]     # parity only: the existing export vs TensorFlow

Builds or reuses the throw-away musicnn venv (scripts/musicnn-venv.sh: pinned tensorflow and
tf-keras, TF_USE_LEGACY_KERAS=1), where model/musicnn_tf.py restores the MSD_musicnn checkpoint
from the sha256-checked wheel, dumps its variables and runs the original graph on real clips.
Then, here under Debian's python3-torch 1.13, rebuilds the network (model/musicnn_network.py),
copies the weights, checks its outputs against TensorFlow's, scripts it, loads the saved file
back, checks it again (also frozen and optimised for inference, as vibed's loader prepares
models) and writes model/generated/musicnn.pt.

Contract of the exported module: forward(mel) with mel float32 (batch, 96, frames) mel power as
musicnn computes it (16 kHz, FFT 512, hop 256, 96 Slaney bands, power 2; 187 frames = one 3-s
patch), returns (tag probabilities (batch, 50) in MSD_LABELS order, penultimate layer
(batch, 200)). The log compression is inside, in float32.

Idempotent: if the output already matches the sha256 recorded beside it after a verified export,
nothing is done. --record writes the exported file's sha256 into model/musicnn.lock.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference_env  # noqa: E402  (needs the path above)
from reference_env import MUSICNN, REPO_ROOT, sha256_of  # noqa: E402

DEFAULT_OUTPUT = REPO_ROOT / "model" / "generated" / "musicnn.pt"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "music-clips"
# Limits on the largest absolute difference from TensorFlow, per output, on every patch checked.
MAX_PROBABILITY_DIFF = 1e-4
MAX_PENULTIMATE_DIFF = 1e-3
DEFAULT_CLIPS = 6


def main() -> int:
    arguments = parse_arguments()
    reference_env.reexecute_with_fixed_hash_seed()
    output: Path = arguments.output.resolve()
    lock = MUSICNN.read_lock()
    if arguments.check:
        return check_existing_export(output, lock, arguments.clips)
    if reference_env.is_verified_export(output, "wheel_sha256", lock["MUSICNN_WHEEL_SHA256"]):
        exported_sha = sha256_of(output)
        print(f"import_musicnn: {output} is up to date\n  sha256 {exported_sha}")
    else:
        venv = MUSICNN.build_venv()
        with tempfile.TemporaryDirectory(prefix="import_musicnn.") as scratch:
            reference = run_tensorflow(venv, lock, Path(scratch), pick_clips(arguments.clips))
            exported, report = export_verified_torchscript(reference, lock)
        exported_sha = reference_env.write_verified_export(
            output, exported, {"wheel_sha256": lock["MUSICNN_WHEEL_SHA256"], "checks": report})
        print(f"import_musicnn: wrote {output}\n  sha256 {exported_sha}")
    MUSICNN.report_against_lock(exported_sha, lock, arguments.record,
                                network_file="model/musicnn_network.py", what_was_verified="outputs")
    return 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"where to write the TorchScript file (default {DEFAULT_OUTPUT})")
    parser.add_argument("--clips", type=int, default=DEFAULT_CLIPS,
                        help=f"real clips to check against TensorFlow (default {DEFAULT_CLIPS})")
    parser.add_argument("--check", action="store_true",
                        help="only compare the existing export with TensorFlow on --clips real clips")
    parser.add_argument("--record", action="store_true",
                        help="record the exported file's sha256 in model/musicnn.lock")
    return parser.parse_args()


def check_existing_export(output: Path, lock: dict[str, str], clips: int) -> int:
    """The parity check: the saved export (plain and as vibed's loader prepares it) against
    TensorFlow on real clips, with the import's limits. Exits non-zero on a difference."""
    import torch

    if not output.is_file():
        raise SystemExit(f"import_musicnn: {output} does not exist: run model/import_musicnn.py first")
    with tempfile.TemporaryDirectory(prefix="import_musicnn.") as scratch:
        reference = run_tensorflow(MUSICNN.build_venv(), lock, Path(scratch), pick_clips(clips))
    saved = torch.jit.load(str(output)).eval()
    compare(f"{output.name} as saved", saved, reference)
    compare(f"{output.name} frozen, optimize_for_inference",
            torch.jit.optimize_for_inference(torch.jit.freeze(saved)), reference)
    return 0


def pick_clips(count: int) -> list[Path]:
    """`count` clips spread evenly over the sorted corpus (VIBED_CORPUS overrides the folder)."""
    corpus = Path(os.environ.get("VIBED_CORPUS", DEFAULT_CORPUS))
    clips = sorted(corpus.glob("*.mp3"))
    if not clips:
        raise SystemExit(f"import_musicnn: no *.mp3 clips in {corpus}: the check against TensorFlow "
                         "needs real music (set VIBED_CORPUS)")
    step = max(1, len(clips) // max(1, count))
    return clips[::step][:count]


def run_tensorflow(venv: Path, lock: dict[str, str], scratch: Path, clips: list[Path]) -> dict:
    """The checkpoint's variables and TensorFlow's outputs on `clips` (model/musicnn_tf.py)."""
    wheel = venv / "wheel" / lock["MUSICNN_WHEEL"]
    actual = sha256_of(wheel.read_bytes())
    if actual != lock["MUSICNN_WHEEL_SHA256"]:
        raise SystemExit(f"import_musicnn: {wheel} has sha256 {actual}, model/musicnn.lock expects "
                         f"{lock['MUSICNN_WHEEL_SHA256']}")
    prefix = f"musicnn/{lock['MUSICNN_MODEL']}/"
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.startswith(prefix):
                archive.extract(member, scratch)
    dump = scratch / "tensorflow.npz"
    environment = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2",
                       CUDA_VISIBLE_DEVICES="")
    subprocess.run([str(venv / "bin" / "python"), str(REPO_ROOT / "model" / "musicnn_tf.py"),
                    # the checkpoint's files are ".index", ".data-...": the prefix is the folder + "/"
                    str(scratch / prefix) + "/", str(dump), *map(str, clips)], check=True, env=environment)
    import numpy as np
    with np.load(dump) as arrays:
        reference = {key: arrays[key] for key in arrays.files}
    reference["clip_names"] = [clip.name for clip in clips]
    return reference


# TensorFlow layer name -> module of model/musicnn_network.py, in the order musicnn's graph makes them.
LAYER_NAMES = {
    "batch_normalization": "input_norm",
    "conv2d": "timbral_74.conv", "batch_normalization_1": "timbral_74.norm",
    "conv2d_1": "timbral_77.conv", "batch_normalization_2": "timbral_77.norm",
    "conv2d_2": "temporal_128.conv", "batch_normalization_3": "temporal_128.norm",
    "conv2d_3": "temporal_64.conv", "batch_normalization_4": "temporal_64.norm",
    "conv2d_4": "temporal_32.conv", "batch_normalization_5": "temporal_32.norm",
    "conv2d_5": "midend.0.conv", "batch_normalization_6": "midend.0.norm",
    "conv2d_6": "midend.1.conv", "batch_normalization_7": "midend.1.norm",
    "conv2d_7": "midend.2.conv", "batch_normalization_8": "midend.2.norm",
    "batch_normalization_9": "pool_norm",
    "dense": "dense", "batch_normalization_10": "dense_norm",
    "dense_1": "output",
}
PARAMETER_NAMES = {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean",
                   "moving_variance": "running_var", "kernel": "weight", "bias": "bias"}


def torch_state_from_tensorflow(reference: dict, network) -> dict:
    """Maps every TensorFlow variable onto the network's state, transposing kernels to PyTorch's
    layouts; exits if a variable is left over, a parameter is missing or a shape differs."""
    import numpy as np
    import torch

    expected = {name: tuple(value.shape) for name, value in network.state_dict().items()
                if not name.endswith("num_batches_tracked")}
    state = {}
    for key in (k for k in reference if isinstance(k, str) and k.startswith("var:")):
        layer, _, parameter = key[len("var:"):].removesuffix(":0").rpartition("/")
        if layer not in LAYER_NAMES or parameter not in PARAMETER_NAMES:
            raise SystemExit(f"import_musicnn: unexpected TensorFlow variable {key[4:]}")
        name = f"{LAYER_NAMES[layer]}.{PARAMETER_NAMES[parameter]}"
        value = reference[key]
        if parameter == "kernel" and value.ndim == 4 and name.startswith("midend"):
            value = value[:, :, 0, :].transpose(2, 1, 0)          # (7, F, 1, out) -> (out, F, 7)
        elif parameter == "kernel" and value.ndim == 4:
            value = value.transpose(3, 2, 0, 1)                   # (kh, kw, in, out) -> (out, in, kh, kw)
        elif parameter == "kernel":
            value = value.T                                       # (in, out) -> (out, in)
        if name not in expected or tuple(value.shape) != expected[name]:
            raise SystemExit(f"import_musicnn: {key[4:]} {value.shape} does not fit {name} "
                             f"{expected.get(name)}")
        state[name] = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))
    missing = sorted(set(expected) - set(state))
    if missing:
        raise SystemExit(f"import_musicnn: the checkpoint lacks {missing}")
    return state


def patches_of(mel):
    """musicnn's batching: consecutive 187-frame patches of the (96, frames) mel, no overlap."""
    import numpy as np
    from musicnn_network import PATCH_FRAMES

    starts = range(0, mel.shape[1] - PATCH_FRAMES + 1, PATCH_FRAMES)
    return np.stack([mel[:, s:s + PATCH_FRAMES] for s in starts])


def compare(what: str, model, reference: dict) -> dict:
    """Max abs differences of the model's outputs from TensorFlow's over every patch of every clip;
    exits if one exceeds its limit."""
    import numpy as np
    import torch

    worst = {"probabilities": 0.0, "penultimate": 0.0}
    with torch.inference_mode():
        for index, clip in enumerate(reference["clip_names"]):
            probabilities, penultimate = model(torch.from_numpy(patches_of(reference[f"mel:{index}"])))
            for name, ours in (("probabilities", probabilities), ("penultimate", penultimate)):
                difference = float(np.abs(ours.numpy() - reference[f"{name}:{index}"]).max())
                worst[name] = max(worst[name], difference)
    patches = sum(len(reference[f"probabilities:{i}"]) for i in range(len(reference["clip_names"])))
    print(f"import_musicnn: {what}: {patches} patches of {len(reference['clip_names'])} clips, max abs diff "
          f"probabilities {worst['probabilities']:.2e}, penultimate {worst['penultimate']:.2e}")
    if worst["probabilities"] > MAX_PROBABILITY_DIFF or worst["penultimate"] > MAX_PENULTIMATE_DIFF:
        raise SystemExit(f"import_musicnn: {what} differs from TensorFlow beyond the limits "
                         f"({MAX_PROBABILITY_DIFF}, {MAX_PENULTIMATE_DIFF})")
    return {k: float(f"{v:.3g}") for k, v in worst.items()}


def check_batching(model, reference: dict) -> None:
    """Each patch of a batch must get the result it gets alone (batch norm in inference mode)."""
    import numpy as np
    import torch

    batch = torch.from_numpy(patches_of(reference["mel:0"]))
    with torch.inference_mode():
        together = model(batch)[1].numpy()
        alone = np.concatenate([model(batch[k:k + 1])[1].numpy() for k in range(len(batch))])
    difference = float(np.abs(together - alone).max())
    if difference > MAX_PENULTIMATE_DIFF:
        raise SystemExit(f"import_musicnn: batched outputs differ from single ones by {difference:.3g}")


def export_verified_torchscript(reference: dict, lock: dict[str, str]) -> tuple[bytes, dict]:
    """Rebuilds, verifies, scripts, reloads and re-verifies the model; returns the .pt bytes and
    the measured differences."""
    import torch

    from musicnn_network import MusiCNN

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    network = MusiCNN().eval()
    network.load_state_dict(torch_state_from_tensorflow(reference, network), strict=False)
    report = {"clips": reference["clip_names"],
              "float16_overflow_values": {name: int(reference[f"float16_overflow:{i}"])
                                          for i, name in enumerate(reference["clip_names"])},
              "pytorch": compare("PyTorch rebuild", network, reference)}
    check_batching(network, reference)
    from import_vibenet import source_paths_relative_to_repository

    with source_paths_relative_to_repository():
        scripted = torch.jit.script(network)
    buffer = io.BytesIO()
    torch.jit.save(scripted, buffer,
                   _extra_files={"musicnn.json": json.dumps(metadata(lock), sort_keys=True, indent=1)})
    exported = buffer.getvalue()
    reloaded = torch.jit.load(io.BytesIO(exported)).eval()
    report["torchscript"] = compare("exported TorchScript, reloaded", reloaded, reference)
    optimized = torch.jit.optimize_for_inference(torch.jit.freeze(reloaded))
    report["optimized"] = compare("reloaded, frozen, optimize_for_inference", optimized, reference)
    return exported, report


def metadata(lock: dict[str, str]) -> dict:
    from musicnn_network import MSD_LABELS, N_MELS, PATCH_FRAMES

    return {
        "labels": MSD_LABELS,
        "input": {"layout": "batch, mels, frames", "mels": N_MELS, "patch_frames": PATCH_FRAMES,
                  "units": "mel power (librosa melspectrogram: 16 kHz, n_fft 512, hop 256, Slaney, power 2)",
                  "sample_rate": 16000},
        "output": "(tag probabilities (batch, 50), penultimate layer (batch, 200))",
        "source": {"package": f"musicnn=={lock['MUSICNN_VERSION']}", "model": lock["MUSICNN_MODEL"],
                   "wheel_sha256": lock["MUSICNN_WHEEL_SHA256"]},
        "licence": "ISC, Copyright (c) Music Technology Group, Universitat Pompeu Fabra 2019 "
                   "(Jordi Pons); see docs/model-musicnn.md",
    }


if __name__ == "__main__":
    sys.exit(main())
