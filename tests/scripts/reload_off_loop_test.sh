#!/usr/bin/env bash
# A reload is prepared off the event loop (issue 21): while vibed waits for
# its configuration file (here a FIFO nobody writes to yet, standing in for
# a slow disk or a model that takes seconds to load), the control socket
# keeps answering; once the file arrives the reload is applied and
# `vibectl reload` gets its answer. Before the reload worker, the loop itself
# read the file and `status` got no answer.
source "$(dirname "$0")/lib.sh"

start_test_dir
# On a failure: give a reload still waiting for the FIFO its file, so that
# vibed can stop (a SIGTERM waits for the reload being prepared).
unblock_fifo() { [ -p "$dir/config.toml" ] && timeout 5 sh -c "cat '$dir/copy.toml' > '$dir/config.toml'" || true; }
trap 'status=$?; unblock_fifo; stop_test_dir "$status"' EXIT
mkdir -p "$dir/library" "$dir/run"
chmod 700 "$dir/run"
export XDG_RUNTIME_DIR="$dir/run" MPD_HOST="$dir/no-mpd.sock"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
write_config "$dir"
cp "$dir/config.toml" "$dir/copy.toml"

"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"

rm "$dir/config.toml"
mkfifo "$dir/config.toml"
"$vibectl" -c "$dir/copy.toml" reload > "$dir/reload.out" 2>&1 &
reload_pid=$!
# vibed's reload worker now waits in open() for a writer.
opening_fifo() { grep -qE "fifo_open|wait_for_partner" /proc/"$daemon_pid"/task/*/wchan 2>/dev/null; }
wait_until 30 "vibed waiting for the configuration FIFO" opening_fifo

"$vibectl" -c "$dir/copy.toml" status > "$dir/status.out" 2>&1 || fail "status during the reload: $(cat "$dir/status.out")"
grep -q "did not answer" "$dir/status.out" && fail "the loop did not answer during the reload: $(cat "$dir/status.out")"
grep -q "running (pid $daemon_pid)" "$dir/status.out" ||
  fail "status does not come from the running daemon: $(cat "$dir/status.out")"
kill -0 "$reload_pid" 2>/dev/null || fail "vibectl reload returned before the file arrived: $(cat "$dir/reload.out")"
echo "ok: the control socket answers while a reload is prepared"

cat "$dir/copy.toml" > "$dir/config.toml"
rm "$dir/config.toml"
cp "$dir/copy.toml" "$dir/config.toml"
wait "$reload_pid" || fail "vibectl reload: $(cat "$dir/reload.out")"
grep -qx "vibed reloaded its configuration from $dir/config.toml" "$dir/reload.out" || fail "reload said: $(cat "$dir/reload.out")"
echo "ok: the reload is applied once the file arrives"

kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "vibed exited with $? on SIGTERM"
daemon_pid=""
echo PASS
