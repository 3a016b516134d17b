#!/usr/bin/env bash
# Parity check: the imported MusiCNN-MSD (model/generated/musicnn.pt) must give the tag
# probabilities and penultimate layer of musicnn's own TensorFlow graph on real clips.
#
# Usage: tests/parity/check_musicnn_parity.sh
#
# Runs model/import_musicnn.py --check: musicnn's pre-processing (in float32) and TensorFlow graph
# in the throw-away venv of scripts/musicnn-venv.sh, against the saved TorchScript file as it is
# and as vibed's loader prepares it (frozen, optimised); fails beyond 1e-4 on probabilities or
# 1e-3 on penultimate values, on any patch.
# Not part of scripts/test.sh (the TensorFlow venv costs more than CI's budget allows, see
# docs/model-musicnn.md): without an imported model it prints why and skips (exit 0), unless
# VIBED_REQUIRE_MUSICNN is set, in which case that is a failure.
#
# Environment:
#   VIBED_CORPUS          folder of *.mp3 clips (default: ../shared/corpus/music-clips beside the repo)
#   PARITY_CLIPS          number of clips (default 6)
#   VIBED_REQUIRE_MUSICNN fail instead of skipping when the model has not been imported
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="$repo_root/model/generated/musicnn.pt"
corpus="${VIBED_CORPUS:-$repo_root/../shared/corpus/music-clips}"

if [[ ! -f "$model" ]]; then
  if [[ -n "${VIBED_REQUIRE_MUSICNN:-}" ]]; then
    echo "check_musicnn_parity: $model is missing (run model/import_musicnn.py)" >&2
    exit 1
  fi
  echo "check_musicnn_parity: skipped: $model not imported (run model/import_musicnn.py)"
  exit 0
fi
if ! compgen -G "$corpus/*.mp3" >/dev/null; then
  echo "check_musicnn_parity: skipped: no *.mp3 clips in $corpus"
  exit 0
fi
VIBED_CORPUS="$corpus" /usr/bin/python3 "$repo_root/model/import_musicnn.py" --check \
  --clips "${PARITY_CLIPS:-6}"
echo "check_musicnn_parity: passed"
