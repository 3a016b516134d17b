#!/usr/bin/python3
"""Imports VibeNet's published ONNX student as TorchScript for Debian's libtorch.

    model/import_vibenet.py [--output PATH] [--record]

Reads the ONNX file out of the pinned vibenet wheel (fetched and sha256-checked by
scripts/vibenet-venv.sh; this script re-executes itself inside that venv), rebuilds the network
in PyTorch (model/vibenet_student.py: torchvision EfficientNet-B0 backbone, LayerNorm/Linear/GELU
trunk, seven Linear heads),
copies the ONNX initializers into it, checks the logits against onnxruntime, scripts it with
Debian's torch 1.13, loads the saved file back, checks it again and writes model/generated/vibenet.pt.

Contract of the exported module: forward(x) with x float32 (batch, 128, T) log-mel dB values,
T >= 1, returns float32 (batch, 7) logits in vibenet.labels order (VibeNet's ONNX contract;
unlike the ONNX file, any batch size works).

Idempotent: if the output already matches the sha256 recorded beside it after a verified export,
nothing is done. --record writes the exported file's sha256 into model/vibenet.lock.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference_env  # noqa: E402  (needs the path above)
from reference_env import VIBENET  # noqa: E402

N_MELS = 128
MAX_ABS_LOGIT_DIFF = 1e-4
# Frame counts for the random inputs: the 1-frame minimum (VibeNet pads anything shorter than one
# window to exactly one frame), sizes around the backbone's total stride of 32, and a 30 s clip.
RANDOM_INPUT_FRAMES = (1, 2, 3, 17, 31, 32, 33, 100, 257, 1500)
REAL_CLIPS_USED = 3
DEFAULT_OUTPUT = reference_env.REPO_ROOT / "model" / "generated" / "vibenet.pt"


def main() -> int:
    arguments = parse_arguments()
    output: Path = arguments.output.resolve()
    lock = VIBENET.read_lock()
    if reference_env.is_verified_export(output, "onnx_sha256", lock["VIBENET_ONNX_SHA256"]):
        exported_sha = reference_env.sha256_of(output)
        print(f"import_vibenet: {output} is up to date\n  sha256 {exported_sha}")
    else:
        VIBENET.run_inside_venv()
        exported = export_verified_torchscript(read_onnx_from_wheel(lock), lock)
        exported_sha = reference_env.write_verified_export(
            output, exported, {"onnx_sha256": lock["VIBENET_ONNX_SHA256"]})
        print(f"import_vibenet: wrote {output}\n  sha256 {exported_sha}")
    VIBENET.report_against_lock(exported_sha, lock, arguments.record,
                                network_file="model/vibenet_student.py", what_was_verified="logits")
    return 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"where to write the TorchScript file (default {DEFAULT_OUTPUT})")
    parser.add_argument("--record", action="store_true",
                        help="record the exported file's sha256 in model/vibenet.lock")
    return parser.parse_args()


def read_onnx_from_wheel(lock: dict[str, str]) -> bytes:
    """Returns the ONNX student from the venv's verified wheel. Exits if a checksum differs."""
    wheel = VIBENET.venv_path() / "wheel" / lock["VIBENET_WHEEL"]
    require_sha256(wheel.name, reference_env.sha256_of(wheel), lock["VIBENET_WHEEL_SHA256"])
    with zipfile.ZipFile(wheel) as archive:
        onnx_bytes = archive.read(lock["VIBENET_ONNX_MEMBER"])
    require_sha256(lock["VIBENET_ONNX_MEMBER"], reference_env.sha256_of(onnx_bytes),
                   lock["VIBENET_ONNX_SHA256"])
    return onnx_bytes


def require_sha256(what: str, actual: str, expected: str) -> None:
    if actual != expected:
        raise SystemExit(f"import_vibenet: {what} has sha256 {actual}, "
                         f"model/vibenet.lock expects {expected}")


