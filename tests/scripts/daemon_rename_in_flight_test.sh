#!/usr/bin/env bash
# A file renamed while a worker analyses it (issue 19, item 5): the result for
# the old name is dropped as stale, and the new name is analysed without
# waiting for the next full rescan (hourly by default).
source "$(dirname "$0")/lib.sh"
start_test_dir
mkdir -p "$dir/library"
write_config "$dir"
ctl() { "$vibectl" -c "$dir/config.toml" "$@"; }
daemon_field() { ctl status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['daemon']['$1'])"; }
in_flight_is() { [ "$(daemon_field in_flight)" = "$1" ]; }
status_of() { ctl export -f json | python3 -c "
import json, sys
print(next((t['status'] for t in json.load(sys.stdin) if t['path'] == sys.argv[1]), 'absent'))" "$1"; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }

# 80 minutes of noise at 8 kHz (77 MB): long enough to be renamed while it is
# analysed, even on a loaded machine (40 minutes at 16 kHz, the same size,
# was once analysed between two `vibectl status` calls).
sox -D -R -q -n -r 8000 -c 1 -b 16 "$dir/long.wav" synth 4800 pinknoise gain -20
"$vibed" -c "$dir/config.toml" >"$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 30 "vibed answering" ctl status
mv "$dir/long.wav" "$dir/library/long.wav"
wait_until 60 "long.wav being analysed" in_flight_is 1
mv "$dir/library/long.wav" "$dir/library/renamed.wav"
in_flight_is 1 || fail "the analysis ended before the rename; the test needs a longer file"
wait_until 300 "the renamed file analysed" status_is "$dir/library/renamed.wav" ok
status_is "$dir/library/long.wav" absent || fail "the old name is still indexed: $(status_of "$dir/library/long.wav")"
echo "daemon rename in flight test: ok"
