#!/usr/bin/env bash
# Creates the throw-away Python environment in which musicnn's own TensorFlow model runs, for the
# import of MusiCNN-MSD (model/import_musicnn.py) and its parity check.
#
# Usage: scripts/musicnn-venv.sh [VENV_DIR]
#   VENV_DIR defaults to $MUSICNN_VENV, else ${XDG_CACHE_HOME:-$HOME/.cache}/vibed/musicnn-venv.
#   Prints the venv's path on stdout; progress and errors go to stderr.
#
# Idempotent: a venv built from the current pins (model/musicnn.lock and
# model/requirements-musicnn.txt) that still passes the smoke test is reused as it is.
#
# Made from Debian's /usr/bin/python3 with --system-site-packages (Debian's pip and numpy); every
# other package is installed exactly as pinned, with --no-deps, so pip can never pull anything
# unlisted (torch in particular: the PyTorch half of the import runs under Debian's python3-torch,
# outside this venv). TensorFlow runs with TF_USE_LEGACY_KERAS=1: musicnn's graph uses
# tf.compat.v1.layers, which needs tf-keras (Keras 2) on TensorFlow >= 2.16.
# The musicnn wheel is downloaded once, checked against the sha256 in model/musicnn.lock and kept
# at VENV_DIR/wheel/ for model/import_musicnn.py (which reads the checkpoint out of it).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_file="$repo_root/model/musicnn.lock"
requirements_file="$repo_root/model/requirements-musicnn.txt"
# shellcheck source=../model/musicnn.lock
source "$lock_file"

venv="${1:-${MUSICNN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vibed/musicnn-venv}}"
venv_name=musicnn-venv
# shellcheck source=venv-lib.sh
source "$repo_root/scripts/venv-lib.sh"

# Proves the environment works: TensorFlow with legacy Keras builds musicnn's MSD graph.
smoke_test() {
  TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=2 "$venv/bin/python" - <<'PY' >&2
import sys

import librosa  # noqa: F401  (musicnn's pre-processing)
import tensorflow as tf
from musicnn import configuration, models

tf.compat.v1.disable_eager_execution()
x = tf.compat.v1.placeholder(tf.float32, [None, 187, configuration.N_MELS])
logits = models.define_model(x, tf.compat.v1.placeholder(tf.bool), "MSD_musicnn", 50)[0]
assert logits.shape.as_list() == [None, 50], logits.shape
print(f"musicnn-venv: smoke test passed (python {sys.version.split()[0]}, tensorflow {tf.__version__})")
PY
}

build_reference_venv musicnn "$MUSICNN_VERSION" "$MUSICNN_WHEEL" "$MUSICNN_WHEEL_SHA256" \
  MUSICNN_TORCHSCRIPT_SHA256 "TensorFlow: about 600 MB"
