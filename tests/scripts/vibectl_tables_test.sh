#!/usr/bin/env bash
# vibectl's tables fit the terminal (issue 18, item 4): with COLUMNS=100 no
# row of `tracks`, `playlist`, `similar`, `radio` or `journey` is wider than
# 100 columns, and each names its file relative to the library folder (the
# full path is what `-f paths` is for).
source "$(dirname "$0")/lib.sh"

start_test_dir
long="A Rather Long Artist Name/An Album Title That Goes On (Deluxe Édition)"
names=("$long/01 The First Track With A Long Title.mp3" "$long/02 Second Track, Also Long.flac"
       "$long/03 Third.ogg" "Other/04 Fourth.opus" "Other/05 Fifth.wav")
sources=(song.mp3 song.flac song.ogg song.opus song.wav)
copy_fixtures "$dir/library" names sources
write_config "$dir"
cat >> "$dir/config.toml" <<'TOML'
[[playlist]]
name = "Everything"
query = "energy >= 0"
TOML
"$vibed" -c "$dir/config.toml" --once > "$dir/vibed.log" 2>&1 || fail "vibed --once: $(tail -5 "$dir/vibed.log")"

seed="$dir/library/${names[0]}"
check_table() {  # NAME FILE: every line at most 100 columns, paths relative
  python3 - "$1" "$2" "$dir" <<'PY' || exit 1
import sys, unicodedata
name, path, root = sys.argv[1:]
lines = open(path, encoding="utf-8").read().splitlines()
if not lines: sys.exit(f"FAIL: {name}: no rows")
def width(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)
for line in lines:
    if width(line) > 100: sys.exit(f"FAIL: {name}: a row of {width(line)} columns:\n{line}")
    if root in line: sys.exit(f"FAIL: {name}: an absolute path:\n{line}")
if not any("(Other/0" in line or "(A Rather Long Artist Name/" in line for line in lines):
    sys.exit(f"FAIL: {name}: no path relative to the library:\n" + "\n".join(lines))
PY
}
export COLUMNS=100
"$vibectl" -c "$dir/config.toml" tracks 'energy >= 0 and valence >= 0 and danceability >= 0' > "$dir/tracks.out" 2>/dev/null || fail tracks
check_table tracks "$dir/tracks.out"
"$vibectl" -c "$dir/config.toml" playlist everything > "$dir/playlist.out" 2>/dev/null || fail playlist
check_table playlist "$dir/playlist.out"
"$vibectl" -c "$dir/config.toml" similar "$seed" > "$dir/similar.out" 2>/dev/null || fail similar
check_table similar "$dir/similar.out"
"$vibectl" -c "$dir/config.toml" radio "$seed" > "$dir/radio.out" 2>/dev/null || fail radio
check_table radio "$dir/radio.out"
"$vibectl" -c "$dir/config.toml" journey "$seed" "$dir/library/${names[4]}" > "$dir/journey.out" 2>/dev/null || fail journey
check_table journey "$dir/journey.out"
echo "ok: tables fit 100 columns with paths relative to the library"
grep -q "\.\.\.$" "$dir/tracks.out" || fail "no row was cut, so the test shows nothing: $(cat "$dir/tracks.out")"
"$vibectl" -c "$dir/config.toml" tracks 'energy >= 0' -f paths 2>/dev/null | grep -qx "$seed" || fail "-f paths lost the full path"
unset COLUMNS
"$vibectl" -c "$dir/config.toml" tracks 'energy >= 0 and valence >= 0' 2>/dev/null | cat > "$dir/pipe.out"
grep -q "(A Rather Long Artist Name/An Album Title That Goes On (Deluxe Édition)/01 The First Track With A Long Title.mp3)$" "$dir/pipe.out" ||
  fail "a pipe with no COLUMNS should get whole rows: $(cat "$dir/pipe.out")"
echo PASS
