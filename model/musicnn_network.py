# MusiCNN-MSD rebuilt in PyTorch, for model/import_musicnn.py.
#
# Derived from musicnn 0.1.0 (musicnn/models.py, build_musicnn), whose licence follows:
#
#   Copyright (c) Music Technology Group, Universitat Pompeu Fabra 2019. Code developed by Jordi
#   Pons (www.jordipons.me).
#
#   Permission to use, copy, modify, and/or distribute this software for any purpose with or
#   without fee is hereby granted, provided that the above copyright notice and this permission
#   notice appear in all copies.
#
#   THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
#   SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL
#   THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY
#   DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF
#   CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE
#   OR PERFORMANCE OF THIS SOFTWARE.
"""MusiCNN (Pons & Serra) as trained on the Million Song Dataset (the wheel's MSD_musicnn).

Layout is PyTorch's (batch, channels, time, frequency); the TensorFlow original is
(batch, time, frequency, channels). Every layer keeps the original's arithmetic: TensorFlow's
batch-norm epsilon 1e-3, 'same' padding that puts the odd extra frame after, and the back end's
flatten that interleaves max and mean per feature ([max_0, mean_0, max_1, mean_1, ...]).

Input of forward(): mel power (batch, 96, frames) as musicnn computes it with librosa (16 kHz,
FFT 512, hop 256, 96 Slaney mel bands, power 2). The log compression log10(10000 * mel + 1) is
done here, in float32: musicnn does it in float16, where 10000 * mel overflows to infinity for
mel power above 6.55 (loud clips). 187 frames (3 s) is the patch length the model was trained on.
Output: (tag probabilities (batch, 50), penultimate layer (batch, 200)).
"""
from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

N_MELS = 96
PATCH_FRAMES = 187
TF_BATCH_NORM_EPSILON = 1e-3
MSD_LABELS = ['rock', 'pop', 'alternative', 'indie', 'electronic', 'female vocalists', 'dance', '00s',
              'alternative rock', 'jazz', 'beautiful', 'metal', 'chillout', 'male vocalists', 'classic rock',
              'soul', 'indie rock', 'Mellow', 'electronica', '80s', 'folk', '90s', 'chill', 'instrumental',
              'punk', 'oldies', 'blues', 'hard rock', 'ambient', 'acoustic', 'experimental',
              'female vocalist', 'guitar', 'Hip-Hop', '70s', 'party', 'country', 'easy listening', 'sexy',
              'catchy', 'funk', 'electro', 'heavy metal', 'Progressive rock', '60s', 'rnb', 'indie pop',
              'sad', 'House', 'happy']


def tf_batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=TF_BATCH_NORM_EPSILON)


class FrequencyMaxBlock(nn.Module):
    """conv (ReLU) -> batch norm -> max over all frequencies: one of the front end's five branches.
    time_padding: frames added before and after (TensorFlow 'same' puts the odd one after)."""

    def __init__(self, filters: int, kernel: Tuple[int, int], time_padding: Tuple[int, int]) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, filters, kernel)
        self.norm = tf_batch_norm(filters)
        self.time_padding = time_padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, [0, 0, self.time_padding[0], self.time_padding[1]])
        x = self.norm(F.relu(self.conv(x)))                      # (batch, filters, time, freq')
        return x.amax(dim=3)                                    # (batch, filters, time)


class MidEndLayer(nn.Module):
    """conv over 7 frames and every input feature (ReLU) -> batch norm, as a 1-D convolution."""

    def __init__(self, in_features: int, filters: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(in_features, filters, 7, padding=3)
        self.norm = nn.BatchNorm1d(filters, eps=TF_BATCH_NORM_EPSILON)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(F.relu(self.conv(x)))


class MusiCNN(nn.Module):
    def __init__(self, num_classes: int = 50, midend_filters: int = 64, backend_units: int = 200) -> None:
        super().__init__()
        timbral, temporal = int(1.6 * 128), int(1.6 * 32)
        self.input_norm = tf_batch_norm(1)
        self.timbral_74 = FrequencyMaxBlock(timbral, (7, int(0.4 * N_MELS)), (3, 3))
        self.timbral_77 = FrequencyMaxBlock(timbral, (7, int(0.7 * N_MELS)), (3, 3))
        self.temporal_128 = FrequencyMaxBlock(temporal, (128, 1), (63, 64))
        self.temporal_64 = FrequencyMaxBlock(temporal, (64, 1), (31, 32))
        self.temporal_32 = FrequencyMaxBlock(temporal, (32, 1), (15, 16))
        front_features = 2 * timbral + 3 * temporal
        self.midend = nn.ModuleList([MidEndLayer(front_features, midend_filters),
                                     MidEndLayer(midend_filters, midend_filters),
                                     MidEndLayer(midend_filters, midend_filters)])
        pooled = 2 * (front_features + 3 * midend_filters)
        self.pool_norm = nn.BatchNorm1d(pooled, eps=TF_BATCH_NORM_EPSILON)
        self.dense = nn.Linear(pooled, backend_units)
        self.dense_norm = nn.BatchNorm1d(backend_units, eps=TF_BATCH_NORM_EPSILON)
        self.output = nn.Linear(backend_units, num_classes)

    def forward(self, mel_power: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """mel_power (batch, 96, frames) -> (tag probabilities (batch, 50), penultimate (batch, 200))."""
        compressed = torch.log10(10000.0 * mel_power.float() + 1.0)
        x = self.input_norm(compressed.transpose(1, 2).unsqueeze(1))      # (batch, 1, time, freq)
        front = torch.cat([self.timbral_74(x), self.timbral_77(x), self.temporal_128(x),
                           self.temporal_64(x), self.temporal_32(x)], dim=1)   # (batch, 561, time)
        layers: List[torch.Tensor] = [front]
        y = front
        for index, layer in enumerate(self.midend):
            y = layer(y) if index == 0 else layer(y) + y             # residual after the first
            layers.append(y)
        features = torch.cat(layers, dim=1)                          # (batch, 753, time)
        pooled = torch.stack([features.amax(dim=2), features.mean(dim=2)], dim=2).flatten(1)
        penultimate = self.dense_norm(F.relu(self.dense(self.pool_norm(pooled))))
        return torch.sigmoid(self.output(penultimate)), penultimate
