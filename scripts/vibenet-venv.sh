#!/usr/bin/env bash
# Creates the throw-away Python environment in which VibeNet's own package runs: the model import
# (model/import_vibenet.py), the golden files (tests/golden/) and the parity check (tests/parity/).
#
# Usage: scripts/vibenet-venv.sh [VENV_DIR]
#   VENV_DIR defaults to $VIBENET_VENV, else ${XDG_CACHE_HOME:-$HOME/.cache}/vibed/vibenet-venv.
#   Prints the venv's path on stdout; progress and errors go to stderr.
#
# Idempotent: a venv built from the current pins (model/vibenet.lock and
# model/requirements-vibenet.txt) that still passes the smoke test is reused as it is.
#
# The venv is made from Debian's /usr/bin/python3 with --system-site-packages so that it sees
# Debian's python3-torch, python3-torchvision and python3-onnx; every other package is installed
# exactly as pinned, with --no-deps, so pip can never pull torch (or anything unlisted) from PyPI.
# The vibenet wheel is downloaded once, checked against the sha256 in model/vibenet.lock and kept
# at VENV_DIR/wheel/ for model/import_vibenet.py.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_file="$repo_root/model/vibenet.lock"
requirements_file="$repo_root/model/requirements-vibenet.txt"
# shellcheck source=../model/vibenet.lock
source "$lock_file"

venv="${1:-${VIBENET_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vibed/vibenet-venv}}"
venv_name=vibenet-venv
# shellcheck source=venv-lib.sh
source "$repo_root/scripts/venv-lib.sh"

# Proves the environment really works: Debian's torch (not a PyPI one), and VibeNet predicting
# seven finite values for a short seeded signal through its own code path.
smoke_test() {
  "$venv/bin/python" - <<'PY' >&2
import math
import sys

import numpy as np
import torch
import vibenet

assert torch.__file__.startswith("/usr/lib/python3/dist-packages/"), \
    f"torch must be Debian's python3-torch, found {torch.__file__}"
signal = np.random.default_rng(7).standard_normal(24000).astype(np.float32) * 0.1
result = vibenet.load_model().predict([signal], 16000)[0].to_dict()
assert list(result) == vibenet.labels, result
assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in result.values()), result
print(f"vibenet-venv: smoke test passed (python {sys.version.split()[0]}, torch {torch.__version__})")
PY
  "$venv/bin/vibenet" --help >/dev/null
}

build_reference_venv vibenet "$VIBENET_VERSION" "$VIBENET_WHEEL" "$VIBENET_WHEEL_SHA256" VIBENET_TORCHSCRIPT_SHA256
