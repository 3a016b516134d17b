#!/usr/bin/env bash
# The smaller first-hour fixes of issue 18, item 7, with the real vibed and vibectl:
#  - `tracks` takes unquoted beets-style terms, as `play` does;
#  - `radio -o FILE` writes the file and still prints the table;
#  - `playlist NAME --new-draw` writes the new draw; `--dry-run` says which
#    files would change and how, and writes nothing;
#  - `export -f json` gives null for "no tempo" and the key and mode by name;
#  - a playlist named with ':' and '?' gets a file name SMB/exFAT accept;
#  - a mistyped command gets "did you mean", as a mistyped query field does.
source "$(dirname "$0")/lib.sh"

start_test_dir
names=("Alpha/one.mp3" "Alpha/two.flac" "Beta/three.ogg" "Beta/four.opus" "Beta/tone.wav")
sources=(tagged.mp3 tagged.flac song.ogg song.opus tone-16k.wav)
copy_fixtures "$dir/library" names sources
write_config "$dir"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Mix: all?"
query = "energy >= 0"
shuffle = true
TOML
"$vibed" -c "$dir/config.toml" --once > "$dir/vibed.log" 2>&1 || fail "vibed --once: $(tail -5 "$dir/vibed.log")"
v() { "$vibectl" -c "$dir/config.toml" "$@"; }

# Unquoted terms.
artist=$(v export -f json | python3 -c "import json,sys; print(next(t['artist'] for t in json.load(sys.stdin) if t['artist']))")
[ -n "$artist" ] || fail "the fixtures have no artist tag"
v tracks "artist:$artist" energy '>=' 0 -f paths > "$dir/out" 2> "$dir/err" || fail "unquoted tracks terms: $(cat "$dir/err")"
[ -s "$dir/out" ] || fail "unquoted tracks terms matched nothing: $(cat "$dir/err")"
echo "ok: tracks takes unquoted terms"

# radio -o prints the table too.
v radio "$dir/library/${names[0]}" -o "$dir/radio.m3u" > "$dir/out" 2> "$dir/err" || fail "radio -o: $(cat "$dir/err")"
grep -q "^$dir/library/" "$dir/radio.m3u" || fail "radio -o wrote: $(cat "$dir/radio.m3u")"
grep -q "^   1 " "$dir/out" || fail "radio -o printed no table: $(cat "$dir/out")"
echo "ok: radio -o writes the file and prints the table"

# The playlist's file name, --dry-run and --new-draw.
file="$dir/playlists/Mix- all-.m3u"
[ -f "$file" ] || fail "no file named for SMB/exFAT: $(ls "$dir/playlists")"
cp "$file" "$dir/before.m3u"
v playlist mix-all --dry-run > /dev/null 2> "$dir/err" || fail "--dry-run: $(cat "$dir/err")"
grep -qF "unchanged: $file" "$dir/err" || fail "--dry-run of an unchanged playlist: $(cat "$dir/err")"
grep -v '^#' "$file" | head -1 > "$dir/first"
sed -i "\|$(cat "$dir/first")|d" "$file"   # a file one track short of what vibed would write
v playlist mix-all --dry-run > /dev/null 2> "$dir/err" || fail "--dry-run: $(cat "$dir/err")"
grep -qF "would rewrite $file: 5 tracks, 1 new, 0 gone" "$dir/err" || fail "--dry-run: $(cat "$dir/err")"
[ "$(grep -vc '^#' "$file")" = 4 ] || fail "--dry-run wrote the file"
cp "$dir/before.m3u" "$file"
changed=0
for attempt in 1 2 3 4 5; do   # a new draw of 5 tracks may repeat the order; five in a row do not
  v playlist mix-all --new-draw > /dev/null 2> "$dir/err" || fail "--new-draw: $(cat "$dir/err")"
  grep -qF "$file" "$dir/err" || fail "--new-draw did not write: $(cat "$dir/err")"
  cmp -s "$file" "$dir/before.m3u" || { changed=1; break; }
done
[ "$changed" = 1 ] || fail "--new-draw never changed the file"
echo "ok: --dry-run says what would change; --new-draw writes the new draw"

# JSON: no tempo is null; key and mode by name.
v export -f json | python3 -c "
import json, sys
tracks = [t for t in json.load(sys.stdin) if t['status'] == 'ok']
assert tracks, 'no analysed tracks'
for t in tracks:
    assert t['bpm'] is None or t['bpm'] > 0, ('bpm', t['path'], t['bpm'])
    assert t['key'] is None or t['key'] in 'C C# D D# E F F# G G# A A# B'.split() or t['key'] in 'Db Eb Gb Ab Bb'.split(), ('key', t['key'])
    assert t['mode'] in (None, 'major', 'minor'), ('mode', t['mode'])
    if t['key'] is not None: assert t['key_name'].startswith(t['key'] + ' '), (t['key'], t['key_name'])
print(sum(t['bpm'] is None for t in tracks), 'without tempo')
" > "$dir/json.out" 2>&1 || fail "export -f json: $(cat "$dir/json.out")"
echo "ok: export -f json: $(cat "$dir/json.out"), key and mode by name"
# Typos: a command and a query field.
if v stauts > "$dir/out" 2> "$dir/err"; then fail "vibectl stauts succeeded"; fi
grep -qx "vibectl: unknown command 'stauts'; did you mean 'status'?" "$dir/err" || fail "stauts: $(cat "$dir/err")"
if v -c "$dir/config.toml" xyzzy > "$dir/out" 2> "$dir/err"; then fail "vibectl xyzzy succeeded"; fi
grep -q "^vibectl: unknown command 'xyzzy'; commands are .*status" "$dir/err" || fail "xyzzy: $(cat "$dir/err")"
if v tracks artst:x > "$dir/out" 2> "$dir/err"; then fail "a query typo succeeded"; fi
grep -q "unknown field 'artst'; did you mean 'artist'?" "$dir/err" || fail "query typo: $(cat "$dir/err")"
echo "ok: did you mean, for commands and query fields"
echo PASS