def export_verified_torchscript(onnx_bytes: bytes, lock: dict[str, str]) -> bytes:
    """Rebuilds, verifies, scripts, reloads and re-verifies the model; returns the .pt bytes."""
    import numpy as np
    import onnx
    import onnxruntime
    import torch

    from vibenet_student import VibeNetStudent

    graph = onnx.load_from_string(onnx_bytes).graph
    network = VibeNetStudent().eval()
    load_onnx_weights(network, graph)

    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    inputs = verification_inputs()
    expected = {name: session.run(None, {"x": mel[np.newaxis]})[0] for name, mel in inputs.items()}
    check_against_onnxruntime("PyTorch rebuild", network, inputs, expected)
    check_batching(network, inputs)

    with source_paths_relative_to_repository():
        exported = save_torchscript(torch.jit.script(network), lock)
    reloaded = torch.jit.load(io.BytesIO(exported))
    check_against_onnxruntime("exported TorchScript, reloaded", reloaded, inputs, expected)
    # Loaders may freeze and optimise the module for inference (folds BatchNorm into the convs
    # and switches to oneDNN kernels, several times faster); that must stay within the limit too.
    optimized = torch.jit.optimize_for_inference(torch.jit.freeze(reloaded))
    check_against_onnxruntime("reloaded, frozen, optimize_for_inference", optimized, inputs, expected)
    return exported


def load_onnx_weights(network, graph) -> None:
    """Copies the ONNX initializers into the network after checking that the graph computes what
    the network computes: same parameter names and shapes, unfolded BatchNorms with the module's
    epsilon, exact GELU, and only all-zero extra biases (PyTorch's bias-free convolutions)."""
    import numpy as np
    import torch
    from onnx import helper, numpy_helper

    initializers = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    state = {name: value for name, value in network.state_dict().items()
             if not name.endswith("num_batches_tracked")}
    missing = sorted(set(state) - set(initializers))
    if missing:
        raise SystemExit(f"import_vibenet: the ONNX graph lacks {len(missing)} parameters, "
                         f"e.g. {missing[:3]} (was BatchNorm folded or the network renamed?)")
    for name, value in state.items():
        if tuple(value.shape) != initializers[name].shape:
            raise SystemExit(f"import_vibenet: {name} is {initializers[name].shape} in ONNX, "
                             f"{tuple(value.shape)} in PyTorch")

    modules = dict(network.named_modules())
    for node in graph.node:
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "BatchNormalization":
            module = modules[node.input[1].rsplit(".", 1)[0]]
            require_close(f"epsilon of {node.name}", attributes["epsilon"], module.eps)
        elif node.op_type == "LayerNormalization":
            require_close(f"epsilon of {node.name}", attributes["epsilon"], network.trunk[0].eps)
        elif node.op_type == "Gelu" and attributes.get("approximate", b"none") != b"none":
            raise SystemExit(f"import_vibenet: {node.name} is an approximate GELU")
        elif node.op_type == "Conv" and len(node.input) > 2 and node.input[2] not in state:
            if np.any(initializers[node.input[2]] != 0):
                raise SystemExit(f"import_vibenet: {node.name} has a bias the network lacks")

    network.load_state_dict({name: torch.from_numpy(initializers[name].copy()) for name in state},
                            strict=False)


def require_close(what: str, onnx_value: float, torch_value: float) -> None:
    if abs(onnx_value - torch_value) > 1e-9 + 1e-6 * abs(torch_value):
        raise SystemExit(f"import_vibenet: {what} is {onnx_value} in ONNX, {torch_value} in PyTorch")


def verification_inputs() -> dict[str, "np.ndarray"]:
    """Log-mel inputs (128, T) keyed by a description: random dB values of many lengths, and the
    mels of a few real corpus clips (whole and a 5 s excerpt) computed by VibeNet's own front end."""
    import numpy as np
    from vibenet.core import extract_mel, load_audio

    generator = np.random.default_rng(20240521)
    inputs = {f"random T={frames}": generator.uniform(-80.0, 0.0, (N_MELS, frames)).astype(np.float32)
              for frames in RANDOM_INPUT_FRAMES}
    corpus = Path(os.environ.get("VIBED_CORPUS",
                                 reference_env.REPO_ROOT.parent / "shared" / "corpus" / "music-clips"))
    clips = sorted(corpus.glob("*.mp3"))[:REAL_CLIPS_USED]
    if not clips:
        print(f"import_vibenet: note: no clips in {corpus}; verifying on random inputs only")
    for clip in clips:
        samples = load_audio(str(clip))
        inputs[f"{clip.name} whole"] = extract_mel(samples, 16000)
        inputs[f"{clip.name} 5 s"] = extract_mel(samples[16000:96000], 16000)
    return inputs


