"""Agreement between student and teacher attributes."""
from __future__ import annotations

import numpy as np

from .network import ATTRIBUTES


def concordance(x: np.ndarray, y: np.ndarray) -> float:
    """Lin's concordance correlation coefficient: 1 only if x == y, penalises bias and scale too."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    covariance = np.mean((x - x.mean()) * (y - y.mean()))
    denominator = x.var() + y.var() + (x.mean() - y.mean()) ** 2
    return float(2 * covariance / denominator) if denominator > 0 else 1.0


def agreement(student: np.ndarray, teacher: np.ndarray) -> dict[str, dict[str, float]]:
    """Per attribute: CCC, Pearson r, mean and max absolute error; arrays are (items, 7) attributes."""
    report = {}
    for index, name in enumerate(ATTRIBUTES):
        s, t = student[:, index], teacher[:, index]
        error = np.abs(s - t)
        report[name] = {
            "ccc": round(concordance(s, t), 4),
            "pearson": round(float(np.corrcoef(s, t)[0, 1]), 4) if s.std() > 0 and t.std() > 0 else 0.0,
            "mae": round(float(error.mean()), 4),
            "max_abs_error": round(float(error.max()), 4),
            "teacher_std": round(float(t.std()), 4),
        }
    return report


# Issue 5's targets, on the held-out test split (whole clips, student against teacher).
CCC_TARGETS = {"energy": 0.95, "valence": 0.95, "danceability": 0.95,
               "acousticness": 0.90, "instrumentalness": 0.90, "liveness": 0.90}
SPEECHINESS_MAE_TARGET = 0.03


def targets_met(report: dict[str, dict[str, float]]) -> dict[str, bool]:
    met = {name: report[name]["ccc"] >= target for name, target in CCC_TARGETS.items()}
    met["speechiness"] = report["speechiness"]["mae"] <= SPEECHINESS_MAE_TARGET
    return met
