"""VibeNet's student network (vibenet/models/student.py), written so that TorchScript compiles it.

Kept in a file of its own because the exported TorchScript records this source text and its line
numbers: editing it changes the export's sha256 (model/vibenet.lock), editing the import does not.
Runs only inside the VibeNet venv (needs Debian's torch and torchvision, and vibenet's labels).
"""
import torch
import torchvision
from torch import nn
from vibenet import labels


class VibeNetStudent(nn.Module):
    """forward(mel_db): float32 (batch, 128 mels, frames >= 1) log-mel dB -> (batch, 7) logits."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = torchvision.models.efficientnet_b0(weights=None)
        self.backbone.classifier = nn.Identity()
        self.trunk = nn.Sequential(nn.LayerNorm(1280), nn.Linear(1280, 256), nn.GELU(),
                                   nn.Dropout(0.2))
        self.heads = nn.ModuleDict({label: nn.Linear(256, 1) for label in labels})

    def forward(self, mel_db: torch.Tensor) -> torch.Tensor:
        # The backbone expects RGB images: the mel image goes into all three channels.
        image = mel_db.unsqueeze(1).repeat(1, 3, 1, 1)
        embedding = self.trunk(self.backbone(image))
        return torch.cat([head(embedding) for head in self.heads.values()], dim=1)
