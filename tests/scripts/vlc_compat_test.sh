#!/usr/bin/env bash
# VLC compatibility: a playlist in the `uri` path style (percent-encoded
# file:// URIs) plays in a real VLC (cvlc) entry by entry, including names
# with '#' and '?', which VLC reads as URL fragment and query in a plain path.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

write_m3u="$binary_dir/playlist/vibed_write_m3u"
[ -x "$write_m3u" ] || fail "missing $write_m3u (build the vibed_write_m3u target)"
command -v cvlc >/dev/null || fail "cvlc is needed (vlc-bin, scripts/install-deps.sh)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"

music="$dir/music"
tracks=("Sigur Rós/( )/Untitled #1.wav" "Various/What? Why.wav" "100% Pure/a&b;c.wav" "日本/曲.wav")
for track in "${tracks[@]}"; do
  mkdir -p "$music/$(dirname "$track")"
  cp "$fixture_dir/tone-16k.wav" "$music/$track"
done
chmod -R a+rX "$dir"

# VLC refuses to run as root; CI runs as root, so play as nobody.
as_player=()
if [ "$(id -u)" -eq 0 ]; then as_player=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
mkdir -m 777 "$dir/vlc-home"

# play STYLE: writes the tracks in STYLE and prints what VLC opened and refused.
play() {
  local style=$1
  printf '%s\n' "${tracks[@]/#/$music/}" |
    "$write_m3u" "$dir/playlists-$style" "$style" "$music" .m3u "VLC Mix" > "$dir/written" 2>&1 ||
    fail "vibed_write_m3u $style failed: $(cat "$dir/written")"
  chmod -R a+rX "$dir/playlists-$style"
  timeout 120 "${as_player[@]}" env HOME="$dir/vlc-home" cvlc -I dummy --aout=dummy --no-video --play-and-exit -vv \
    "$(cat "$dir/written")" > "$dir/vlc-$style.log" 2>&1 || fail "cvlc failed: $(tail -5 "$dir/vlc-$style.log")"
}

play uri
for track in "${tracks[@]}"; do
  uri=$(python3 -c "import sys,urllib.parse; print('file://' + urllib.parse.quote(sys.argv[1], safe='/-._~'))" "$music/$track")
  grep -qF "\`$uri' successfully opened" "$dir/vlc-uri.log" ||
    fail "VLC did not open $track from the uri playlist:
$(grep -E 'unable to open|cannot open' "$dir/vlc-uri.log")
playlist:
$(cat "$dir/playlists-uri/VLC Mix.m3u")"
done
! grep -E "unable to open|cannot open file" "$dir/vlc-uri.log" || fail "VLC refused entries of the uri playlist"
echo "ok: VLC opens all ${#tracks[@]} entries of the uri playlist"

# For the record (docs/configuration.md): plain absolute paths lose these names in VLC.
play absolute
echo "info: with absolute paths VLC refused $(grep -c 'unable to open' "$dir/vlc-absolute.log" || true) of ${#tracks[@]} entries"
echo PASS