def check_against_onnxruntime(what, model, inputs, expected) -> None:
    """Exits unless model's logits are within MAX_ABS_LOGIT_DIFF of onnxruntime's for every input."""
    import numpy as np
    import torch

    worst = 0.0
    with torch.inference_mode():
        for name, mel in inputs.items():
            logits = model(torch.from_numpy(mel).unsqueeze(0)).numpy()
            difference = float(np.abs(logits - expected[name]).max())
            worst = max(worst, difference)
            if not difference <= MAX_ABS_LOGIT_DIFF:
                raise SystemExit(f"import_vibenet: {what} differs from onnxruntime by {difference:.3g} "
                                 f"on {name} (limit {MAX_ABS_LOGIT_DIFF})")
    print(f"import_vibenet: {what} matches onnxruntime on {len(inputs)} inputs, "
          f"max abs logit diff {worst:.2e}")


def check_batching(network, inputs) -> None:
    """The ONNX file only runs batch 1; the export must give each item of a batch its own result."""
    import numpy as np
    import torch

    same_length = [mel for name, mel in inputs.items() if name.startswith("random T=1500")]
    batch = np.stack(same_length + [mel[:, ::-1].copy() for mel in same_length])
    with torch.inference_mode():
        together = network(torch.from_numpy(batch)).numpy()
        alone = np.concatenate([network(torch.from_numpy(item[np.newaxis])).numpy() for item in batch])
    difference = float(np.abs(together - alone).max())
    if not difference <= MAX_ABS_LOGIT_DIFF:
        raise SystemExit(f"import_vibenet: batched logits differ from single ones by {difference:.3g}")


@contextlib.contextmanager
def source_paths_relative_to_repository():
    """TorchScript stores the path of each Python file it compiles in the saved file's debug
    records. Recording this script's path relative to the repository root (instead of absolute)
    makes the export byte-identical wherever the repository is checked out."""
    import torch._sources
    import torch.jit.frontend

    original = torch._sources.get_source_lines_and_file

    def with_relative_path(obj, error_msg=None):
        lines, first_line, path = original(obj, error_msg)
        if path and Path(path).is_relative_to(reference_env.REPO_ROOT):
            path = str(Path(path).relative_to(reference_env.REPO_ROOT))
        return lines, first_line, path

    # torch.jit.frontend imported the function by name, so both references are replaced.
    torch._sources.get_source_lines_and_file = with_relative_path
    torch.jit.frontend.get_source_lines_and_file = with_relative_path
    try:
        yield
    finally:
        torch._sources.get_source_lines_and_file = original
        torch.jit.frontend.get_source_lines_and_file = original


def save_torchscript(scripted, lock: dict[str, str]) -> bytes:
    """Serialises the module with a metadata file that loaders can read (torch::jit::load's
    extra_files): labels, input contract and the identity of the source ONNX."""
    import torch
    from vibenet import labels

    metadata = {
        "labels": list(labels),
        "input": {"layout": "batch, mels, frames", "mels": N_MELS, "min_frames": 1,
                  "units": "log-mel dB (VibeNet extract_mel)", "sample_rate": 16000},
        "output": "logits; sigmoid for acousticness, instrumentalness, liveness, clip to [0, 1] "
                  "for the others",
        "source": {"package": f"vibenet=={lock['VIBENET_VERSION']}",
                   "onnx_sha256": lock["VIBENET_ONNX_SHA256"]},
    }
    buffer = io.BytesIO()
    torch.jit.save(scripted, buffer,
                   _extra_files={"vibenet.json": json.dumps(metadata, sort_keys=True, indent=1)})
    return buffer.getvalue()


if __name__ == "__main__":
    sys.exit(main())
