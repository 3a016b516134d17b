#!/usr/bin/env bash
# The real vibed on a temporary library: files copied in, renamed, moved
# between folders, a folder moved, files deleted, bad files; after each step
# the index is checked through vibectl.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library/rock" "$dir/library/jazz"
write_config "$dir"

"$vibed" -c "$dir/config.toml" >"$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"

analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
paths_are() { [ "$(indexed_paths "$dir" | tr '\n' ' ')" = "$*" ]; }
L="$dir/library"

# 1. Files copied in are analysed once they settle.
cp "$fixture_dir/song.mp3" "$L/rock/one.mp3"
cp "$fixture_dir/song.flac" "$L/rock/two.flac"
cp "$fixture_dir/song.ogg" "$L/jazz/three.ogg"
echo "not music" > "$L/rock/notes.txt"
wait_until 180 "three tracks analysed" analysed_is 3
paths_are "$L/jazz/three.ogg $L/rock/one.mp3 $L/rock/two.flac " || fail "after copy: $(indexed_paths "$dir")"

# 2. A rename is a path update, not a re-analysis.
analysed_before=$("$vibectl" -c "$dir/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['daemon']['analysed_this_run'])")
mv "$L/rock/one.mp3" "$L/rock/uno.mp3"
wait_until 30 "rename seen" paths_are "$L/jazz/three.ogg $L/rock/two.flac $L/rock/uno.mp3 "

# 3. A move between folders, then a whole folder moved.
mv "$L/rock/two.flac" "$L/jazz/two.flac"
wait_until 30 "move seen" paths_are "$L/jazz/three.ogg $L/jazz/two.flac $L/rock/uno.mp3 "
mv "$L/jazz" "$L/blues"
wait_until 30 "folder move seen" paths_are "$L/blues/three.ogg $L/blues/two.flac $L/rock/uno.mp3 "
sleep 2  # give a wrongly triggered re-analysis the chance to show
analysed_after=$("$vibectl" -c "$dir/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['daemon']['analysed_this_run'])")
[ "$analysed_before" = "$analysed_after" ] || fail "moves re-analysed tracks ($analysed_before -> $analysed_after)"
analysed_is 3 || fail "analysed count changed after moves"

# 4. A file moved into a new sub-folder created after start-up.
mkdir -p "$L/blues/live/1999"
cp "$fixture_dir/song.wav" "$L/blues/live/1999/four.wav"
wait_until 180 "file in a new folder analysed" analysed_is 4

# 5. Deletions, of a file and of a folder.
rm "$L/rock/uno.mp3"
wait_until 30 "file deletion seen" paths_are "$L/blues/live/1999/four.wav $L/blues/three.ogg $L/blues/two.flac "
rm -rf "$L/blues/live"
wait_until 30 "folder deletion seen" paths_are "$L/blues/three.ogg $L/blues/two.flac "

# 6. A broken file is recorded with its error and not retried.
cp "$fixture_dir/text.mp3" "$L/rock/broken.mp3"
wait_until 60 "broken file recorded" bash -c "[ \"\$(\"$vibectl\" -c \"$dir/config.toml\" status --json | python3 -c \"import json,sys; print(json.load(sys.stdin)['tracks']['failed'])\")\" = 1 ]"
"$vibectl" -c "$dir/config.toml" export -f csv | grep -q "broken.mp3,error," || fail "broken file not recorded as error"

# 7. The library folder vanishes (an unmounted disk): the index keeps its
# tracks; when it is back, it is watched again.
total_before=$(status_field "$dir" total)
mv "$L" "$dir/library-unmounted"
sleep 3
[ "$(status_field "$dir" total)" = "$total_before" ] || fail "a vanished library emptied the index"
mv "$dir/library-unmounted" "$L"
cp "$fixture_dir/song.opus" "$L/blues/five.opus"
wait_until 120 "a new file after the library came back" bash -c "$vibectl -c $dir/config.toml export -f csv | grep -q '/five.opus,ok,'"

# 8. SIGHUP reloads the configuration: a new playlist appears.
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Everything Reloaded"
query = "energy >= 0"
TOML
kill -HUP "$daemon_pid"
wait_until 30 "the playlist added by a reload" test -f "$dir/playlists/Everything Reloaded.m3u"

# 9. The playlists were written, and a second daemon on the same index is refused.
ls "$dir/playlists"/*.m3u >/dev/null || fail "no playlists written"
if "$vibed" -c "$dir/config.toml" >"$dir/second.log" 2>&1; then fail "a second daemon started"; fi
grep -q "already running" "$dir/second.log" || fail "second daemon: $(cat "$dir/second.log")"

# 10. SIGTERM stops it cleanly.
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
"$vibectl" -c "$dir/config.toml" status | grep -q "not running" || fail "status without daemon"
echo "daemon watch test: ok"
