#!/usr/bin/env bash
# Only the library is ever indexed: `vibectl scan` of a folder outside
# library.paths, or of one that does not exist, is refused with a reason
# (exit 1), and tracks outside the library folders leave the index (here: a
# folder taken out of library.paths, then a reload).
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library" "$dir/second" "$dir/outside"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
cp "$fixture_dir/song.ogg" "$dir/second/two.ogg"
cp "$fixture_dir/song.flac" "$dir/outside/three.flac"
write_config "$dir"
sed -i "s|^paths = .*|paths = [\"$dir/library\", \"$dir/second\"]|" "$dir/config.toml"

"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
wait_until 180 "two tracks analysed" analysed_is 2

# 1. Outside the library, or missing: refused, exit 1.
if "$vibectl" -c "$dir/config.toml" scan "$dir/outside" > "$dir/scan.out" 2>&1; then fail "a scan outside the library was accepted"; fi
grep -qF "'$dir/outside' is outside the library (library.paths: $dir/library, $dir/second)" "$dir/scan.out" ||
  fail "scan outside: $(cat "$dir/scan.out")"
if "$vibectl" -c "$dir/config.toml" scan "$dir/library/nothing-here" > "$dir/scan.out" 2>&1; then
  fail "a scan of a missing folder was accepted"
fi
grep -qF "does not exist" "$dir/scan.out" || fail "scan missing: $(cat "$dir/scan.out")"
"$vibectl" -c "$dir/config.toml" scan "$dir/library" > "$dir/scan.out" 2>&1 || fail "scan of the library: $(cat "$dir/scan.out")"
sleep 2
! indexed_paths "$dir" | grep -q three.flac || fail "a file outside the library was indexed"
echo "ok: scans outside the library are refused"

# 2. A folder taken out of library.paths: its tracks leave the index and the playlists.
sed -i "s|^paths = .*|paths = [\"$dir/library\"]|" "$dir/config.toml"
kill -HUP "$daemon_pid"
only_first_library() { [ "$(indexed_paths "$dir")" = "$dir/library/one.mp3" ]; }
wait_until 60 "the second folder forgotten" only_first_library
grep -q "forgetting 1 indexed track outside the library folders" "$dir/vibed.log" || fail "the removal was not logged"
echo PASS
