#!/usr/bin/python3
"""Writes tests/golden/forward_only_model.pt: a tiny TorchScript model with the teacher's contract
(log-mel (batch, 128, T) -> (batch, 7) logits) and, like the VibeNet import, no analyse() method.

    /usr/bin/python3 tests/golden/make_forward_only_model.py

The C++ tests load it to check that a model without an embedding still works everywhere (no
embedding is stored, moods and similarity use the models without the sound term). Its logits are
a fixed linear map of the mean log-mel, so the test can recompute them.
"""
from pathlib import Path

import torch
from torch import nn

OUTPUT = Path(__file__).resolve().parent / "forward_only_model.pt"


class ForwardOnly(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(128, 7)
        with torch.no_grad():
            self.head.weight.fill_(0.01)
            self.head.bias.copy_(torch.arange(7, dtype=torch.float32) / 10)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.head(mel.mean(dim=2))


def main() -> None:
    torch.jit.freeze(torch.jit.script(ForwardOnly().eval())).save(str(OUTPUT))
    print(OUTPUT)


if __name__ == "__main__":
    main()
