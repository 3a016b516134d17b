#!/usr/bin/env bash
# `vibectl status` says that a changed file waits to settle before it is
# analysed (issue 18, item 7: a file copied in seemed ignored): with
# settle_seconds = 60 a new file is listed as settling, with the setting named.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library"
write_config "$dir"
sed -i 's/^settle_seconds = .*/settle_seconds = 60/' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
wait_until 30 "the first scan" grep -q "scanned library" "$dir/vibed.log"
cp "$fixture_dir/song.mp3" "$dir/library/new.mp3"
settling() { "$vibectl" -c "$dir/config.toml" status | grep -qx "settling:  1 file waits until 60 s pass without a change (\[daemon\] settle_seconds), then is analysed"; }
wait_until 30 "status to say the file settles" settling
[ "$("$vibectl" -c "$dir/config.toml" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['daemon']['settling'])")" = 1 ] ||
  fail "status --json: $("$vibectl" -c "$dir/config.toml" status --json)"
echo PASS
