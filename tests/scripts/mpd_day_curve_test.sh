#!/usr/bin/env bash
# [mpd.day_curve] against a real MPD: keep-playing heads for the curve's mood.
# The same lone track is queued twice, once under a curve that is "tense" all
# day and once under one that is "calm" all day; the tracks vibed appends
# must lie closer (in the moods the index stores) to the curve's mood than
# those appended under the other curve. Without the curve both runs append
# the same radio, and the test fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_test_dir
require_mpd
trap 'status=$?; stop_mpd; stop_test_dir $status' EXIT

mkdir -p "$dir/library" "$dir/mpd"
make_track() {  # NAME LAVFI-SOURCE
  ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "$2" -ar 44100 -t 3 "$dir/library/$1.flac"
}
for take in 1 2 3 4; do
  make_track "low$take" "sine=frequency=$((80 + 40 * take)):duration=3"
  make_track "noise$take" "anoisesrc=color=$(echo pink white brown blue | cut -d' ' -f$take):duration=3:amplitude=0.$((2 + take))"
  make_track "beep$take" "sine=frequency=$((440 * take)):duration=3:beep_factor=$((2 * take))"
  make_track "chord$take" "aevalsrc=0.2*sin(2*PI*$((220 + 20 * take))*t)+0.2*sin(2*PI*$((277 + 25 * take))*t)+0.2*sin(2*PI*$((330 + 30 * take))*t):d=3"
done

write_config_with_similarity "$dir"
cat >> "$dir/config.toml" <<TOML
[mpd]
host = "$dir/mpd.sock"
timeout_seconds = 5
keep_playing = true
low_water = 0
add_tracks = 3
TOML
cp "$dir/config.toml" "$dir/base.toml"
"$vibed" -c "$dir/config.toml" --once >"$dir/index.log" 2>&1 || fail "indexing failed"
"$vibectl" -c "$dir/config.toml" export -f json >"$dir/tracks.json"

cat > "$dir/mpd.conf" <<CONF
music_directory    "$dir/library"
playlist_directory "$dir/mpd"
db_file            "$dir/mpd/database"
bind_to_address    "$dir/mpd.sock"
audio_output {
  type "null"
  name "null"
}
CONF
export MPD_HOST="$dir/mpd.sock"
mpd --no-daemon "$dir/mpd.conf" >>"$dir/mpd.stdout" 2>&1 &
mpd_pid=$!
wait_until 20 "mpd to listen on $MPD_HOST" mpc status
mpc -q update --wait
queue_longer_than() { [ "$(mpc playlist | grep -c . || true)" -gt "$1" ]; }

# appended_under MOOD: the tracks keep-playing appends after chord1.flac
# while the day curve says MOOD all day.
appended_under() {
  local mood=$1
  cp "$dir/base.toml" "$dir/config.toml"
  printf '[mpd.day_curve]\n"00:00" = "%s"\n' "$mood" >>"$dir/config.toml"
  mpc -q clear
  "$vibed" -c "$dir/config.toml" >"$dir/vibed-$mood.log" 2>&1 &
  daemon_pid=$!
  mpc -q add chord1.flac
  mpc -q play
  wait_until 30 "vibed to append 3 tracks under a $mood day" queue_longer_than 3
  mpc -q stop
  kill "$daemon_pid" && wait "$daemon_pid" || true
  daemon_pid=""
  grep -q "keep playing: the day curve at [0-9][0-9]:[0-9][0-9] heads for" "$dir/vibed-$mood.log" ||
    fail "vibed did not say where the day curve heads: $(tail -5 "$dir/vibed-$mood.log")"
  mpc -f '%file%' playlist | sed -n '2,4p' >"$dir/appended-$mood"
}
appended_under tense
appended_under calm

python3 - "$dir" <<'PY' || fail "keep-playing did not follow the day curve"
import json, math, os, sys
d = sys.argv[1]
moods = {os.path.basename(t["path"]): (t["mood_valence"], t["mood_arousal"]) for t in json.load(open(f"{d}/tracks.json"))}
points = {"tense": (0.25, 0.75), "calm": (0.75, 0.25)}  # playlist::mood_point
appended = {m: open(f"{d}/appended-{m}").read().split() for m in points}
def mean_distance(tracks, point):
    return sum(math.dist(moods[t], point) for t in tracks) / len(tracks)
for mood, point in points.items():
    other = "calm" if mood == "tense" else "tense"
    own, theirs = mean_distance(appended[mood], point), mean_distance(appended[other], point)
    print(f"towards {mood}: appended {appended[mood]} at mean distance {own:.3f}; under {other}: {theirs:.3f}")
    assert len(appended[mood]) == 3, appended
    assert own < theirs, (mood, own, theirs)
PY
echo PASS
