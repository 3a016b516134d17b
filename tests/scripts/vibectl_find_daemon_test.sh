#!/usr/bin/env bash
# vibectl finds the daemon however it was started, takes its options anywhere
# on the command line, and its read-only commands survive a broken config:
# 1. `-c FILE` before or after the subcommand;
# 2. vibed started with `--config X` records where it listens in
#    $XDG_RUNTIME_DIR/vibed.daemon, and a plain `vibectl status` (no -c, no
#    config of its own) reaches it and reads its index;
# 3. a config with a typo: status/tracks/export/doctor say file:line:column on
#    one stderr line and use the running daemon's config; --write refuses;
# 4. a clean stop removes the record; a record left by kill -9 is ignored.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library" "$dir/home" "$dir/run"
chmod 700 "$dir/run"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
write_config "$dir"
# A user with no config of their own and their own runtime directory.
export HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_RUNTIME_DIR="$dir/run"
unset XDG_DATA_HOME XDG_STATE_HOME MPD_HOST MPD_PORT

"$vibed" --config "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the control socket" test -S "$dir/vibed.sock"
analysed_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }
wait_until 180 "one track analysed" analysed_is 1

# 1. Options before or after the subcommand.
for order in "-c $dir/config.toml status" "status -c $dir/config.toml" "status --config $dir/config.toml" \
             "--config=$dir/config.toml status"; do
  # shellcheck disable=SC2086
  "$vibectl" $order > "$dir/status.out" 2>&1 || fail "vibectl $order: $(cat "$dir/status.out")"
  grep -q "^daemon: *running (pid $daemon_pid)" "$dir/status.out" || fail "vibectl $order: $(cat "$dir/status.out")"
done
"$vibectl" tracks 'energy >= 0' -f paths -c "$dir/config.toml" > "$dir/tracks.out" 2>/dev/null || fail "tracks QUERY -c"
grep -qx "$dir/library/one.mp3" "$dir/tracks.out" || fail "tracks QUERY -c: $(cat "$dir/tracks.out")"
echo "ok: options anywhere"

# 2. Not told: the record leads to the daemon and its index.
record="$dir/run/vibed.daemon"
test -f "$record" || fail "no record at $record"
[ "$(stat -c %a "$record")" = 600 ] || fail "the record is $(stat -c %a "$record"), not 600"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['pid']==$daemon_pid and r['socket']=='$dir/vibed.sock' and r['config']=='$dir/config.toml', r" "$record" ||
  fail "record: $(cat "$record")"
"$vibectl" status > "$dir/status.out" 2>&1 || fail "plain status: $(cat "$dir/status.out")"
grep -q "^daemon: *running (pid $daemon_pid)" "$dir/status.out" || fail "plain status: $(cat "$dir/status.out")"
grep -q "^config: *$dir/config.toml" "$dir/status.out" || fail "plain status config: $(cat "$dir/status.out")"
"$vibectl" tracks 'energy >= 0' -f paths > "$dir/tracks.out" 2>/dev/null || fail "plain tracks"
grep -qx "$dir/library/one.mp3" "$dir/tracks.out" || fail "plain tracks: $(cat "$dir/tracks.out")"
echo "ok: a daemon started with --config is found without it"

