#!/usr/bin/env bash
# MPD compatibility: playlists written by vibed's M3U writer, in the absolute
# and the library-root-relative path styles, load in a real MPD (through mpc)
# as exactly the tracks vibed chose, in vibed's order.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

write_m3u="$binary_dir/playlist/vibed_write_m3u"
[ -x "$write_m3u" ] || fail "missing $write_m3u (build the vibed_write_m3u target)"
command -v mpd >/dev/null && command -v mpc >/dev/null || fail "mpd and mpc are needed (scripts/install-deps.sh)"

dir=$(mktemp -d)
mpd_pid=""
cleanup() {
  if [ -n "$mpd_pid" ]; then kill "$mpd_pid" 2>/dev/null || true; wait "$mpd_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# A small library with names that trip up playlist writers.
music="$dir/music"
tracks=(
  "Miles Davis/Kind of Blue/01 So What.mp3"
  "Björk/Homogenic/Jóga.mp3"
  "Sigur Rós/( )/Untitled #1.mp3"
  "Various/It's \"quoted\" & spaced.mp3"
  "#1 Hits/Number One.mp3"
)
for track in "${tracks[@]}"; do
  mkdir -p "$music/$(dirname "$track")"
  ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "sine=frequency=440:duration=1" -q:a 9 "$music/$track"
done

cat > "$dir/mpd.conf" <<CONF
music_directory    "$music"
playlist_directory "$dir/playlists"
db_file            "$dir/mpd.db"
log_file           "$dir/mpd.log"
bind_to_address    "$dir/mpd.sock"
audio_output {
  type "null"
  name "null"
}
CONF
mkdir -p "$dir/playlists"
mpd --no-daemon "$dir/mpd.conf" 2> "$dir/mpd.stderr" &
mpd_pid=$!
export MPD_HOST="$dir/mpd.sock"
wait_until 20 "mpd to listen on $MPD_HOST" mpc status
mpc -q update --wait

# check_playlist NAME STYLE TRACK...: vibed writes NAME with the given tracks;
# MPD must list it under that very name, with what a file name cannot hold
# ('/') or what SMB/exFAT shares refuse (: ? * " < > |) turned into '-', and
# load exactly those tracks.
check_playlist() {
  local name=$1 style=$2
  shift 2
  local chosen=("$@")
  printf '%s\n' "${chosen[@]/#/$music/}" |
    "$write_m3u" "$dir/playlists" "$style" "$music" .m3u "$name" > "$dir/written" 2> "$dir/warnings" ||
    fail "vibed_write_m3u failed: $(cat "$dir/warnings")"

  local expected=("${chosen[@]}")
  local file
  file=$(cat "$dir/written")
  local listed=${name//[\/:?*\"<>|]/-}
  mpc lsplaylists | grep -qxF "$listed" || fail "mpc lsplaylists does not list '$listed': $(mpc lsplaylists)"
  mpc -q clear
  mpc -q load "$listed" > /dev/null || fail "mpc could not load $listed: $(tail -5 "$dir/mpd.log")"
  local loaded
  loaded=$(mpc -f '%file%' playlist)
  [ "$loaded" = "$(printf '%s\n' "${expected[@]}")" ] ||
    fail "$style: MPD loaded
$loaded
but vibed chose
$(printf '%s\n' "${expected[@]}")
playlist file:
$(cat "$file")"
  echo "ok: $style playlist '$name' loads as ${#expected[@]} tracks in order"
}

order=("${tracks[2]}" "${tracks[0]}" "${tracks[4]}" "${tracks[3]}" "${tracks[1]}")
check_playlist "Absolute Mix" absolute "${order[@]}"
check_playlist "Relative Mix" relative-to-library "${order[@]}"
# Names are kept as written, with what a file name cannot hold replaced.
check_playlist "Rock & Roll: 80's/90's" relative-to-library "${tracks[3]}" "${tracks[4]}"

# A rewrite with another choice is what MPD loads next time.
check_playlist "Absolute Mix" absolute "${tracks[1]}" "${tracks[0]}"
echo "PASS"
