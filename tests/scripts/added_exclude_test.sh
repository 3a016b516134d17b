#!/usr/bin/env bash
# [playlists] exclude and the `added` field end to end with the real vibed:
# a track tagged genre "Christmas" is in no playlist file vibed writes (rules
# and a radio), nor in `vibectl radio`, though `vibectl tracks` still finds it;
# a "recently added" playlist (`added < 30d`) holds what the index saw lately.
source "$(dirname "$0")/lib.sh"

start_test_dir
L="$dir/library"
write_config_with_similarity "$dir"
sed -i 's|^\[playlists\]$|[playlists]\nexclude = "genre:christmas"\ndefault_playlists = false|' "$dir/config.toml"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Everything"
query = "duration > 0"
[[playlist]]
name = "Recently Added"
query = "added < 30d"
[[playlist]]
name = "Like the song"
kind = "radio"
seed = "title:song"
TOML
tag() {  # SOURCE TARGET GENRE TITLE
  ffmpeg -nostdin -hide_banner -loglevel error -y -i "$1" -c copy -metadata genre="$3" -metadata title="$4" "$2"
}
tag "$fixture_dir/song.flac" "$L/song.flac" "Pop" "song"
tag "$fixture_dir/song.flac" "$L/jingle.flac" "Christmas Pop" "Jingle"
tag "$fixture_dir/song.ogg" "$L/other.ogg" "Rock" "other"
tag "$fixture_dir/song.opus" "$L/more.opus" "Jazz" "more"

"$vibed" -c "$dir/config.toml" --once >"$dir/first.log" 2>&1 || fail "vibed --once failed"
vibectl() { "$vibectl" -c "$dir/config.toml" "$@"; }
[ "$(vibectl tracks 'genre:christmas' -f paths)" = "$L/jingle.flac" ] || fail "tracks does not find the excluded track"
for file in "$dir/playlists/Everything.m3u" "$dir/playlists/Recently Added.m3u" "$dir/playlists/Like the song.m3u"; do
  [ -f "$file" ] || fail "$file was not written: $(ls "$dir/playlists")"
  grep -q "song.flac" "$file" || fail "$file lacks song.flac: $(cat "$file")"
  ! grep -q "jingle" "$file" || fail "$file holds the excluded track"
done
[ "$(grep -c '^/' "$dir/playlists/Everything.m3u")" = 3 ] || fail "Everything: $(cat "$dir/playlists/Everything.m3u")"
! vibectl radio "$L/song.flac" -f paths | grep -q jingle || fail "vibectl radio picked the excluded track"
vibectl playlist everything 2>&1 >/dev/null | grep -qF 'not genre:"christmas"' || fail "playlist does not show the exclusion"

# The index remembers when it first saw each track: make one look 40 days old.
sqlite3 "$dir/data/library.db" "UPDATE tracks SET added_at = added_at - 40 * 86400 WHERE path = '$L/other.ogg'"
[ "$(vibectl tracks 'added > 30d' -f paths)" = "$L/other.ogg" ] || fail "added > 30d: $(vibectl tracks 'added > 30d' -f paths)"
recent=$(vibectl playlist recently-added -f paths | sort | tr '\n' ' ')
[ "$recent" = "$L/more.opus $L/song.flac " ] || fail "Recently Added holds: $recent"
# A rescan of an unchanged library keeps the date; a changed file keeps it too.
touch "$L/other.ogg"
"$vibed" -c "$dir/config.toml" --once >"$dir/second.log" 2>&1 || fail "second vibed --once failed"
[ "$(vibectl tracks 'added > 30d' -f paths)" = "$L/other.ogg" ] || fail "a changed file lost its added date"
# A bad exclusion stops vibed with its place in the file.
sed -i 's|^exclude = .*|exclude = "genr:christmas"|' "$dir/config.toml"
"$vibed" -c "$dir/config.toml" --once >"$dir/bad.log" 2>&1 && fail "vibed accepted a bad exclusion"
grep -q "config.toml:[0-9]*:[0-9]*: playlists.exclude: " "$dir/bad.log" || fail "bad exclusion: $(cat "$dir/bad.log")"
echo "added_exclude_test: ok"
