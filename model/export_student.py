#!/usr/bin/python3
"""Re-export the committed student (model/student.pt) with the current export code.

    /usr/bin/python3 model/export_student.py [--output model/student.pt]

The training checkpoints are not kept, but the frozen file holds every weight: batch norm is
already folded into the convolutions. This loads those constants into a network.Student whose
batch norms are exact identities (mean 0, variance 1, eps 0, scale 1, shift = the folded bias), so
freezing folds them back to the very same numbers, and saves it through train_student.export. The
logits stay bit for bit what they were (checked here before anything is written); what changes is
the method set, e.g. analyse() for the embedding. Byte-reproducible: running it twice writes the
same file.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "model"))

from student.network import Student  # noqa: E402
from train_student import WIDTHS, export  # noqa: E402

MODEL = REPO / "model" / "student.pt"


def frozen_weights(model: torch.jit.ScriptModule) -> list[torch.Tensor]:
    """The frozen graph's tensors in the order its forward() uses them: (weight, bias) per
    convolution, then per linear layer."""
    constants = model.code_with_constants[1].const_mapping
    return [constants[f"c{i}"] for i in range(len(constants))]


def student_with(weights: list[torch.Tensor]) -> Student:
    student = Student(WIDTHS).eval()
    convs = [m for m in student.features.modules() if isinstance(m, nn.Conv2d)]
    norms = [m for m in student.features.modules() if isinstance(m, nn.BatchNorm2d)]
    linears = [m for m in student.head.modules() if isinstance(m, nn.Linear)]
    if 2 * (len(convs) + len(linears)) != len(weights):
        raise SystemExit(f"{len(weights)} frozen tensors do not fit a student of widths {WIDTHS}")
    pairs = iter(zip(weights[0::2], weights[1::2]))
    with torch.no_grad():
        for conv, norm in zip(convs, norms):
            weight, bias = next(pairs)
            conv.weight.copy_(weight)
            if conv.bias is not None:
                conv.bias.zero_()
            norm.eps = 0.0
            norm.running_mean.zero_()
            norm.running_var.fill_(1.0)
            norm.weight.fill_(1.0)
            norm.bias.copy_(bias)
        for linear in linears:
            weight, bias = next(pairs)
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
    return student


def check_same_logits(old: torch.jit.ScriptModule, new: torch.jit.ScriptModule) -> None:
    generator = torch.Generator().manual_seed(1)
    with torch.inference_mode():
        for frames in (1, 63, 64, 500, 1501):
            mel = torch.randn(2, 128, frames, generator=generator) * 20 - 20
            expected = old(mel)
            logits, embedding = new.analyse(mel)
            if not (torch.equal(new(mel), expected) and torch.equal(logits, expected)):
                raise SystemExit(f"re-exported logits differ from the committed model ({frames} frames)")
            if embedding.shape != (2, 2 * WIDTHS[-1]):
                raise SystemExit(f"embedding has shape {tuple(embedding.shape)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=MODEL, help="frozen student to take the weights from")
    parser.add_argument("--output", type=Path, default=MODEL)
    args = parser.parse_args()
    torch.set_num_threads(1)
    old = torch.jit.load(str(args.source)).eval()
    with tempfile.TemporaryDirectory() as scratch:
        staged = export(student_with(frozen_weights(old)), Path(scratch) / "student.pt")
        check_same_logits(old, staged)
        args.output.write_bytes((Path(scratch) / "student.pt").read_bytes())
    print(f"{args.output}: re-exported with forward() and analyse(); logits identical to {args.source}")


if __name__ == "__main__":
    main()
