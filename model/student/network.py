"""The student network: a small CNN on VibeNet's log-mel input.

Input and output contract are the teacher's, so the C++ side loads either file interchangeably:
float32 (batch, 128, T) log-mel dB -> (batch, 7) logits in VibeNet's attribute order. Any T works:
after the convolutions, frequency is averaged away and time is pooled globally (mean and max).
"""
from __future__ import annotations

import torch
from torch import nn

ATTRIBUTES = ("acousticness", "danceability", "energy", "instrumentalness", "liveness", "speechiness",
              "valence")
# VibeNet turns these logits into likelihoods with a sigmoid; the others are clipped to [0, 1].
SIGMOID_ATTRIBUTES = ("acousticness", "instrumentalness", "liveness")
SIGMOID_MASK = [name in SIGMOID_ATTRIBUTES for name in ATTRIBUTES]

# Shifts log-mel dB (music sits roughly between -40 and +40 dB) to a unit-ish range before the
# first convolution; a fixed constant keeps the exported graph free of data-dependent scaling.
INPUT_OFFSET_DB = 20.0
INPUT_SCALE_DB = 25.0


def conv_bn(in_ch: int, out_ch: int, kernel: int, stride: int | tuple[int, int], groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True),
    )


class SeparableBlock(nn.Module):
    """Depthwise 3x3 (optionally strided) then pointwise 1x1; residual when the shape is kept."""

    def __init__(self, in_ch: int, out_ch: int, stride: int | tuple[int, int]) -> None:
        super().__init__()
        self.depthwise = conv_bn(in_ch, in_ch, 3, stride, groups=in_ch)
        self.pointwise = conv_bn(in_ch, out_ch, 1, 1)
        self.residual = in_ch == out_ch and stride == 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pointwise(self.depthwise(x))
        return x + y if self.residual else y


class Student(nn.Module):
    def __init__(self, widths: tuple[int, ...] = (32, 64, 96, 128, 192), hidden: int = 192) -> None:
        super().__init__()
        self.input_offset_db = INPUT_OFFSET_DB
        self.input_scale_db = INPUT_SCALE_DB
        layers: list[nn.Module] = [conv_bn(1, widths[0], 3, 2)]          # 64 bands, T/2
        for in_ch, out_ch in zip(widths[:-1], widths[1:]):
            layers += [SeparableBlock(in_ch, out_ch, 2), SeparableBlock(out_ch, out_ch, 1)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Linear(2 * widths[-1], hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(0.1),
            nn.Linear(hidden, len(ATTRIBUTES)),
        )

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        x = ((mel + self.input_offset_db) / self.input_scale_db).unsqueeze(1)
        x = self.features(x).mean(dim=2)                     # (batch, channels, time)
        pooled = torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)
        return self.head(pooled)


def logits_to_attributes(logits: torch.Tensor) -> torch.Tensor:
    """VibeNet's mapping: sigmoid for the likelihood attributes, clip to [0, 1] for the others."""
    mask = torch.tensor(SIGMOID_MASK, device=logits.device)
    return torch.where(mask, torch.sigmoid(logits), logits.clamp(0.0, 1.0))
