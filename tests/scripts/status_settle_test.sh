#!/usr/bin/env bash
# `vibectl status` says that a changed file waits to settle before it is
# analysed (issue 18, item 7: a file copied in seemed ignored): with
# settle_seconds = 60 a new file is listed as settling, with the setting named.
# And the ETA counts no idle time: a daemon that analysed a track, idled, and
# now waits for a new file says no speed and no ETA rather than one computed
# over its whole run (it said "129 s left" for a batch that took 4 s).
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library"
cp "$fixture_dir/song.flac" "$dir/library/first.flac"
touch -d "1 hour ago" "$dir/library/first.flac"  # settled long ago: analysed at once
write_config "$dir"
sed -i 's/^settle_seconds = .*/settle_seconds = 60/' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
wait_until 30 "the first scan" grep -q "scanned library" "$dir/vibed.log"
analysed() { [ "$(status_field "$dir" analysed)" = 1 ]; }
wait_until 60 "the first track to be analysed" analysed
sleep 3  # idle
cp "$fixture_dir/song.mp3" "$dir/library/new.mp3"
settling() { "$vibectl" -c "$dir/config.toml" status | grep -qx "settling:  1 file waits until 60 s pass without a change (\[daemon\] settle_seconds), then is analysed"; }
wait_until 30 "status to say the file settles" settling
[ "$("$vibectl" -c "$dir/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['daemon']['settling'])")" = 1 ] ||
  fail "status --json: $("$vibectl" -c "$dir/config.toml" status --json)"
daemon_json=$("$vibectl" -c "$dir/config.toml" status --json)
python3 - "$daemon_json" <<'PY' || fail "status --json while the new file settles: $daemon_json"
import json, sys
daemon = json.loads(sys.argv[1])["daemon"]
assert daemon["working"], daemon
assert daemon["analysed_this_run"] == 1, daemon
# Nothing finished since the daemon got busy again: no rate, no ETA.
assert daemon["tracks_per_second"] is None and daemon["eta_seconds"] is None, daemon
PY
sleep 2.5  # a second look, still nothing finished
text=$("$vibectl" -c "$dir/config.toml" status)
grep -q '^work: .*speed not measured yet' <<<"$text" || fail "status while settling: $text"
grep -q 's left' <<<"$text" && fail "status gave an ETA with nothing measured: $text"
echo PASS
