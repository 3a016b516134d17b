#!/usr/bin/env bash
# Playlists in the user's configuration, with the real vibed:
#  - a typo in a playlist's query or sort stops vibed at start with
#    file:line:column and a caret, and a reload with one keeps the old config;
#  - a [[playlist]] of the user's is added to the defaults, which stay;
#  - files of playlists taken out of the configuration are deleted and logged.
source "$(dirname "$0")/lib.sh"

start_test_dir
mkdir -p "$dir/library"
cp "$fixture_dir/song.mp3" "$dir/library/one.mp3"
write_config "$dir"
cp "$dir/config.toml" "$dir/base.toml"

# 1. A typo in a query: vibed refuses to start, naming the place.
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Quiet"
query = "energy < 0.5 and acousticnes > 0.7"
TOML
line=$(grep -n acousticnes "$dir/config.toml" | cut -d: -f1)
if "$vibed" -c "$dir/config.toml" --once > "$dir/start.log" 2>&1; then fail "vibed started with a bad query"; fi
grep -qF "$dir/config.toml:$line:27: playlist \"Quiet\": query: unknown field 'acousticnes'; did you mean 'acousticness'?" \
  "$dir/start.log" || fail "start with a bad query: $(cat "$dir/start.log")"
grep -qF '                            ^' "$dir/start.log" || fail "no caret: $(cat "$dir/start.log")"
[ ! -e "$dir/playlists" ] || fail "playlists were written from a bad configuration"
echo "ok: a query typo stops vibed with its position"

# 2. The user's playlist joins the eight defaults.
cp "$dir/base.toml" "$dir/config.toml"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Everything"
query = "energy >= 0"
TOML
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
# The playlists are published at start-up, before the track is analysed: wait
# for the one that holds it.
wait_until 120 "the playlists with the track" grep -q "one.mp3" "$dir/playlists/Everything.m3u"
for name in "Morning Mix" "Driving Vibes" "Workout" "Focus" "Chill" "Party" "Melancholy" "Acoustic"; do
  [ -f "$dir/playlists/$name.m3u" ] || fail "the default playlist '$name' is missing: $(ls "$dir/playlists")"
done
grep -q "one.mp3" "$dir/playlists/Everything.m3u" || fail "Everything.m3u: $(cat "$dir/playlists/Everything.m3u")"
echo "ok: the user's playlist is added to the defaults"

# 3. A reload with a bad sort keeps the old configuration.
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Hard"
query = "energy > 0.1"
sort = "energy descending"
TOML
line=$(grep -n "energy descending" "$dir/config.toml" | cut -d: -f1)
kill -HUP "$daemon_pid"
wait_until 30 "the refused reload" grep -qF "configuration not reloaded (the running one stays): $dir/config.toml:$line:16: playlist \"Hard\": sort:" "$dir/vibed.log"
[ ! -e "$dir/playlists/Hard.m3u" ] || fail "a playlist of the refused configuration was written"
[ -f "$dir/playlists/Everything.m3u" ] || fail "the old configuration's playlists are gone"
echo "ok: a reload with a sort typo keeps the old configuration"

# 4. Playlists taken out: their files go, and each removal is logged.
cp "$dir/base.toml" "$dir/config.toml"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Party"
enabled = false
TOML
kill -HUP "$daemon_pid"
wait_until 30 "Everything.m3u removed" test ! -e "$dir/playlists/Everything.m3u"
wait_until 10 "Party.m3u removed" test ! -e "$dir/playlists/Party.m3u"
# The log line comes after the file is gone (and through the log's buffer): wait for it too.
for name in Everything Party; do
  wait_until 10 "the removal of $name.m3u logged" \
    grep -qF "removed $dir/playlists/$name.m3u: its playlist is no longer configured" "$dir/vibed.log"
done
[ -f "$dir/playlists/Driving Vibes.m3u" ] || fail "a default playlist went with them"
echo PASS
