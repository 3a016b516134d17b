#!/usr/bin/python3
"""Would the student's 512-number embedding help the mood model as one "overall sound" input?

    /usr/bin/python3 model/overall_sound_probe.py --cached

The mood recipe model/train_moods.py chose, cross-validated the same way (artist-grouped 5-fold within
each collection, and trained on two collections / tested on the third), with and without one more
input: the log-odds of a regularised logistic regression from the standardised embedding to
valence, learned on the training rows only (cross-fitted by an inner grouped 5-fold, so the heads
learn how far to trust it from predictions on clips it did not see). One number per track, so the
mood model would stay explainable term by term ("overall sound +0.4"). vibed's mood model reads
stored attributes and features only, so this is a measurement, not an export.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_moods as tm  # noqa: E402
import playlist_check  # noqa: E402

EMBEDDING = tuple(f"embedding_{i}" for i in range(512))
SOUND_C = 0.01
SOUND = ("overall_sound", "identity", False)


def sound_model(pool: tm.Pool, rows: np.ndarray, recipe: tm.Recipe):
    inputs = tuple((n, "identity", False) for n in EMBEDDING)
    rows = rows[np.isin(pool.source[rows], recipe.sources)]
    standardiser = tm.Standardiser(inputs, pool.raw, rows)
    x = standardiser(pool.raw, rows)
    model = LogisticRegression(C=SOUND_C, max_iter=3000).fit(
        *tm.expanded(x, "valence", pool, rows, recipe, tm.clip_weights(pool, rows, recipe)))
    return lambda r: standardiser(pool.raw, r) @ model.coef_[0] + model.intercept_[0]


def with_sound(pool: tm.Pool, train: np.ndarray, test: np.ndarray, recipe: tm.Recipe, inputs, rng) -> dict:
    sound = np.zeros(len(pool))
    for inner in tm.grouped_folds(pool.groups[train], 5, rng):
        sound[train[inner]] = sound_model(pool, np.setdiff1d(train, train[inner]), recipe)(train[inner])
    sound[test] = sound_model(pool, train, recipe)(test)
    pool.raw["overall_sound"] = sound
    return tm.fit(pool, train, recipe, inputs + (SOUND,), rng).predict(pool.raw, test)


def main() -> None:
    args = tm.arguments(__doc__)
    pool = tm.load_pool(args)
    for name in EMBEDDING:
        pool.raw[name] = np.concatenate([c.raw[name] for c in pool.collections.values()])
    recipe = playlist_check.chosen_recipe()
    inputs = tm.model_inputs(args.extra_inputs)
    rng = np.random.default_rng(tm.SEED)
    everything = np.arange(len(pool))
    runs = []
    for _ in range(args.repeats):
        oof = tm.empty_predictions(len(pool))
        for test in tm.within_folds(pool, rng):
            tm.store(oof, test, with_sound(pool, np.setdiff1d(everything, test), test, recipe, inputs, rng))
        runs.append(tm.measure_all(pool, oof))
    held = tm.empty_predictions(len(pool))
    for name, rows in pool.rows.items():
        partial = tm.Recipe(recipe.key, recipe.label, tuple(s for s in recipe.sources if s != name),
                            recipe.balanced, recipe.offsets, recipe.emotify_scales)
        tm.store(held, rows, with_sound(pool, np.setdiff1d(everything, rows), rows, partial, inputs, rng))
    across = tm.measure_all(pool, held)
    print(f"recipe {recipe.key} + overall sound (embedding -> valence log-odds, C {SOUND_C}):")
    for name, m in tm.mean_measures(runs).items():
        print(f"  {name:8s} within " + "  ".join(f"{k} {v['mean']:.3f}" for k, v in m.items()))
        print(f"  {name:8s} across " + "  ".join(f"{k} {v:.3f}" for k, v in across[name].items()))


if __name__ == "__main__":
    main()
