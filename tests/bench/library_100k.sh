#!/usr/bin/env bash
# The daemon on 100,000 tracks in 10,000 folders: unchanged rescans, query
# latency, memory and inotify watches at 10k, 50k and 100k tracks.
#
#   tests/bench/library_100k.sh [--runs R] [--keep DIR] [--reuse DIR] [--sizes "10k 50k 100k"]
#
# The library is 10 parts of 1,000 album folders of 10 files, every file a hard
# link to one of 30 real 3-5 s clips (MP3/FLAC/WAV, make_clip_pool), so 100k
# files cost no disk space. Analysing 100k files for real would take hours on
# a small machine, so vibed analyses a sample for real (the first 10 albums,
# which hold every clip) and bench_fill_index gives every other file the
# analysis of the sample file it links to, through db::Index, with the file's
# own size and mtime: vibed's rescan sees all 100k as unchanged. One start of
# vibed then computes moods and vectors from the stored inputs (no decoding).
# Indexes of 10k (part 0), 50k (parts 0-4) and 100k tracks are kept side by
# side. For each: R timed `vibed --once` rescans, then the daemon itself
# (RSS, watches, whether LibTorch got mapped) and R runs each of
# `vibectl playlist driving` and `vibectl tracks QUERY`. Medians are printed.
# --keep DIR builds everything in DIR and leaves it there (delete it after!);
# --reuse DIR measures again what an earlier --keep DIR built; --sizes picks
# the indexes to measure.
source "$(dirname "$0")/bench_lib.sh"

runs=5
work=""
reuse=""
sizes="10k 50k 100k"
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --keep) work=${2:?}; shift 2 ;;
    --reuse) reuse=$(realpath "${2:?}"); shift 2 ;;
    --sizes) sizes=${2:?}; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
if [ -n "$reuse" ]; then
  work=$reuse
  [ -f "$work/100k/library.db" ] || die "$work: no benchmark library built with --keep"
else
  prepare_work_dir
fi
model=$(realpath "$student_model")
[ -f "$model" ] || die "$model: no student model"
build_targets vibed vibectl bench_fill_index
fill_index="$binary_dir/tests/bench/bench_fill_index"
pool_size=30
parts=10
albums_per_part=1000
tracks_per_album=10
query="energy > 0.6 and artist = 'Artist 1234'"

# make_library POOL LIBRARY: hard links, file i -> clip i % pool_size.
make_library() {
  /usr/bin/python3 - "$1" "$2" "$parts" "$albums_per_part" "$tracks_per_album" <<'PY'
import os, sys
pool, library, parts, albums, tracks = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
clips = sorted(os.path.join(pool, name) for name in os.listdir(pool))
i = 0
for part in range(parts):
    for album in range(albums):
        folder = os.path.join(library, f"part{part}", f"album{part * albums + album:05d}")
        os.makedirs(folder)
        for track in range(tracks):
            clip = clips[i % len(clips)]
            os.link(clip, os.path.join(folder, f"track{i:06d}{os.path.splitext(clip)[1]}"))
            i += 1
PY
}

# write_config NAME ROOT...: a config for an index NAME over these library folders.
write_config() {
  local name=$1 roots="" root
  shift
  for root in "$@"; do roots+="\"$root\", "; done
  cat >"$work/$name.toml" <<TOML
[library]
paths = [${roots%, }]
[database]
path = "$work/$name/library.db"
[analysis]
model = "$model"
workers = $(nproc)
[daemon]
socket = "$work/$name.sock"
log_level = "info"
[[output]]
folder = "$work/$name-playlists"
TOML
}

sql() { sqlite3 -cmd '.timeout 5000' "$work/$1/library.db" "$2"; }

# fill NAME FIRST_PART LAST_PART: index rows for every file of these parts not yet in NAME.
fill() {
  local name=$1 first=$2 last=$3 part
  for part in $(seq "$first" "$last"); do find "$work/library/part$part" -type f; done | sort >"$work/candidates"
  sql "$name" "SELECT path FROM tracks" | sort >"$work/indexed"
  comm -23 "$work/candidates" "$work/indexed" >"$work/to-fill"
  "$fill_index" --database "$work/$name/library.db" --model-sha256 "$model_sha256" --files "$work/to-fill" >&2
}

