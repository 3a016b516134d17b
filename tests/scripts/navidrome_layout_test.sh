#!/usr/bin/env bash
# The Navidrome setup of docs/configuration.md ("Navidrome") gives files
# Navidrome can import. Navidrome is not in Debian, so this checks what its
# M3U importer (core/playlists/parse_m3u.go) relies on, on a real vibed run:
# - the playlist lies inside the music folder, under the folder PlaylistsPath names;
# - `#PLAYLIST:` carries the playlist's name (Navidrome's title for it);
# - every entry is a path relative to the playlist's folder that, joined to
#   that folder and cleaned (filepath.Join + Clean), is a track of the library
#   (names with spaces, '#', '&', 'é', '日本' included);
# - vibed writes nothing else into the music folder and indexes no playlist.
source "$(dirname "$0")/lib.sh"

start_test_dir
music="$dir/Music"
mkdir -p "$music/Artist/#1 Hits & B-sides" "$music/日本" "$music/Café"
cp "$fixture_dir/song.mp3" "$music/Artist/#1 Hits & B-sides/01 Intro.mp3"
cp "$fixture_dir/song.flac" "$music/日本/二.flac"
cp "$fixture_dir/song.ogg" "$music/Café/été.ogg"
write_config "$dir"
sed -i "s|^paths = .*|paths = [\"$music\"]|" "$dir/config.toml"
# The output of the docs, in place of write_config's.
python3 - "$dir/config.toml" "$music" <<'PY'
import re, sys
path, music = sys.argv[1:]
text = open(path).read()
text = re.sub(r'\[\[output\]\].*', '', text, flags=re.S)
text += f'''[[output]]
folder = "{music}/Playlists"
extension = ".m3u"
path_style = "relative-to-playlist"

[[playlist]]
name = "Everything I Own"
query = "energy >= 0"
'''
open(path, "w").write(text)
PY
find "$music" -type f | sort > "$dir/before"

"$vibed" -c "$dir/config.toml" --once > "$dir/vibed.log" 2>&1 || fail "vibed --once: $(cat "$dir/vibed.log")"
playlist="$music/Playlists/Everything I Own.m3u"
test -f "$playlist" || fail "no $playlist: $(ls "$music/Playlists" 2>&1)"
grep -qx "#PLAYLIST:Everything I Own" "$playlist" || fail "no #PLAYLIST: name: $(head -3 "$playlist")"

python3 - "$playlist" "$music" <<'PY' || fail "entries Navidrome would not resolve (above)"
import os, sys
playlist, music = sys.argv[1:]
folder = os.path.dirname(playlist)
entries = [l.strip() for l in open(playlist, encoding="utf-8") if l.strip() and not l.startswith("#")]
tracks = {os.path.join(r, f) for r, _, fs in os.walk(music) if r != folder for f in fs}
resolved = set()
for entry in entries:
    if os.path.isabs(entry) or entry.startswith("file://"):
        sys.exit(f"not relative to the playlist: {entry}")
    path = os.path.normpath(os.path.join(folder, entry))  # Go's filepath.Join + Clean
    if path not in tracks:
        sys.exit(f"{entry} -> {path}: not a track of the library")
    resolved.add(path)
if resolved != tracks:
    sys.exit(f"missing from the playlist: {sorted(tracks - resolved)}")
PY
echo "ok: every entry resolves from the playlist's folder to a library track"

# Nothing else written into the music folder; the playlist is not indexed.
find "$music" -type f -not -path "$music/Playlists/*" | sort > "$dir/after"
diff "$dir/before" "$dir/after" > /dev/null || fail "vibed changed the music folder: $(diff "$dir/before" "$dir/after")"
# Besides the playlists, only vibed's list of the files it wrote (which Navidrome skips: not .m3u).
[ "$(find "$music/Playlists" -type f -not -name '*.m3u' -not -name .vibed-playlists | wc -l)" = 0 ] ||
  fail "other files in the playlist folder: $(ls -a "$music/Playlists")"
indexed_paths "$dir" | grep -q '\.m3u$' && fail "a playlist was indexed"
[ "$(indexed_paths "$dir" | wc -l)" = 3 ] || fail "indexed: $(indexed_paths "$dir")"
echo "ok: only the configured playlist folder is written"
