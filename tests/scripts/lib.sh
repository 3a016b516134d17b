# Shared by the script tests: paths, a model to test with, a config writer,
# polling. Sourced, not run (it is not named *_test.sh).
set -euo pipefail

source_dir=${VIBED_SOURCE_DIR:?run through ctest, or set VIBED_SOURCE_DIR}
binary_dir=${VIBED_BINARY_DIR:?run through ctest, or set VIBED_BINARY_DIR}
fixture_dir=${VIBED_FIXTURE_DIR:-$binary_dir/fixtures}
vibed="$binary_dir/daemon/vibed"
vibectl="$binary_dir/daemon/vibectl"

fail() { echo "FAIL: $*" >&2; exit 1; }

# The bundled student when it is there, else the imported teacher.
test_model() {
  if [ -n "${VIBED_TEST_MODEL:-}" ]; then echo "$VIBED_TEST_MODEL"
  elif [ -f "$source_dir/model/student.pt" ]; then echo "$source_dir/model/student.pt"
  elif [ -f "$source_dir/model/generated/vibenet.pt" ]; then echo "$source_dir/model/generated/vibenet.pt"
  else fail "no model: commit model/student.pt or run model/import_vibenet.py"
  fi
}

# write_config DIR: a config for a daemon living entirely inside DIR.
write_config() {
  local dir=$1
  cat > "$dir/config.toml" <<TOML
[library]
paths = ["$dir/library"]
[database]
path = "$dir/data/library.db"
[analysis]
model = "$(test_model)"
workers = 2
[daemon]
socket = "$dir/vibed.sock"
settle_seconds = 1
log_level = "debug"
[playlists]
regenerate_delay_seconds = 1
[[output]]
folder = "$dir/playlists"
extension = ".m3u"
path_style = "absolute"
TOML
}

# write_config_with_similarity DIR: write_config, plus an empty DIR/library and
# similarity vectors (the bundled "similarity" model) for radio and journeys.
write_config_with_similarity() {
  mkdir -p "$1/library"
  write_config "$1"
  sed -i 's|^workers = 2|workers = 2\nsimilarity_model = "similarity"|' "$1/config.toml"
}

# copy_fixtures LIBRARY NAMES SOURCES: copies each fixture named in the array
# SOURCES to LIBRARY/<the same entry of the array NAMES>, making its folders.
copy_fixtures() {
  local library=$1 i
  local -n copy_names=$2 copy_sources=$3
  for i in "${!copy_names[@]}"; do
    mkdir -p "$library/$(dirname "${copy_names[$i]}")"
    cp "$fixture_dir/${copy_sources[$i]}" "$library/${copy_names[$i]}"
  done
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s.
wait_until() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${timeout}s waiting for: $what$(daemon_gone_note)"
    sleep 0.2
  done
}

# status_field DIR KEY: one number from `vibectl status --json` (.tracks.KEY).
status_field() {
  "$vibectl" -c "$1/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['tracks']['$2'])"
}

# problem_matches DIR AREA TEXT: `vibectl status` of the daemon configured in
# DIR lists a problem of AREA whose message mentions TEXT.
problem_matches() {
  "$vibectl" -c "$1/config.toml" status --json | python3 -c "
import json, sys
problems = json.load(sys.stdin)['daemon']['problems']
sys.exit(0 if any(p['area'] == sys.argv[1] and sys.argv[2] in p['message'] for p in problems) else 1)" "$2" "$3"
}

# indexed_paths DIR: the paths in the index, one per line, sorted.
indexed_paths() {
  "$vibectl" -c "$1/config.toml" export -f json |
    python3 -c "import json,sys; [print(t['path']) for t in sorted(json.load(sys.stdin), key=lambda t: t['path'])]"
}

# Sets `dir` to a fresh scratch folder and `daemon_pid` to "", and arranges for
# the daemon (when the test started one into daemon_pid) to be stopped and the
# folder removed on exit (KEEP_TEST_DIR=1 keeps it).
start_test_dir() {
  dir=$(mktemp -d)
  daemon_pid=""
  trap 'stop_test_dir' EXIT
}
stop_test_dir() {  # [STATUS]: the test's exit status, when other clean-up ran first
  local status=${1:-$?}
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ "$status" = 0 ] || show_logs
  [ -n "${KEEP_TEST_DIR:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"
}

# A failed test shows the end of each log its daemons wrote: CI keeps nothing
# else, and a daemon that died (a sanitizer report, a crash) says why there.
show_logs() {
  local log
  for log in "$dir"/*.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $(basename "$log"):" >&2
    tail -n 40 "$log" | cut -c1-300 >&2
  done
}

# Appended to a timeout's message when the daemon the test started is gone.
daemon_gone_note() {
  if [ -n "${daemon_pid:-}" ] && ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo " (vibed, pid $daemon_pid, is no longer running)"
  fi
}

# write_mpd_config MUSIC_DIR [LINE...]: $dir/mpd.conf for a test's own mpd
# (socket $dir/mpd.sock, database, log and playlists under $dir/mpd, a null
# output), with the extra LINEs (state_file, password...) added.
write_mpd_config() {
  local music=$1 line
  shift
  mkdir -p "$dir/mpd"
  {
    echo "music_directory    \"$music\""
    echo "playlist_directory \"$dir/mpd\""
    echo "db_file            \"$dir/mpd/database\""
    echo "log_file           \"$dir/mpd/log\""
    echo "bind_to_address    \"$dir/mpd.sock\""
    for line in "$@"; do echo "$line"; done
    printf 'audio_output {\n  type "null"\n  name "null"\n}\n'
  } > "$dir/mpd.conf"
}
# start_test_mpd: runs mpd on $dir/mpd.conf into mpd_pid, until it answers.
start_test_mpd() {
  mpd --no-daemon "$dir/mpd.conf" >> "$dir/mpd.stdout" 2>&1 &
  mpd_pid=$!
  wait_until 20 "mpd to listen on $dir/mpd.sock" env MPD_HOST="$dir/mpd.sock" mpc status
}

# For the scripts that start their own mpd: fail early without it; stop_mpd
# ends the instance whose pid the script put in mpd_pid (safe to call twice).
require_mpd() {
  command -v mpd >/dev/null && command -v mpc >/dev/null || fail "mpd and mpc are needed (scripts/install-deps.sh)"
  mpd_pid=""
}
stop_mpd() {
  if [ -n "$mpd_pid" ]; then kill "$mpd_pid" 2>/dev/null || true; wait "$mpd_pid" 2>/dev/null || true; mpd_pid=""; fi
}
