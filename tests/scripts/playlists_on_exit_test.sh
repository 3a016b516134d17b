#!/usr/bin/env bash
# Playlists are not lost to timing: vibed stopped within
# regenerate_delay_seconds of indexing writes them before it exits, and
# `vibed --once` fails (exit 1) when no playlist file can be written at all.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library"
write_config "$dir"
sed -i 's/^regenerate_delay_seconds = .*/regenerate_delay_seconds = 600/' "$dir/config.toml"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Everything"
query = "energy >= 0"
TOML

# 1. SIGTERM long before the regenerate delay is over.
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
wait_until 120 "the track analysed" analysed_is 1
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
grep -q "one.mp3" "$dir/playlists/Everything.m3u" 2>/dev/null ||
  fail "the playlist written at exit lacks the new track: $(cat "$dir/playlists/Everything.m3u" 2>&1)"
echo "ok: a stop within the regenerate delay still writes the playlists"

# 2. --once with nowhere to write: exit 1 and a reason.
rm -rf "$dir/playlists"
echo "a file, not a folder" > "$dir/playlists"
if "$vibed" -c "$dir/config.toml" --once > "$dir/once.log" 2>&1; then
  fail "vibed --once exited 0 without writing any playlist: $(tail -5 "$dir/once.log")"
fi
grep -q "no playlist file could be written" "$dir/once.log" || fail "--once: $(tail -5 "$dir/once.log")"
grep -q "cannot use playlist folder '$dir/playlists'" "$dir/once.log" || fail "--once did not name the folder: $(tail -5 "$dir/once.log")"
echo PASS