build_everything() {
  echo "building the library in $work" >&2
  make_clip_pool "$work/pool" "$pool_size"
  make_library "$work/pool" "$work/library"

  # The sample, analysed for real, in the 10k index.
  sample_roots=()
  for album in $(seq -f '%05g' 0 9); do sample_roots+=("$work/library/part0/album$album"); done
  write_config sample "${sample_roots[@]}"
  "$vibed" --once -c "$work/sample.toml" 2>"$work/sample.log" || die "sample analysis failed: $(tail -3 "$work/sample.log")"
  mkdir -p "$work/10k"
  sqlite3 "$work/sample/library.db" "VACUUM INTO '$work/10k/library.db'"
  write_config 10k "$work/library/part0"
  fill 10k 0 0
  mkdir -p "$work/50k" "$work/100k"
  sqlite3 "$work/10k/library.db" "VACUUM INTO '$work/50k/library.db'"
  write_config 50k $(for p in 0 1 2 3 4; do echo "$work/library/part$p"; done)
  fill 50k 1 4
  sqlite3 "$work/50k/library.db" "VACUUM INTO '$work/100k/library.db'"
  write_config 100k "$work/library"
  fill 100k 5 9
  # Moods and vectors from the stored inputs (no audio decoded), once per index.
  for name in 10k 50k 100k; do
    "$vibed" --once -c "$work/$name.toml" 2>"$work/$name-warmup.log" || die "warm-up of $name failed"
  done
}

model_sha256=$(sha256sum "$model" | cut -d' ' -f1)
[ -n "$reuse" ] || build_everything

print_machine
echo "library: $(find "$work/library" -type f | wc -l) files (hard links to $pool_size clips) in $(find "$work/library" -mindepth 2 -type d | wc -l) album folders"
echo "inotify: max_user_watches $(cat /proc/sys/fs/inotify/max_user_watches)"
echo "model:   $(model_label "$model"), $(nproc) workers; $runs runs each, medians"
echo

# inotify_watches PID: watches held by the process's inotify descriptors.
inotify_watches() { cat /proc/"$1"/fdinfo/* 2>/dev/null | grep -c '^inotify wd:' || true; }

for name in $sizes; do
  config="$work/$name.toml"
  last_analysis=$(sql "$name" "SELECT max(analyzed_at) FROM tracks")
  rm -f "$work/$name.rescans"
  for run in $(seq "$runs"); do
    timed "$work/$name.rescans" "$vibed" --once -c "$config"
  done
  [ "$(sql "$name" "SELECT max(analyzed_at) FROM tracks")" = "$last_analysis" ] || echo "  WARNING: a rescan re-analysed tracks"

  "$vibed" -c "$config" >"$work/$name-daemon.log" 2>&1 &
  daemon_pid=$!
  started=$SECONDS
  until grep -q "scanned library:" "$work/$name-daemon.log"; do
    kill -0 "$daemon_pid" 2>/dev/null || die "vibed exited: $(tail -3 "$work/$name-daemon.log")"
    [ $((SECONDS - started)) -lt 300 ] || die "no start-up scan after 300 s"
    sleep 0.2
  done
  scan_seconds=$((SECONDS - started))
  sleep 5  # let the publisher write the playlists and the loop settle
  rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status")
  hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
  watches=$(inotify_watches "$daemon_pid")
  torch=no
  grep -q libvibed_torch_model "/proc/$daemon_pid/maps" && torch=yes
  status_line=$("$vibectl" -c "$config" status | grep -m1 '^work:' || true)

  rm -f "$work/$name.playlist" "$work/$name.tracks"
  for run in $(seq "$runs"); do
    timed "$work/$name.playlist" "$vibectl" -c "$config" playlist driving
    timed "$work/$name.tracks" "$vibectl" -c "$config" tracks "$query"
  done
  driving_count=$(($("$vibectl" -c "$config" playlist driving -f csv | wc -l) - 1))
  tracks_count=$("$vibectl" -c "$config" tracks -f paths "$query" | wc -l)
  kill "$daemon_pid"
  wait "$daemon_pid" || true

  echo "$name: $(sql "$name" "SELECT count(*) FROM tracks WHERE status = 'ok'") tracks ok"
  echo "  rescan (vibed --once):  $(median_column "$work/$name.rescans" 1) s wall, $(median_column "$work/$name.rescans" 2) s CPU, peak RSS $(($(median_column "$work/$name.rescans" 3) / 1024)) MB"
  echo "  daemon:                 start-up scan done after ~${scan_seconds} s; RSS $((rss_kb / 1024)) MB (peak $((hwm_kb / 1024)) MB); $watches inotify watches; LibTorch mapped: $torch; $status_line"
  echo "  vibectl playlist driving: $(median_column "$work/$name.playlist" 1) s wall, $(median_column "$work/$name.playlist" 2) s CPU ($driving_count tracks)"
  echo "  vibectl tracks \"$query\": $(median_column "$work/$name.tracks" 1) s wall, $(median_column "$work/$name.tracks" 2) s CPU ($tracks_count tracks)"
done
