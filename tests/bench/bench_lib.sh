# Shared by the benchmark scripts: paths, models, input files, timing and
# medians. Sourced, not run. Benchmarks are never run by ctest or CI.
#
# Environment:
#   VIBED_BINARY_DIR  build tree to use (default: build-bench, configured as
#                     Release and built on demand)
#   VIBED_CORPUS_DIR  folder of real music MP3s (default: ../shared/corpus/music-clips);
#                     when absent the scripts fall back to generated fixtures
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$bench_dir/../.." && pwd)
binary_dir=${VIBED_BINARY_DIR:-$source_dir/build-bench}
corpus_dir=${VIBED_CORPUS_DIR:-$source_dir/../shared/corpus/music-clips}
vibed="$binary_dir/daemon/vibed"
vibectl="$binary_dir/daemon/vibectl"
teacher_model="$source_dir/model/generated/vibenet.pt"
student_model="$source_dir/model/student.pt"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# prepare_work_dir: the folder in `work` (a --keep DIR) made and checked
# empty, or, when `work` is empty, a temporary folder removed on exit.
prepare_work_dir() {
  if [ -n "$work" ]; then
    mkdir -p "$work"
    [ -z "$(ls -A "$work")" ] || die "$work is not empty"
    work=$(realpath "$work")
  else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
  fi
}
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# build_targets TARGET...: configures a Release tree if needed, then builds (-j2:
# the machine is shared).
build_targets() {
  if [ ! -f "$binary_dir/build.ninja" ]; then
    cmake -S "$source_dir" -B "$binary_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$binary_dir" --target "$@" -j2 >/dev/null
}

# The student when it has been committed, else the imported teacher.
default_model() {
  if [ -f "$student_model" ]; then echo "$student_model"
  elif [ -f "$teacher_model" ]; then echo "$teacher_model"
  else die "no model: commit model/student.pt or run model/import_vibenet.py"
  fi
}

# model_label FILE: how the reports name a model file.
model_label() {
  case "$(realpath "$1")" in
    "$(realpath -m "$student_model")") echo "student" ;;
    "$(realpath -m "$teacher_model")") echo "teacher (VibeNet import)" ;;
    *) basename "$1" ;;
  esac
}

# corpus_clips N: the first N real clips in name order (a fixed, repeatable set),
# one path per line; nothing when the corpus is absent.
corpus_clips() {
  [ -d "$corpus_dir" ] || return 0
  find "$corpus_dir" -maxdepth 1 -name '*.mp3' | sort | head -n "$1"
}

# make_long_track OUT [FIRST]: 240 s of music as one 192 kb/s stereo MP3: the
# corpus clips FIRST..FIRST+7 (default 0) brought to one format and joined by
# ffmpeg's concat filter, or the fixture song looped when the corpus is short.
make_long_track() {
  local out=$1 first=${2:-0} inputs=() filter="" i
  mapfile -t clips < <(corpus_clips $((first + 8)) | tail -n +$((first + 1)))
  if [ ${#clips[@]} -eq 8 ]; then
    for i in "${!clips[@]}"; do
      inputs+=(-i "${clips[$i]}")
      filter+="[$i:a]aformat=sample_rates=44100:channel_layouts=stereo[a$i];"
    done
    for i in "${!clips[@]}"; do filter+="[a$i]"; done
    ff "${inputs[@]}" -filter_complex "${filter}concat=n=8:v=0:a=1" -t 240 -c:a libmp3lame -b:a 192k "$out"
  else
    ff -stream_loop 12 -i "$(fixture_dir)/song.wav" -t 240 -c:a libmp3lame -b:a 192k "$out"
  fi
}

# fixture_dir: generated fixtures (song.wav, song.mp3, ...) in a cache folder.
fixture_dir() {
  local dir="$binary_dir/fixtures"
  [ -f "$dir/song.mp3" ] || "$source_dir/tests/fixtures/make_fixtures.sh" "$dir" >&2
  echo "$dir"
}

# print_machine: what the numbers were measured on, including the load then.
print_machine() {
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GB"
  echo "load:    $(uptime | sed 's/.*load average: //') (1, 5, 15 min)"
  echo "commit:  $(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

# timed OUTFILE COMMAND...: runs COMMAND (stdout discarded) and appends
# "wall_seconds cpu_seconds peak_rss_kb" to OUTFILE; CPU is user + system over
# the process and its children. Fails if COMMAND fails.
timed() {
  local out=$1
  shift
  local stats
  stats=$(mktemp)
  if ! /usr/bin/time -o "$stats" -f '%e %U %S %M' "$@" >/dev/null; then
    rm -f "$stats"
    die "command failed: $*"
  fi
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$stats" >>"$out"
  rm -f "$stats"
}

# median_column FILE COLUMN: median of one whitespace-separated column.
median_column() {
  awk -v c="$2" '{print $c}' "$1" | sort -g |
    awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# ratio A B: A / B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", a / b}'; }

# make_clip_pool DIR COUNT: COUNT distinct clips of 3, 4 or 5 s cut from the
# corpus (or the fixture song); a third each MP3 (44.1 kHz stereo), FLAC
# (48 kHz stereo) and WAV (22.05 kHz mono), so the resampler sees several rates.
make_clip_pool() {
  local dir=$1 count=$2 sources i source seconds offset
  mkdir -p "$dir"
  mapfile -t sources < <(corpus_clips $(((count + 2) / 3)))
  [ ${#sources[@]} -gt 0 ] || sources=("$(fixture_dir)/song.wav")
  for i in $(seq 0 $((count - 1))); do
    source=${sources[$((i % ${#sources[@]}))]}
    seconds=$((3 + i % 3))
    offset=$(((i * 7) % 15))
    case $((i % 3)) in
      0) ff -ss "$offset" -t "$seconds" -i "$source" -ac 2 -ar 44100 -c:a libmp3lame -b:a 128k "$dir/clip$i.mp3" ;;
      1) ff -ss "$offset" -t "$seconds" -i "$source" -ac 2 -ar 48000 -c:a flac "$dir/clip$i.flac" ;;
      2) ff -ss "$offset" -t "$seconds" -i "$source" -ac 1 -ar 22050 -c:a pcm_s16le "$dir/clip$i.wav" ;;
    esac
  done
}
