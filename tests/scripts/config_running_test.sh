#!/usr/bin/env bash
# vibectl describes the configuration the daemon runs (issue 18, item 2):
# vibed started with no config file runs the built-in defaults; a config
# added later (here with its own socket, which takes effect only after a
# restart) and reloaded is what `vibectl playlists` lists and what the
# daemon's record names, and a file edited since the last reload is named
# as such while vibectl keeps describing what runs.
source "$(dirname "$0")/lib.sh"

start_test_dir
export HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run" MPD_HOST="$dir/no-mpd.sock"
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CACHE_HOME XDG_MUSIC_DIR MPD_PORT
mkdir -p "$HOME/Music" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cp "$fixture_dir/song.mp3" "$HOME/Music/one.mp3"
record="$XDG_RUNTIME_DIR/vibed.daemon"

"$vibed" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 60 "the record" test -f "$record"
analysed() { "$vibectl" status --json | python3 -c "import json,sys; sys.exit(json.load(sys.stdin)['tracks']['analysed'] != 1)"; }
wait_until 180 "one track analysed" analysed
count_playlists() { "$vibectl" playlists 2>/dev/null | wc -l; }
defaults=$(count_playlists)
[ "$defaults" = 8 ] || fail "expected the 8 default playlists, got $defaults: $("$vibectl" playlists 2>&1)"

mkdir -p "$HOME/.config/vibed"
cat > "$HOME/.config/vibed/config.toml" <<TOML
[daemon]
socket = "$dir/other.sock"
[[playlist]]
name = "Everything"
query = "energy >= 0"
[[playlist]]
name = "Nothing"
query = "energy > 0.99"
TOML
"$vibectl" playlists > "$dir/out" 2> "$dir/err"
grep -q "runs the built-in defaults, not $HOME/.config/vibed/config.toml; \`vibectl reload\` applies it" "$dir/err" ||
  fail "no note that the new file is not applied: $(cat "$dir/err")"
[ "$(wc -l < "$dir/out")" = 8 ] || fail "before the reload vibectl lists what does not run: $(cat "$dir/out")"

kill -HUP "$daemon_pid"
wait_until 30 "the reload" grep -q "configuration reloaded from $HOME/.config/vibed/config.toml" "$dir/vibed.log"
wait_until 10 "the record naming the file" grep -qF "\"config\":\"$HOME/.config/vibed/config.toml\"" "$record"
"$vibectl" playlists > "$dir/out" 2> "$dir/err" || fail "playlists: $(cat "$dir/err")"
[ "$(wc -l < "$dir/out")" = 10 ] || fail "vibectl lists $(wc -l < "$dir/out") playlists, the daemon runs 10: $(cat "$dir/out" "$dir/err")"
grep -q "Everything" "$dir/out" || fail "the user's playlist is missing: $(cat "$dir/out")"
[ ! -s "$dir/err" ] || fail "a note although the file is what runs: $(cat "$dir/err")"
"$vibectl" status > "$dir/out" 2>&1 || fail "status: $(cat "$dir/out")"
grep -q "^daemon: *running (pid $daemon_pid)" "$dir/out" || fail "status did not reach the daemon: $(cat "$dir/out")"
grep -q "^config: *$HOME/.config/vibed/config.toml" "$dir/out" || fail "status config: $(cat "$dir/out")"
echo "ok: after the reload vibectl and the record describe the new file"

# Edited, not reloaded: vibectl still lists what runs, and says the file changed.
cat >> "$HOME/.config/vibed/config.toml" <<'TOML'
[[playlist]]
name = "Third"
query = "energy >= 0.5"
TOML
"$vibectl" playlists > "$dir/out" 2> "$dir/err"
[ "$(wc -l < "$dir/out")" = 10 ] || fail "vibectl lists the unapplied edit: $(cat "$dir/out")"
grep -q "config.toml changed since vibed (pid $daemon_pid) read it" "$dir/err" || fail "no note on the edit: $(cat "$dir/err")"
echo PASS
