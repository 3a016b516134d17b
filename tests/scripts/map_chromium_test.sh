#!/usr/bin/env bash
# `vibectl map` in a real headless Chromium (Debian's chromium, over the
# DevTools pipe: tests/scripts/map_browser.py): the page draws every track with
# moods, a search and a playlist overlay change what is shown, hover tells the
# track, its moods and why, hostile tags stay text, nothing logs an error. Then
# vibed keeps the map up to date beside the playlists ([playlists] map_file).
source "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || fail "chromium is needed (scripts/install-deps.sh)"

start_test_dir
L="$dir/library"
mkdir -p "$L"
write_config "$dir"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = 'Night & "Day" <b>'
query = 'artist = "Tester"'
TOML

# Tags are hostile input: a title that closes the script element, quotes,
# a line separator (U+2028), a control character, and 日本語.
tag() {  # SOURCE TARGET ARTIST TITLE
  ffmpeg -nostdin -hide_banner -loglevel error -y -i "$1" -c copy -metadata artist="$3" -metadata title="$4" "$2"
}
sox -D -R -q -n -r 44100 -c 2 "$dir/pad.flac" synth 12 sine 220 sine 261.63 sine 329.63 gain -22
sox -D -R -q -n -r 44100 -c 2 "$dir/pulse.flac" synth 0.05 sine 523.25 pad 0 0.45 repeat 23 gain -3
tag "$fixture_dir/song.flac" "$L/a.flac" "Tester" "</script><script>document.title='pwned'</script><img src=x>"
tag "$dir/pad.flac" "$L/b.flac" "Tester" $'Line\u2028break "double" \'single\''
tag "$dir/pulse.flac" "$L/c.flac" "O'Brien & <Sons>" $'bell\x01 日本語'
cp "$fixture_dir/song.mp3" "$L/untagged.mp3"

"$vibed" -c "$dir/config.toml" --once >"$dir/first.log" 2>&1 || fail "vibed --once failed"
uri=$("$vibectl" -c "$dir/config.toml" map -o "$dir/out/map.html" 2>"$dir/map.err") || fail "vibectl map: $(cat "$dir/map.err")"
grep -q "wrote $dir/out/map.html: 4 tracks on the mood plane" "$dir/map.err" || fail "vibectl map said: $(cat "$dir/map.err")"
[ "$uri" = "file://$dir/out/map.html" ] || fail "vibectl map printed $uri"
# The page is self-contained: nothing it could fetch, and exactly its two script elements.
! grep -Eiq '(src|href)=["'"'"']?(https?:|//)' "$dir/out/map.html" || fail "the page refers to the network"
[ "$(grep -oi '</script' "$dir/out/map.html" | wc -l)" = 2 ] || fail "a tag closed a script element"

expected_playlist=$("$vibectl" -c "$dir/config.toml" playlist "night-day-b" -f paths | wc -l)
[ "$expected_playlist" = 2 ] || fail "the test playlist has $expected_playlist tracks, expected 2"

seen=$(python3 "$source_dir/tests/scripts/map_browser.py" "$dir/out/map.html" "$dir/map.png" "o'brien" 'Night & "Day" <b>') ||
  fail "map_browser.py failed"
python3 - "$seen" <<'PY' || fail "the page in chromium: $seen"
import json, sys
seen = json.loads(sys.argv[1])
loaded, searched, cleared, overlay = seen["loaded"], seen["searched"], seen["cleared"], seen["overlay"]
assert loaded["ready"] and loaded["errors"] == 0, loaded
assert (loaded["total"], loaded["drawn"], loaded["visible"]) == ("4", "4", "4"), loaded
assert seen["title"] == "vibed map" and seen["scripts"] == 2 and seen["images"] == 0, seen   # tags stayed text
assert searched["visible"] == "1" and searched["drawn"] == "4", searched     # only O'Brien's track
assert seen["address"] == "#q=o%27brien", seen["address"]                     # the view is in the address
assert cleared["visible"] == "4", cleared
assert overlay["visible"] == "2", overlay                                      # the playlist's two tracks
hover = seen["hover"]
assert hover and hover[0].endswith(seen["first_title"]), hover                  # the track, named
assert any(m in hover[1] for m in ("happy", "tense", "sad", "calm")) and "%" in hover[1], hover
assert hover[3].startswith("why "), hover                                      # explain's reasons
assert "Night & \"Day\" <b>" in hover[-1], hover                              # a.flac is in the playlist
assert seen["console_errors"] == [], seen["console_errors"]
PY
[ -s "$dir/map.png" ] && [ -s "$dir/map-overlay.png" ] || fail "no screenshot"
[ -n "${MAP_SCREENSHOT_DIR:-}" ] && cp "$dir"/map*.png "$MAP_SCREENSHOT_DIR/"

# The daemon keeps the map beside the playlists when asked to, and rewrites it
# when the library changes.
sed -i 's|^\[playlists\]$|[playlists]\nmap_file = "'"$dir"'/playlists/vibed-map.html"|' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" >"$dir/daemon.log" 2>&1 &
daemon_pid=$!
map_count() { python3 -c "
import json, re, sys
text = open(sys.argv[1], encoding='utf-8').read()
island = re.search(r'<script type=\"application/json\" id=\"map-data\">(.*?)</script>', text, re.S).group(1)
print(json.loads(island)['count'])" "$dir/playlists/vibed-map.html" 2>/dev/null; }
map_has() { [ "$(map_count)" = "$1" ]; }
wait_until 60 "the daemon's map with 4 tracks" map_has 4
cp "$fixture_dir/song.ogg" "$L/new.ogg"
wait_until 120 "the daemon's map with the new track" map_has 5
ls -a "$dir/playlists" | grep -q '\.tmp$' && fail "a temporary file was left: $(ls -a "$dir/playlists")"
echo "map_chromium_test: ok"
