#!/usr/bin/env bash
# Every M3U vibectl writes takes the path style the player needs (issue 18,
# item 5): `tracks -f m3u --path-style uri` and `radio -o FILE --path-style
# uri` play in a real VLC (cvlc) entry by entry, names with '#' and '?'
# included; `-o` with relative-to-playlist gives entries relative to the
# file's own folder, and the configured outputs keep their own style.
source "$(dirname "$0")/lib.sh"
command -v cvlc >/dev/null || fail "cvlc is needed (vlc-bin, scripts/install-deps.sh)"

start_test_dir
chmod 755 "$dir"
names=("Sigur Rós/Untitled #1.mp3" "Various/What? Why.flac" "100% Pure/a&b;c.ogg" "日本/曲.wav")
sources=(song.mp3 song.flac song.ogg song.wav)
for i in "${!names[@]}"; do
  mkdir -p "$dir/library/$(dirname "${names[$i]}")"
  cp "$fixture_dir/${sources[$i]}" "$dir/library/${names[$i]}"
done
write_config "$dir"
"$vibed" -c "$dir/config.toml" --once > "$dir/vibed.log" 2>&1 || fail "vibed --once: $(tail -5 "$dir/vibed.log")"
mkdir -p "$dir/out"
"$vibectl" -c "$dir/config.toml" tracks 'energy >= 0' -f m3u --path-style uri > "$dir/out/tracks.m3u" 2>/dev/null ||
  fail "tracks -f m3u --path-style uri"
"$vibectl" -c "$dir/config.toml" radio "$dir/library/${names[0]}" -o "$dir/out/radio.m3u" --path-style uri > "$dir/radio.out" 2>&1 ||
  fail "radio -o --path-style uri: $(cat "$dir/radio.out")"
[ "$(grep -c '^file://' "$dir/out/tracks.m3u")" = 4 ] || fail "tracks.m3u: $(cat "$dir/out/tracks.m3u")"
[ "$(grep -c '^file://' "$dir/out/radio.m3u")" = 4 ] || fail "radio.m3u: $(cat "$dir/out/radio.m3u")"
chmod -R a+rX "$dir"

# VLC refuses to run as root; CI runs as root, so play as nobody.
as_player=()
if [ "$(id -u)" -eq 0 ]; then as_player=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
mkdir -m 777 "$dir/vlc-home"
for list in tracks radio; do
  timeout 180 "${as_player[@]}" env HOME="$dir/vlc-home" cvlc -I dummy --aout=dummy --no-video --play-and-exit -vv \
    "$dir/out/$list.m3u" > "$dir/vlc-$list.log" 2>&1 || fail "cvlc $list.m3u failed: $(tail -5 "$dir/vlc-$list.log")"
  for name in "${names[@]}"; do
    uri=$(python3 -c "import sys,urllib.parse; print('file://' + urllib.parse.quote(sys.argv[1], safe='/-._~'))" "$dir/library/$name")
    grep -qF "\`$uri' successfully opened" "$dir/vlc-$list.log" ||
      fail "VLC did not open $name from $list.m3u: $(grep -E 'unable to open|cannot open' "$dir/vlc-$list.log")"
  done
done
echo "ok: VLC opens every entry of tracks -f m3u and radio -o in the uri style"

"$vibectl" -c "$dir/config.toml" radio "$dir/library/${names[0]}" -o "$dir/out/rel.m3u" --path-style relative-to-playlist > /dev/null 2>&1 ||
  fail "radio -o --path-style relative-to-playlist"
grep -qxF "../library/${names[0]}" "$dir/out/rel.m3u" || fail "rel.m3u: $(cat "$dir/out/rel.m3u")"
grep -qxF "$dir/library/${names[0]}" "$dir/playlists/Driving Vibes.m3u" 2>/dev/null ||
  grep -q "^$dir/library/" "$dir"/playlists/*.m3u || fail "the configured absolute output changed style"
echo PASS
