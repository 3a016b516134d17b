"""MusiCNN-MSD as the student's second teacher: its per-patch outputs (model/musicnn_outputs.py,
cached per clip), turned into targets for whole clips and excerpts, the loss and the agreement."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .metrics import concordance
from .network import MUSICNN_TAGS

# musicnn's patch: 187 frames of hop 256 at 16 kHz; the student's frames: hop 320 at 16 kHz.
PATCH_SECONDS = 187 * 256 / 16000
FRAME_SECONDS = 320 / 16000


class MusicnnTargets:
    """Per clip, MusiCNN's per-patch outputs (patches, 250): tag probabilities then penultimate.
    Clips are found by their corpus source "collection/file" under the cache of
    model/musicnn_outputs.py (cache/<collection>/<file stem>.npz)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache

    def patches(self, source: str) -> np.ndarray | None:
        collection, _, file = source.partition("/")
        path = self.cache / collection / (Path(file).stem + ".npz")
        if not path.exists():
            return None
        with np.load(path) as outputs:
            return np.concatenate([outputs["probabilities"], outputs["penultimate"]], axis=1)

    def target(self, source: str, offset: int = 0, frames: int | None = None) -> np.ndarray | None:
        """Mean over the patches inside the student's window of `frames` frames from `offset`
        (the whole clip if frames is None); all patches if the window holds none whole."""
        patches = self.patches(source)
        if patches is None:
            return None
        if frames is None:
            return patches.mean(axis=0)
        start, end = offset * FRAME_SECONDS, (offset + frames) * FRAME_SECONDS
        inside = [k for k in range(len(patches))
                  if k * PATCH_SECONDS >= start - 1e-6 and (k + 1) * PATCH_SECONDS <= end + 1e-6]
        return patches[inside].mean(axis=0) if inside else patches.mean(axis=0)


def loss(raw: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Squared error of tag probabilities and penultimate values, each weighted by 1/variance of
    the teacher's values (what concordance rewards), averaged over the items that have a target."""
    predicted = torch.cat([torch.sigmoid(raw[:, :MUSICNN_TAGS]), raw[:, MUSICNN_TAGS:]], dim=1)
    per_item = ((predicted - target) ** 2 * weights).mean(dim=1)
    return (per_item * mask).sum() / mask.sum().clamp_min(1.0)


def weights(targets: np.ndarray) -> torch.Tensor:
    return 1.0 / torch.from_numpy(targets.var(axis=0).astype(np.float32)).clamp_min(1e-4)


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def agreement(student: np.ndarray, teacher: np.ndarray, labels: list[str]) -> dict:
    """Student vs MusiCNN on whole clips: CCC per tag and per penultimate unit, and per tag the AUC
    of the student's probability for the clips MusiCNN gives that tag at 0.5 or more (tags with at
    least 5 such clips and 5 without)."""
    tags_s, tags_t = student[:, :MUSICNN_TAGS], teacher[:, :MUSICNN_TAGS]
    tag_ccc = {label: round(concordance(tags_s[:, k], tags_t[:, k]), 4) for k, label in enumerate(labels)}
    tag_auc = {}
    for k, label in enumerate(labels):
        positive = tags_t[:, k] >= 0.5
        if 5 <= positive.sum() <= len(positive) - 5:
            tag_auc[label] = round(auc(tags_s[:, k], positive), 4)
    penultimate_ccc = [concordance(student[:, k], teacher[:, k]) for k in range(MUSICNN_TAGS, teacher.shape[1])]
    return {"tag_ccc": tag_ccc, "tag_ccc_mean": round(float(np.mean(list(tag_ccc.values()))), 4),
            "tag_ccc_median": round(float(np.median(list(tag_ccc.values()))), 4),
            "tag_auc": tag_auc, "tag_auc_mean": round(float(np.mean(list(tag_auc.values()))), 4) if tag_auc else None,
            "penultimate_ccc_mean": round(float(np.mean(penultimate_ccc)), 4),
            "penultimate_ccc_median": round(float(np.median(penultimate_ccc)), 4)}