# 3. A typo on line 4 of a copy of the config.
sed '4s/.*/workerz = 2/' "$dir/config.toml" > "$dir/broken.toml"
sed -n 4p "$dir/broken.toml" | grep -q workerz || fail "the typo was not placed"
for command in "status" "export -f csv" "tracks energy>=0 -f paths" "errors" "doctor" "playlists"; do
  # shellcheck disable=SC2086
  "$vibectl" -c "$dir/broken.toml" $command > "$dir/out" 2> "$dir/err" && code=0 || code=$?
  [ "$code" = 0 ] || [ "$command" = doctor ] || fail "vibectl $command with a broken config exited $code: $(cat "$dir/err")"
  [ "$(grep -c "broken.toml:4:[0-9]*:.*the config is broken, using the running vibed's (pid $daemon_pid" "$dir/err")" = 1 ] ||
    fail "vibectl $command: no one-line file:line:column note: $(cat "$dir/err")"
done
"$vibectl" -c "$dir/broken.toml" status | grep -q "^daemon: *running (pid $daemon_pid)" || fail "broken config: status not from the daemon"
"$vibectl" -c "$dir/broken.toml" export -f csv 2>/dev/null | grep -q "/one.mp3,ok," || fail "broken config: export empty"
if "$vibectl" -c "$dir/broken.toml" playlists --write > "$dir/out" 2> "$dir/err"; then fail "playlists --write ran on a broken config"; fi
grep -q "broken.toml:4:" "$dir/err" || fail "playlists --write: $(cat "$dir/err")"
if "$vibectl" playlist driving --write -c "$dir/broken.toml" > "$dir/out" 2> "$dir/err"; then fail "playlist --write ran on a broken config"; fi
grep -q "broken.toml:4:" "$dir/err" || fail "playlist --write: $(cat "$dir/err")"
# The daemon's own file broken after it started (it keeps running with the
# old one): its record still gives its socket and database.
cp "$dir/config.toml" "$dir/config.saved"
sed -i '4s/.*/workerz = 2/' "$dir/config.toml"
"$vibectl" export -f csv -c "$dir/config.toml" > "$dir/out" 2> "$dir/err" || fail "export, own config broken: $(cat "$dir/err")"
grep -q "/one.mp3,ok," "$dir/out" || fail "export, own config broken: not the daemon's index: $(cat "$dir/err")"
grep -q "config.toml:4:.*using the running vibed's (pid $daemon_pid" "$dir/err" || fail "export, own config broken: $(cat "$dir/err")"
mv "$dir/config.saved" "$dir/config.toml"
echo "ok: read-only commands survive a broken config, writing ones refuse"

# A daemon that accepts but does not answer (stopped, overloaded): status
# says so and shows what the index holds after 5 s, instead of waiting 30 s.
kill -STOP "$daemon_pid"
timeout 20 "$vibectl" -c "$dir/config.toml" status > "$dir/out" 2> "$dir/err" ||
  { kill -CONT "$daemon_pid"; fail "status with a stopped daemon: $(cat "$dir/out" "$dir/err")"; }
kill -CONT "$daemon_pid"
grep -q "vibed did not answer within 5 s; showing what the index holds" "$dir/err" || fail "status, stopped daemon: $(cat "$dir/err")"
grep -q "^tracks: *1 " "$dir/out" || fail "status, stopped daemon: not the index's numbers: $(cat "$dir/out")"
echo "ok: a daemon that does not answer: status falls back to the index"

# 4. A clean stop removes the record; a dead daemon's record is ignored.
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
test ! -e "$record" || fail "the record outlived a clean stop: $(cat "$record")"
"$vibed" --config "$dir/config.toml" > "$dir/vibed2.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the record" test -f "$record"
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
test -f "$record" || fail "kill -9 cannot have removed the record"
"$vibectl" status > "$dir/out" 2> "$dir/err" && code=0 || code=$?
grep -q "running (pid" "$dir/out" && fail "a stale record was believed: $(cat "$dir/out")"
grep -q "no index yet" "$dir/err" || fail "plain status after kill -9 (exit $code): $(cat "$dir/out" "$dir/err")"
"$vibectl" -c "$dir/config.toml" status | grep -q "^daemon: *not running" || fail "status -c after kill -9"
echo "ok: the record goes with a clean stop and a stale one is ignored"
"$vibectl" -c "$dir/broken.toml" status > "$dir/out" 2> "$dir/err" || true
[ "$(grep -c "broken.toml:4:[0-9]*:.*the config is broken, using the built-in defaults$" "$dir/err")" = 1 ] ||
  fail "broken config, no daemon: not one note: $(cat "$dir/err")"
echo "ok: with no daemon, a broken config falls back to the defaults, said once"
