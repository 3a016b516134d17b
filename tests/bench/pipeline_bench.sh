#!/usr/bin/env bash
# Per-stage speed on one core for a 4-minute MP3: decode + resample, log-mel,
# model, end to end (bench_pipeline), for each model given.
#
#   tests/bench/pipeline_bench.sh [--repeat N] [--cpu C] [--no-formats] [MODEL.pt...]
#
# Then, with the last model, the same track transcoded to the other formats
# users keep (FLAC, Ogg Vorbis, Opus, AAC in M4A; made here, never committed):
# the decoding backend vibed picks, FFmpeg's decoder, decode + resample, and
# end to end. Everything runs pinned to CPU C (default 0).
#
# Default models: the teacher (VibeNet import) and the student when it exists.
# The 4-minute track is 8 real 30 s clips joined and re-encoded as one 192 kb/s
# MP3 (or the 20 s fixture song looped when the corpus is absent).
source "$(dirname "$0")/bench_lib.sh"

repeat=5
pinned_cpu=0
formats=true
models=()
while [ $# -gt 0 ]; do
  case $1 in
    --repeat) repeat=${2:?--repeat needs a count}; shift 2 ;;
    --cpu) pinned_cpu=${2:?--cpu needs a CPU number}; shift 2 ;;
    --no-formats) formats=false; shift ;;
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
  taskset -c "$pinned_cpu" "$binary_dir/tests/bench/bench_pipeline" --repeat "$repeat" "$track" "$model"
done
$formats || exit 0
model=${models[-1]}
for format in flac:flac ogg:libvorbis opus:libopus m4a:aac; do
  extension=${format%%:*}
  ff -i "$track" -c:a "${format#*:}" "$work/four-minutes.$extension"
  echo
  echo "== $(model_label "$model"), $extension ($(ffprobe -v error -show_entries stream=codec_name,sample_rate \
    -of csv=p=0 "$work/four-minutes.$extension"))"
  taskset -c "$pinned_cpu" "$binary_dir/tests/bench/bench_pipeline" --repeat "$repeat" --only decoder,ffmpeg,decode,total \
    "$work/four-minutes.$extension" "$model" | grep -v '^model:'
done
