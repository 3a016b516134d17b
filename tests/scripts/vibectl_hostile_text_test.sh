#!/usr/bin/env bash
# Tags and file names are whatever a download brought (issue 19, items 6 and 7):
#   - `tracks`, `explain`, `similar`, `errors` and `analyze` show escape
#     sequences (clear screen, OSC title and clipboard writes), CR and LF from
#     tags and names as \xHH, one line per track, never raw;
#   - JSON output (`tracks -f json`, `export -f json`, `analyze -f json`) with a
#     file name that is not UTF-8 (a Latin-1 rip) is valid JSON holding every
#     track, that path escaped, and a line on stderr naming the file.
source "$(dirname "$0")/lib.sh"
start_test_dir
mkdir -p "$dir/library"
write_config "$dir"
ctl() { "$vibectl" -c "$dir/config.toml" "$@"; }

hostile=$'evil\e[2J\e]0;pwned\a\r\nforged.flac'
ffmpeg -loglevel error -i "$fixture_dir/song.flac" -c copy \
  -metadata title=$'Title\e]52;c;aGk=\a' -metadata artist=$'\e[31mArtist\r' "$dir/library/$hostile" ||
  fail "ffmpeg could not write the hostile tags"
latin1=$'caf\xe9.flac'
cp "$fixture_dir/song.flac" "$dir/library/$latin1"
cp "$fixture_dir/song.mp3" "$dir/library/plain.mp3"
cp "$fixture_dir/text.mp3" "$dir/library/"$'bad\e]52;c;aGk=\a.mp3'
timeout 300 "$vibed" -c "$dir/config.toml" --once >"$dir/once.log" 2>&1 || true
[ "$(status_field "$dir" ok)" = 3 ] || fail "expected 3 analysed tracks: $(ctl status)"

# No byte a terminal obeys (C0 but LF, DEL) in what vibectl prints for people.
raw_controls() { LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$1" || true; }
check_text() {  # NAME FILE EXPECTED_LINES
  [ "$(raw_controls "$2")" = 0 ] || fail "$1 printed raw control characters: $(od -c "$2" | head -20)"
  [ "$(wc -l < "$2")" = "$3" ] || fail "$1 printed $(wc -l < "$2") lines, expected $3: $(cat -v "$2")"
}
ctl tracks 'energy >= 0' >"$dir/tracks.txt" 2>/dev/null || fail "tracks failed"
check_text tracks "$dir/tracks.txt" 4  # a header and three tracks
grep -qF 'evil\x1b[2J\x1b]0;pwned\x07\x0d\x0aforged.flac' "$dir/tracks.txt" || fail "tracks: name not escaped: $(cat "$dir/tracks.txt")"
grep -qF '\x1b[31mArtist\x0d - Title\x1b]52;c;aGk=\x07' "$dir/tracks.txt" || fail "tracks: tags not escaped: $(cat "$dir/tracks.txt")"
grep -qF 'caf\xe9.flac' "$dir/tracks.txt" || fail "tracks: Latin-1 name not escaped: $(cat "$dir/tracks.txt")"

ctl explain "$dir/library/$hostile" >"$dir/explain.txt" 2>&1 || fail "explain failed: $(cat -v "$dir/explain.txt")"
[ "$(raw_controls "$dir/explain.txt")" = 0 ] || fail "explain printed raw control characters: $(cat -v "$dir/explain.txt")"
head -n 1 "$dir/explain.txt" | grep -qF 'Title\x1b]52' || fail "explain: $(cat -v "$dir/explain.txt")"

if ctl similar "$dir/library/plain.mp3" >"$dir/similar.txt" 2>"$dir/similar.err"; then
  check_text similar "$dir/similar.txt" 3  # a header and the two other tracks
else
  grep -q "similarity" "$dir/similar.err" || fail "similar: $(cat -v "$dir/similar.err")"
fi

ctl errors >"$dir/errors.txt" 2>/dev/null || fail "errors failed"
check_text errors "$dir/errors.txt" 1
grep -qF 'bad\x1b]52;c;aGk=\x07.mp3' "$dir/errors.txt" || fail "errors: $(cat -v "$dir/errors.txt")"

# A command failing on a hostile name says so in one escaped line.
ctl explain "$dir/library/no-such"$'\e[2J.mp3' >"$dir/fail.txt" 2>&1 && fail "explain of a missing file succeeded"
check_text "an error message" "$dir/fail.txt" 1

# JSON: valid, every track, the Latin-1 name escaped, and named on stderr.
check_json() {  # NAME FILE COUNT
  python3 - "$2" "$3" <<'PY' || fail "$1: $(head -c 600 "$2")"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(rows) == int(sys.argv[2]), len(rows)
paths = [r["path"] for r in rows]
assert any(p.endswith("caf\\xe9.flac") for p in paths), paths
assert any(p.endswith("evil\x1b[2J\x1b]0;pwned\x07\r\nforged.flac") for p in paths), paths
PY
}
ctl tracks 'energy >= 0' -f json >"$dir/tracks.json" 2>"$dir/tracks.err" || fail "tracks -f json: $(cat "$dir/tracks.err")"
check_json "tracks -f json" "$dir/tracks.json" 3
grep -qF 'caf\xe9.flac: the file name is not UTF-8' "$dir/tracks.err" || fail "tracks -f json: the file is not named: $(cat "$dir/tracks.err")"
ctl export -f json >"$dir/export.json" 2>"$dir/export.err" || fail "export -f json: $(cat "$dir/export.err")"
check_json "export -f json" "$dir/export.json" 4
"$vibectl" analyze --model "$(test_model)" -f json -q "$dir/library/$latin1" "$dir/library/$hostile" \
  >"$dir/analyze.json" 2>"$dir/analyze.err" || fail "analyze -f json: $(cat "$dir/analyze.err")"
check_json "analyze -f json" "$dir/analyze.json" 2
"$vibectl" analyze --model "$(test_model)" -q "$dir/library/$latin1" "$dir/library/$hostile" >"$dir/analyze.txt" 2>&1 ||
  fail "analyze: $(cat -v "$dir/analyze.txt")"
check_text analyze "$dir/analyze.txt" 3
echo "vibectl hostile text test: ok"
