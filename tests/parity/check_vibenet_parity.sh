#!/usr/bin/env bash
# Parity check: vibectl analyze must give the same seven attributes as VibeNet's own package.
#
# Usage: tests/parity/check_vibenet_parity.sh [--vibenet-only]
#
# Picks PARITY_CLIPS (default 24) real music clips spread over the corpus, converts every second
# one to FLAC (so MP3 and FLAC decoding are both covered), runs VibeNet's CLI (in the throw-away
# venv from scripts/vibenet-venv.sh) and `vibectl analyze` with the imported VibeNet model on the
# same files, and fails if any attribute of any file differs by more than PARITY_TOLERANCE
# (default 0.01). Also reports each tool's wall-clock time as a multiple of real time.
# --vibenet-only runs VibeNet's half alone (no comparison), e.g. to time it.
#
# Environment:
#   VIBED_CORPUS      folder of *.mp3 clips (default: ../shared/corpus/music-clips beside the repo)
#   VIBECTL           vibectl binary (default: $VIBED_BINARY_DIR/daemon/vibectl, else build/daemon/vibectl)
#   PARITY_CLIPS      number of clips (default 24)
#   PARITY_TOLERANCE  largest allowed absolute difference (default 0.01)
#   PARITY_WORKERS    worker threads for both tools (default: number of CPUs)
#   PARITY_OUTPUT_DIR keep the CSVs, summary.json and timing.txt here (default: a temp dir, removed)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
corpus="${VIBED_CORPUS:-$repo_root/../shared/corpus/music-clips}"
clip_count="${PARITY_CLIPS:-24}"
tolerance="${PARITY_TOLERANCE:-0.01}"
workers="${PARITY_WORKERS:-$(nproc)}"
model="$repo_root/model/generated/vibenet.pt"
if [[ -n "${VIBECTL:-}" ]]; then
  vibectl="$VIBECTL"
elif [[ -n "${VIBED_BINARY_DIR:-}" ]]; then
  vibectl="$VIBED_BINARY_DIR/daemon/vibectl"
else
  vibectl="$repo_root/build/daemon/vibectl"
fi

vibenet_only=false
case "${1:-}" in
  --vibenet-only) vibenet_only=true ;;
  "") ;;
  *) echo "usage: $0 [--vibenet-only]" >&2; exit 2 ;;
esac

log() { echo "parity: $*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ -n "${PARITY_OUTPUT_DIR:-}" ]]; then
  work="$PARITY_OUTPUT_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

# Prints clip_count paths spread evenly over the sorted corpus: a stable, varied selection.
pick_clips() {
  local all=()
  mapfile -t all < <(find "$corpus" -maxdepth 1 -type f -name '*.mp3' | sort)
  ((${#all[@]} >= clip_count)) ||
    die "$corpus holds ${#all[@]} MP3 clips, $clip_count needed (set VIBED_CORPUS or PARITY_CLIPS)"
  local i
  for ((i = 0; i < clip_count; i++)); do
    echo "${all[i * ${#all[@]} / clip_count]}"
  done
}

# Prints the paths to analyse: the odd-numbered clips as FLAC copies in the work folder.
prepare_files() {
  local index=0 clip flac
  while read -r clip; do
    if ((index % 2 == 1)); then
      flac="$work/$(basename "${clip%.mp3}").flac"
      ffmpeg -nostdin -v error -y -i "$clip" -c:a flac "$flac" || die "ffmpeg could not convert $clip"
      echo "$flac"
    else
      echo "$clip"
    fi
    index=$((index + 1))
  done < <(pick_clips)
}

# Total duration of the files in seconds, as ffprobe reports it.
audio_seconds() {
  local file total=0 duration
  for file in "$@"; do
    duration="$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$file")"
    total="$(awk -v a="$total" -v b="$duration" 'BEGIN { print a + b }')"
  done
  printf '%.1f\n' "$total"
}

# Runs a command with stdout to $1, prints its wall-clock seconds.
timed_run() {
  local output="$1"; shift
  local start end
  start="$(date +%s.%N)"
  "$@" >"$output" || die "$(basename "$1") failed (exit $?); its output is in $output"
  end="$(date +%s.%N)"
  awk -v a="$end" -v b="$start" 'BEGIN { print a - b }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

report_time() {
  local tool="$1" seconds="$2" audio="$3"
  printf '%-28s %8.1f s for %s s of audio = %6.1fx real time\n' \
    "$tool" "$seconds" "$audio" "$(ratio "$audio" "$seconds")" | tee -a "$work/timing.txt"
}

venv="$("$repo_root/scripts/vibenet-venv.sh")"
mapfile -t files < <(prepare_files)
((${#files[@]} == clip_count)) || die "could not prepare $clip_count files"
audio="$(audio_seconds "${files[@]}")"
: >"$work/timing.txt"
log "${#files[@]} files ($audio s of audio), $workers workers, work folder $work"

vibenet_seconds="$(timed_run "$work/vibenet.csv" \
  "$venv/bin/vibenet" -f csv -q -j "$workers" "${files[@]}")"
report_time "vibenet (VibeNet CLI)" "$vibenet_seconds" "$audio"
if $vibenet_only; then
  rows=$(($(wc -l <"$work/vibenet.csv") - 1))
  ((rows == clip_count)) || die "VibeNet produced $rows rows for $clip_count files"
  log "VibeNet analysed all $rows files"
  exit 0
fi

[[ -x "$vibectl" ]] || die "no vibectl at $vibectl (build it, or set VIBECTL / VIBED_BINARY_DIR)"
"$repo_root/model/import_vibenet.py" >&2
vibectl_seconds="$(timed_run "$work/vibectl.csv" \
  "$vibectl" analyze -f csv -q -j "$workers" --model "$model" "${files[@]}")"
report_time "vibectl analyze" "$vibectl_seconds" "$audio"
printf 'vibectl speed / VibeNet CLI speed: %.2f\n' \
  "$(ratio "$vibenet_seconds" "$vibectl_seconds")" | tee -a "$work/timing.txt"

"$venv/bin/python" "$repo_root/tests/parity/compare_attributes.py" \
  "$work/vibenet.csv" "$work/vibectl.csv" --tolerance "$tolerance" --summary "$work/summary.json"
