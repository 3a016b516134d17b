#!/usr/bin/env bash
# Per-stage speed on one core for a 4-minute MP3: decode + resample, log-mel,
# model, end to end (bench_pipeline), for each model given.
#
#   tests/bench/pipeline_bench.sh [--repeat N] [MODEL.pt...]
#
# Default models: the teacher (VibeNet import) and the student when it exists.
# The 4-minute track is 8 real 30 s clips joined and re-encoded as one 192 kb/s
# MP3 (or the 20 s fixture song looped when the corpus is absent).
source "$(dirname "$0")/bench_lib.sh"

repeat=5
models=()
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=${2:?--repeat needs a count}; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) models+=("$1"); shift ;;
  esac
done
if [ ${#models[@]} -eq 0 ]; then
  [ -f "$teacher_model" ] && models+=("$teacher_model")
  [ -f "$student_model" ] && models+=("$student_model")
  [ ${#models[@]} -gt 0 ] || die "no model: commit model/student.pt or run model/import_vibenet.py"
fi

build_targets bench_pipeline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

track="$work/four-minutes.mp3"
make_long_track "$track"
print_machine
for model in "${models[@]}"; do
  echo
  echo "== $(model_label "$model")"
  "$binary_dir/tests/bench/bench_pipeline" --repeat "$repeat" "$track" "$model"
done
