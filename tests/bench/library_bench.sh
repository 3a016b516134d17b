#!/usr/bin/env bash
# The daemon on a big library: a synthetic library of short files (mixed MP3,
# FLAC and WAV) indexed by `vibed --once`, then a second `vibed --once` on the
# unchanged library (the rescan). Reports tracks/s, CPU per track, the rescan's
# time, and the daemon's memory: peak RSS, and RSS sampled as the count of
# analysed tracks grows, to show that memory stays flat.
#
#   tests/bench/library_bench.sh [--files N] [--model PT] [--workers W] [--keep DIR]
#
# Defaults: 5,000 files, the student (the teacher when no student exists), one
# worker per core. --keep DIR builds the library in DIR and leaves it there.
# The library is 60 distinct 3-5 s clips cut from the corpus (or from the
# fixture song), copied over and over into 50-file album folders.
source "$(dirname "$0")/bench_lib.sh"

file_count=5000
model=""
workers=$(nproc)
work=""
while [ $# -gt 0 ]; do
  case $1 in
    --files) file_count=${2:?}; shift 2 ;;
    --model) model=${2:?}; shift 2 ;;
    --workers) workers=${2:?}; shift 2 ;;
    --keep) work=${2:?}; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
[ -n "$model" ] || model=$(default_model)
[ -f "$model" ] || die "$model: no such model"
model=$(realpath "$model")  # the config accepts absolute paths only
prepare_work_dir

build_targets vibed
pool_size=60

# make_library POOL LIBRARY: file_count copies spread over 50-file albums.
make_library() {
  local pool=$1 library=$2 i clip
  mapfile -t clips < <(find "$pool" -type f | sort)
  for i in $(seq 0 $((file_count - 1))); do
    clip=${clips[$((i % ${#clips[@]}))]}
    mkdir -p "$library/artist$((i / 500))/album$((i / 50))"
    cp "$clip" "$library/artist$((i / 500))/album$((i / 50))/track$i.${clip##*.}"
  done
}

write_config() {
  cat >"$work/config.toml" <<TOML
[library]
paths = ["$work/library"]
[database]
path = "$work/data/library.db"
[analysis]
model = "$model"
workers = $workers
[daemon]
socket = "$work/vibed.sock"
log_level = "warn"
[[output]]
folder = "$work/playlists"
TOML
}

sql() { sqlite3 -cmd '.timeout 5000' "$work/data/library.db" "$1" 2>/dev/null || echo 0; }

# index_once NAME: one `vibed --once` under /usr/bin/time; meanwhile samples
# every second "elapsed_s rss_kb analysed_tracks" into NAME.samples.
index_once() {
  local name=$1 started=$SECONDS pid=""
  /usr/bin/time -o "$work/$name.time" -f '%e %U %S %M' "$vibed" --once -c "$work/config.toml" 2>"$work/$name.log" &
  local time_pid=$!
  while kill -0 "$time_pid" 2>/dev/null; do
    [ -n "$pid" ] || pid=$(pgrep -P "$time_pid" || true)
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
      local rss
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -z "$rss" ] || echo "$((SECONDS - started)) $rss $(sql "SELECT count(*) FROM tracks WHERE status != 'pending'")" >>"$work/$name.samples"
    fi
    sleep 1
  done
  wait "$time_pid" || { tail -n 5 "$work/$name.log" >&2; die "vibed --once failed (log: $work/$name.log)"; }
}

echo "building the library ($file_count files) in $work" >&2
make_clip_pool "$work/pool" "$pool_size"
make_library "$work/pool" "$work/library"
write_config
audio_seconds=$(for f in "$work"/pool/*; do ffprobe -v error -show_entries format=duration -of csv=p=0 "$f"; done |
  awk -v copies="$file_count" -v n="$pool_size" '{s += $1} END {printf "%.0f", s * copies / n}')
library_mb=$(du -sm "$work/library" | cut -f1)

print_machine
echo "model:   $(model_label "$model") ($model), $workers workers"
echo "library: $file_count files (MP3/FLAC/WAV, ~${audio_seconds} s of audio, $library_mb MB)"
echo

index_once first
read -r wall user system peak_kb <"$work/first.time"
ok=$(sql "SELECT count(*) FROM tracks WHERE status = 'ok'")
errors=$(sql "SELECT count(*) FROM tracks WHERE status = 'error'")
last_analysis=$(sql "SELECT max(analyzed_at) FROM tracks")
echo "first index: $ok tracks ok, $errors errors in ${wall} s wall, $(awk -v u="$user" -v s="$system" 'BEGIN {print u + s}') s CPU"
echo "  rate:      $(ratio "$ok" "$wall") tracks/s, $(awk -v u="$user" -v s="$system" -v n="$ok" 'BEGIN {printf "%.1f", (u + s) * 1000 / n}') ms CPU per track"
echo "  peak RSS:  $((peak_kb / 1024)) MB"
echo "  RSS as tracks are analysed (sampled each second):"
# The first sample past each fifth of the library, and the last one.
awk -v step=$((file_count / 5)) '
  function show() { printf "    %5d tracks  %4d MB  (at %d s)\n", $3, $2 / 1024, $1 }
  BEGIN { next_mark = step }
  $3 >= next_mark { show(); shown = NR; while (next_mark <= $3) next_mark += step }
  END { if (shown != NR) show() }' "$work/first.samples"

index_once rescan
read -r wall user system peak_kb <"$work/rescan.time"
[ "$(sql "SELECT max(analyzed_at) FROM tracks")" = "$last_analysis" ] || echo "  WARNING: the rescan re-analysed tracks"
echo
echo "rescan of the unchanged library: ${wall} s wall, $(awk -v u="$user" -v s="$system" 'BEGIN {print u + s}') s CPU, peak RSS $((peak_kb / 1024)) MB"
