"""The student network: a small CNN on VibeNet's log-mel input.

Input and output contract are the teacher's, so the C++ side loads either file interchangeably:
float32 (batch, 128, T) log-mel dB -> (batch, 7) logits in VibeNet's attribute order. Any T works:
after the convolutions, frequency is averaged away and time is pooled globally (mean and max).
"""
from __future__ import annotations

from typing import Tuple

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
# The convolutions shrink time 64-fold; shorter inputs (VibeNet turns a clip shorter than one
# window into a single frame) are tiled up to this length, which leaves mean and max unchanged.
MIN_FRAMES = 64


def conv_bn_relu(in_ch: int, out_ch: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True),
    )


class Student(nn.Module):
    """Plain 3x3 convolutions after a 4 x 8 'patchify' stem.

    Depthwise-separable blocks have fewer multiply-adds but run several times slower than dense
    3x3 convolutions in LibTorch on the CPU, so the network is dense and narrow instead. The stem
    cuts the 128 bands x T frames (50 per second) mel to 32 x T/8 at once, which is where most of
    the speed comes from (the attributes describe whole tracks; 6 steps per second are plenty);
    each later stage halves both axes and roughly doubles the width. Batch norm is folded into the
    convolutions when the model is frozen for export.
    """

    def __init__(self, widths: tuple[int, ...] = (24, 48, 96, 160), hidden: int = 128) -> None:
        super().__init__()
        self.input_offset_db = INPUT_OFFSET_DB
        self.input_scale_db = INPUT_SCALE_DB
        self.min_frames = MIN_FRAMES
        layers: list[nn.Module] = [
            nn.Conv2d(1, widths[0], (4, 8), stride=(4, 8)), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True),
            conv_bn_relu(widths[0], widths[0], 1),
        ]
        for in_ch, out_ch in zip(widths[:-1], widths[1:]):
            layers += [conv_bn_relu(in_ch, out_ch, 2), conv_bn_relu(out_ch, out_ch, 1)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Linear(2 * widths[-1], hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, len(ATTRIBUTES)),
        )

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(mel))

    @torch.jit.export
    def analyse(self, mel: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(logits, embedding): forward()'s logits and the pooled activations the head reads.

        The embedding, 2 x the last stage's width (mean and max over time of each channel), is the
        student's description of the sound beyond its seven attributes; vibed stores it per track
        for the mood and similarity models. A second method, so one file serves both uses and a
        model without it (the teacher) still loads.
        """
        pooled = self.embed(mel)
        return self.head(pooled), pooled

    def embed(self, mel: torch.Tensor) -> torch.Tensor:
        frames = mel.size(2)
        if frames < self.min_frames:
            mel = mel.repeat(1, 1, (self.min_frames + frames - 1) // frames)
        x = ((mel + self.input_offset_db) / self.input_scale_db).unsqueeze(1)
        x = self.features(x).mean(dim=2)                     # (batch, channels, time)
        return torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)


def logits_to_attributes(logits: torch.Tensor) -> torch.Tensor:
    """VibeNet's mapping: sigmoid for the likelihood attributes, clip to [0, 1] for the others."""
    mask = torch.tensor(SIGMOID_MASK, device=logits.device)
    return torch.where(mask, torch.sigmoid(logits), logits.clamp(0.0, 1.0))


# MusiCNN-MSD's outputs the tagging student learns (model/student/tagging.py): 50 tag
# probabilities, then the 200 numbers of its penultimate layer, each averaged over the track.
MUSICNN_TAGS = 50
MUSICNN_PENULTIMATE = 200


class TaggingStudent(Student):
    """The student plus a second head that imitates MusiCNN-MSD from the same pooled embedding, so
    its tags and 'sound' come at the cost of one small layer: the convolutions are shared.

    forward() and analyse() keep the Student contract (VibeNet's seven logits); hear() adds MusiCNN's
    tag probabilities and penultimate layer.
    """

    def __init__(self, widths: tuple[int, ...] = (24, 48, 96, 160), hidden: int = 128,
                 tagging_hidden: int = 256) -> None:
        super().__init__(widths, hidden)
        self.musicnn_tags = MUSICNN_TAGS
        self.tagging_head = nn.Sequential(
            nn.Linear(2 * widths[-1], tagging_hidden),
            nn.ReLU(inplace=True),
            nn.Linear(tagging_hidden, MUSICNN_TAGS + MUSICNN_PENULTIMATE),
        )

    def outputs(self, mel: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(VibeNet logits, MusiCNN head's raw output: tag logits then penultimate), for training."""
        pooled = self.embed(mel)
        return self.head(pooled), self.tagging_head(pooled)

    @torch.jit.export
    def hear(self, mel: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(VibeNet logits (batch, 7), MusiCNN tag probabilities (batch, 50), MusiCNN penultimate
        layer (batch, 200), embedding (batch, 2 x width)) in one pass."""
        pooled = self.embed(mel)
        tagging = self.tagging_head(pooled)
        return (self.head(pooled), torch.sigmoid(tagging[:, :self.musicnn_tags]), tagging[:, self.musicnn_tags:],
                pooled)
