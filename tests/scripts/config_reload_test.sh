#!/usr/bin/env bash
# A reload that fails is visible until one succeeds (issue 18, item 1):
#  - a broken playlist rule sent with SIGHUP: `vibectl status` lists the
#    problem, `doctor` says so and exits 1;
#  - `playlist NAME --write` and `play NAME` refuse with file:line:column;
#  - `vibectl reload` asks the daemon and prints the outcome, the refusal
#    with exit 1, a good file with the file it read, and the problem goes.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library" "$dir/run"
chmod 700 "$dir/run"
export XDG_RUNTIME_DIR="$dir/run" MPD_HOST="$dir/no-mpd.sock"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
write_config "$dir"
cp "$dir/config.toml" "$dir/good.toml"

"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
wait_until 180 "one track analysed" analysed_is 1

# 1. The issue's typo, sent with SIGHUP.
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Driving Vibes"
query = "energi < 0.4"
TOML
line=$(grep -n 'energi <' "$dir/config.toml" | cut -d: -f1)
kill -HUP "$daemon_pid"
wait_until 30 "the refused reload in status" problem_matches "$dir" configuration "config.toml:$line:10: playlist \"Driving Vibes\": query: unknown field 'energi'"
"$vibectl" -c "$dir/config.toml" status > "$dir/status.out" 2> "$dir/status.err" || fail "status: $(cat "$dir/status.err")"
grep -q "configuration: not reloaded, the running one stays: .*config.toml:$line:10:.*vibectl reload" "$dir/status.out" ||
  fail "status does not show the failed reload: $(cat "$dir/status.out")"
echo "ok: a failed reload shows in status"

"$vibectl" -c "$dir/config.toml" doctor > "$dir/doctor.out" 2> "$dir/doctor.err" && code=0 || code=$?
[ "$code" = 1 ] || fail "doctor exited $code with a failed reload: $(cat "$dir/doctor.out")"
grep -q "PROBLEM: configuration: not reloaded" "$dir/doctor.out" || fail "doctor: $(cat "$dir/doctor.out")"
grep -q "config.toml:$line:10:.*the config is broken" "$dir/doctor.err" || fail "doctor stderr: $(cat "$dir/doctor.err")"
echo "ok: doctor names the failed reload"

for command in "playlist driving --write" "play driving"; do
  # shellcheck disable=SC2086
  if "$vibectl" -c "$dir/config.toml" $command > "$dir/out" 2> "$dir/err"; then
    fail "vibectl $command ran on a broken config: $(cat "$dir/out" "$dir/err")"
  fi
  grep -q "config.toml:$line:10: playlist \"Driving Vibes\": query: unknown field 'energi'" "$dir/err" ||
    fail "vibectl $command: $(cat "$dir/err")"
done
echo "ok: playlist --write and play refuse a broken rule"

# 2. vibectl reload: the refusal, then a good file.
if "$vibectl" -c "$dir/config.toml" reload > "$dir/out" 2> "$dir/err"; then fail "reload of a broken file succeeded: $(cat "$dir/out")"; fi
grep -q "^vibed: configuration not reloaded (the running one stays): .*config.toml:$line:10:" "$dir/err" ||
  fail "reload: $(cat "$dir/out" "$dir/err")"
cp "$dir/good.toml" "$dir/config.toml"
"$vibectl" -c "$dir/config.toml" reload > "$dir/out" 2> "$dir/err" || fail "reload of a good file: $(cat "$dir/err")"
grep -qx "vibed reloaded its configuration from $dir/config.toml" "$dir/out" || fail "reload said: $(cat "$dir/out")"
if problem_matches "$dir" configuration "not reloaded"; then fail "the problem outlived a good reload"; fi
"$vibectl" -c "$dir/config.toml" doctor > "$dir/doctor.out" 2>&1 || fail "doctor after the fix: $(cat "$dir/doctor.out")"
echo "ok: vibectl reload prints the outcome"

kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
if "$vibectl" -c "$dir/config.toml" reload > "$dir/out" 2> "$dir/err"; then fail "reload without a daemon succeeded"; fi
grep -q "vibed is not running" "$dir/err" || fail "reload without a daemon: $(cat "$dir/err")"
echo PASS
