# The TensorFlow half of model/import_musicnn.py: runs inside the throw-away musicnn venv
# (scripts/musicnn-venv.sh), never imports torch.
#
# Uses musicnn 0.1.0's own graph (musicnn.models.define_model) and pre-processing; musicnn is
# ISC-licenced: Copyright (c) Music Technology Group, Universitat Pompeu Fabra 2019. Code developed
# by Jordi Pons (www.jordipons.me). Permission to use, copy, modify, and/or distribute this software
# for any purpose with or without fee is hereby granted, provided that the above copyright notice
# and this permission notice appear in all copies. THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR
# DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS SOFTWARE (full text: docs/model-musicnn.md).
"""Dumps MSD_musicnn's checkpoint and its TensorFlow outputs on real clips, for the PyTorch import.

    python model/musicnn_tf.py CHECKPOINT_DIR OUTPUT.npz CLIP...

Writes one .npz with every model variable under its TensorFlow name ("var:<name>", in the order
the graph creates them), and per clip i: "mel:<i>" (mel power, (96, frames), float32, musicnn's
librosa call), "probabilities:<i>" (patches, 50) and "penultimate:<i>" (patches, 200) from the
original graph fed musicnn's patches with the log compression in float32, and
"float16_overflow:<i>" (how many values musicnn's float16 compression turns into infinity when
the product stays float16, as under NumPy >= 2).
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import librosa  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from musicnn import configuration, models  # noqa: E402

PATCH_FRAMES = 187


def mel_power(path: str) -> np.ndarray:
    """musicnn.extractor.batch_data's librosa calls, before its float16 cast: (96, frames)."""
    audio, sr = librosa.load(path, sr=configuration.SR)
    return librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=configuration.FFT_HOP,
                                          n_fft=configuration.FFT_SIZE,
                                          n_mels=configuration.N_MELS).astype(np.float32)


def patches(mel: np.ndarray) -> np.ndarray:
    """musicnn's batching (input_length 3 s, no overlap): (patches, 187, 96) of log10(10000·mel+1),
    computed in float32 instead of musicnn's float16."""
    compressed = np.log10(10000.0 * mel.T + 1.0, dtype=np.float32)
    starts = range(0, compressed.shape[0] - PATCH_FRAMES + 1, PATCH_FRAMES)
    return np.stack([compressed[s:s + PATCH_FRAMES] for s in starts])


def main(checkpoint: str, output: str, clips: list[str]) -> None:
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.reset_default_graph()
    x = tf.compat.v1.placeholder(tf.float32, [None, PATCH_FRAMES, configuration.N_MELS])
    is_training = tf.compat.v1.placeholder(tf.bool)
    logits, *_, penultimate = models.define_model(x, is_training, "MSD_musicnn",
                                                  len(configuration.MSD_LABELS))
    probabilities = tf.nn.sigmoid(logits)
    session = tf.compat.v1.Session()
    tf.compat.v1.train.Saver().restore(session, checkpoint)
    variables = tf.compat.v1.global_variables()
    arrays = {f"var:{v.name}": value for v, value in zip(variables, session.run(variables))}
    for index, clip in enumerate(clips):
        mel = mel_power(clip)
        # musicnn's float16 product as NumPy >= 2 computes it (NEP 50 keeps it float16); NumPy 1.x
        # happens to promote 10000 * float16 to float32, hence the explicit float16 scalar.
        with np.errstate(over="ignore"):
            float16_overflow = int(np.isinf(np.float16(10000) * mel.astype(np.float16)).sum())
        batch = patches(mel)
        tags, embedding = session.run([probabilities, penultimate],
                                      feed_dict={x: batch, is_training: False})
        arrays.update({f"mel:{index}": mel, f"probabilities:{index}": tags,
                       f"penultimate:{index}": embedding, f"float16_overflow:{index}": float16_overflow})
    np.savez(output, **arrays)
    session.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
