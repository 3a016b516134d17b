#!/usr/bin/env bash
# A library folder that goes away (issue 19, item 9): the scan says once, not
# at every rescan, how many indexed tracks it keeps until the folder is back;
# when its files were deleted first (their rows went with them) it says that
# nothing is kept, not that tracks are.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library/x"
write_config "$dir"
for n in 1 2 3; do cp "$fixture_dir/song.mp3" "$dir/library/x/s$n.mp3"; done
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
total_is() { [ "$(status_field "$dir" total)" = "$1" ]; }
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
wait_until 180 "three tracks analysed" analysed_is 3

scans() { grep -c "scanned library" "$dir/vibed.log" || true; }
# scan_twice: two whole-library scans, each waited for.
scan_twice() {
  local i before
  for i in 1 2; do
    before=$(scans)
    "$vibectl" -c "$dir/config.toml" scan >/dev/null || fail "vibectl scan"
    rescanned() { [ "$(scans)" -gt "$before" ]; }
    wait_until 60 "scan $i" rescanned
  done
}
said() { grep -cF "$1" "$dir/vibed.log" || true; }

# 1. Gone with its tracks indexed (as an unmounted disk): kept, said once.
mv "$dir/library" "$dir/library.away"
scan_twice
total_is 3 || fail "the tracks of a missing library folder were not kept"
keeping="$dir/library: library folder is missing (unmounted disk?); keeping its 3 indexed tracks until it is back"
[ "$(said "$keeping")" = 1 ] || fail "said $(said "$keeping") times: $keeping"
echo "ok: a missing library folder keeps its tracks, said once"

# 2. Back, then deleted with its files (rm -rf): the watcher removes their
# rows first, so nothing is kept, and nothing may claim it is.
mv "$dir/library.away" "$dir/library"
wait_until 60 "the library folder back" grep -q "library folder is back" "$dir/vibed.log"
wait_until 60 "its tracks rescanned" total_is 3
rm -rf "$dir/library"
nothing="$dir/library: library folder is missing (unmounted disk?); nothing is indexed under it, so nothing is kept"
wait_until 60 "the deletion noticed" grep -qF "$nothing" "$dir/vibed.log"
total_is 0 || fail "the deleted tracks are still indexed"
scan_twice
[ "$(said "$nothing")" = 1 ] || fail "said $(said "$nothing") times: $nothing"
[ "$(said "until it is back")" = 1 ] || fail "the log claims to keep deleted tracks: $(grep "until it is back" "$dir/vibed.log")"
echo "ok: a library deleted with its files says nothing is kept, once"
