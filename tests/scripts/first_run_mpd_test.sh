#!/usr/bin/env bash
# A new user with MPD: a home folder with ~/Music and MPD's own per-user
# configuration, nothing of vibed's. The README's first command
# (scripts/run.sh ~/Music) must leave every default playlist where MPD lists
# it under its own name ("Driving Vibes"), and MPD must load exactly the
# tracks vibed chose.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v mpd >/dev/null && command -v mpc >/dev/null || fail "mpd and mpc are needed (scripts/install-deps.sh)"

dir=$(mktemp -d)
mpd_pid=""
cleanup() {
  if [ -n "$mpd_pid" ]; then kill "$mpd_pid" 2>/dev/null || true; wait "$mpd_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# A fresh user: nothing but HOME; the XDG variables unset, as on a console login.
export HOME="$dir/home"
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CACHE_HOME XDG_MUSIC_DIR
export XDG_RUNTIME_DIR="$dir/run"
mkdir -p "$HOME/Music" "$XDG_RUNTIME_DIR" "$HOME/.config/mpd/playlists"
chmod 700 "$XDG_RUNTIME_DIR"

names=("Björk/Jóga.mp3" "Sigur Rós/Untitled #1.flac" "Various/What? & Why.ogg" "日本/曲.opus" "Plain/song.wav"
       "Plain/tone.wav" "Plain/short.wav")
sources=(song.mp3 song.flac song.ogg song.opus song.wav tone-16k.wav 8ch-192k.wav)
for i in "${!names[@]}"; do
  mkdir -p "$HOME/Music/$(dirname "${names[$i]}")"
  cp "$fixture_dir/${sources[$i]}" "$HOME/Music/${names[$i]}"
done

# MPD's per-user setup as its documentation suggests it.
cat > "$HOME/.config/mpd/mpd.conf" <<CONF
music_directory    "~/Music"
playlist_directory "~/.config/mpd/playlists"
db_file            "~/.config/mpd/database"
log_file           "~/.config/mpd/log"
bind_to_address    "$dir/mpd.sock"
audio_output {
  type "null"
  name "null"
}
CONF
mpd --no-daemon > "$dir/mpd.stdout" 2>&1 &
mpd_pid=$!
export MPD_HOST="$dir/mpd.sock"
wait_until 20 "mpd to listen on $MPD_HOST" mpc status
mpc -q update --wait

VIBED_BUILD_DIR="$binary_dir" "$source_dir/scripts/run.sh" "$HOME/Music" > "$dir/run.out" 2>&1 ||
  fail "scripts/run.sh failed: $(tail -20 "$dir/run.out")"
grep -q "MPD: writing playlists to $HOME/.config/mpd/playlists" "$dir/run.out" ||
  fail "vibed did not say it writes for MPD: $(grep MPD "$dir/run.out")"

listed=$(mpc lsplaylists)
nonempty=0
for name in "Morning Mix" "Driving Vibes" "Workout" "Focus" "Chill" "Party" "Melancholy" "Acoustic"; do
  grep -qxF "$name" <<<"$listed" || fail "mpc lsplaylists does not list '$name'; it lists: $listed"
  # What MPD loads is what vibed chose, in vibed's order.
  expected=$("$vibectl" playlist "$name" -f json 2>/dev/null |
    python3 -c "import json,os,sys; [print(os.path.relpath(t['path'], os.environ['HOME'] + '/Music')) for t in json.load(sys.stdin)]")
  mpc -q clear
  mpc -q load "$name" > /dev/null || fail "mpc load '$name' failed: $(tail -5 "$HOME/.config/mpd/log")"
  loaded=$(mpc -f '%file%' playlist)
  [ "$loaded" = "$expected" ] || fail "'$name': MPD loaded
$loaded
but vibed chose
$expected"
  # MPD takes an #EXTINF title for the song's Name and mpc shows "Name: Artist - Title":
  # vibed gives MPD none, so each song shows once, from its own tags.
  named=$(mpc -f '[%name%]' playlist | grep -c . || true)
  [ "$named" = 0 ] || fail "'$name': MPD shows a Name for $named songs (the title twice): $(mpc playlist | head -3)"
  [ -z "$loaded" ] || nonempty=$((nonempty + 1))
  echo "ok: MPD lists '$name' and loads its $(grep -c . <<<"$loaded" || true) tracks"
done
[ "$nonempty" -gt 0 ] || fail "every playlist MPD loaded was empty"
# vibectl doctor says what MPD sees and why.
"$vibectl" doctor > "$dir/doctor" || fail "vibectl doctor failed: $(cat "$dir/doctor")"
grep -qF "configuration:      $HOME/.config/mpd/mpd.conf" "$dir/doctor" || fail "doctor did not name mpd.conf: $(cat "$dir/doctor")"
grep -qF "playlists written there: MPD lists .m3u files" "$dir/doctor" || fail "doctor: $(cat "$dir/doctor")"
mpc -q clear
mpc -q load "Driving Vibes" > /dev/null
driving=$(mpc playlist | grep -c . || true)
grep -qE "Driving Vibes.m3u +$driving tracks" "$dir/doctor" || fail "doctor does not show Driving Vibes.m3u with $driving tracks: $(cat "$dir/doctor")"
cat "$dir/doctor"
# The playlists are still written where they were before, for other players.
[ -f "$HOME/.local/share/vibed/playlists/Driving Vibes.m3u8" ] || fail "the built-in output folder lost its files"
echo PASS
