#!/usr/bin/env bash
# [mpd] keep_playing against a real MPD started here (null output, so it
# plays in real time): vibed starts before MPD and waits for it; once MPD
# plays a short track with nothing after it, vibed appends tracks like it,
# never one already queued or played; MPD stopped and restarted mid-song is
# picked up again; a wrong password shows in `vibectl status` and vibed keeps
# running. Tracks outside MPD's music_directory are never queued.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_test_dir
require_mpd
trap 'status=$?; stop_mpd; stop_test_dir $status' EXIT

# Twelve 3-second tracks in four "artists", distinct enough to have neighbours.
mkdir -p "$dir/library" "$dir/elsewhere" "$dir/mpd"
n=0
for artist in Low High Noise Pulse; do
  mkdir -p "$dir/library/$artist"
  for take in 1 2 3; do
    n=$((n + 1))
    case $artist in
      Low) source="sine=frequency=$((110 * take)):duration=3" ;;
      High) source="sine=frequency=$((1500 + 700 * take)):duration=3" ;;
      Noise) source="anoisesrc=color=$( [ $take = 1 ] && echo pink || ([ $take = 2 ] && echo white || echo brown) ):duration=3:amplitude=0.3" ;;
      Pulse) source="sine=frequency=220:duration=3:beep_factor=$((take * 2))" ;;
    esac
    ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "$source" -ar 44100 "$dir/library/$artist/take$take.flac"
  done
done
for i in 1 2; do
  ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "sine=frequency=$((300 * i)):duration=3" "$dir/elsewhere/out$i.flac"
done

write_config_with_similarity "$dir"
sed -i "s|^paths = .*|paths = [\"$dir/library\", \"$dir/elsewhere\"]|" "$dir/config.toml"
cat >> "$dir/config.toml" <<TOML
[mpd]
host = "$dir/mpd.sock"
timeout_seconds = 5
keep_playing = true
low_water = 1
add_tracks = 2
no_repeat_hours = 8
TOML

write_mpd_config "$dir/library" "state_file         \"$dir/mpd/state\""
export MPD_HOST="$dir/mpd.sock"  # for mpc; vibed reads the same from its [mpd] host
status() { "$vibectl" -c "$dir/config.toml" status; }
problem_shown() { status | grep -qF "$1"; }
queue_length() { mpc playlist | grep -c . || true; }
# For wait_until, which must re-evaluate: a `test "$(...)"` would be computed once.
queue_longer_than() { [ "$(queue_length)" -gt "$1" ]; }
analysed_count_is() { [ "$(status_field "$dir" analysed)" = "$1" ]; }

# vibed first: MPD is not running yet, which it must report and wait out.
"$vibed" -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 &
daemon_pid=$!
wait_until 30 "vibed to report that MPD is not there" problem_shown "PROBLEM:   mpd: MPD at $dir/mpd.sock: cannot connect"
kill -0 "$daemon_pid" || fail "vibed exited without MPD: $(tail -5 "$dir/vibed.log")"
echo "ok: $(status | grep 'PROBLEM:   mpd')"

start_test_mpd
mpc -q update --wait
wait_until 120 "vibed to analyse the 14 tracks" analysed_count_is 14
wait_until 30 "vibed to connect to MPD" bash -c "'$vibectl' -c '$dir/config.toml' status | grep -qF 'keeping:   MPD at $dir/mpd.sock'"
! problem_shown "PROBLEM:   mpd:" || fail "the MPD problem is still listed after connecting: $(status)"

# One short track, nothing after it: vibed must append before it ends.
mpc -q clear
mpc -q add Low/take1.flac
mpc -q play
wait_until 10 "vibed to append 2 tracks after the only one" queue_longer_than 2
first_song=$(mpc -f '%file%' current)
[ "$first_song" = Low/take1.flac ] || fail "the first song is no longer playing: $first_song"
echo "ok: appended after a lone track: $(mpc -f '%file%' playlist | tr '\n' ' ')"
# As the songs play, the queue keeps being topped up.
wait_until 20 "a second top-up as the queue runs low again" queue_longer_than 4
echo "ok: topped up again: $(queue_length) tracks"

# MPD goes away mid-song and comes back (its state file restores queue and playback).
before=$(queue_length)
stop_mpd
wait_until 15 "vibed to notice MPD is gone" problem_shown "PROBLEM:   mpd: MPD at $dir/mpd.sock"
kill -0 "$daemon_pid" || fail "vibed exited when MPD stopped: $(tail -5 "$dir/vibed.log")"
start_test_mpd
[ "$(mpc status | sed -n 's/^\[\([a-z]*\)\].*/\1/p')" = playing ] || mpc -q play
wait_until 40 "vibed to reconnect and top up after MPD's restart" queue_longer_than "$before"
mpd_problem_gone() { ! problem_shown "PROBLEM:   mpd:"; }
wait_until 10 "the MPD problem to clear after MPD came back" mpd_problem_gone
echo "ok: after MPD's restart the queue grew from $before to $(queue_length)"

# Nothing queued twice, nothing from outside MPD's folder (MPD could not play it anyway).
duplicates=$(mpc -f '%file%' playlist | sort | uniq -d)
[ -z "$duplicates" ] || fail "tracks queued twice: $duplicates"
for i in 1 2; do
  [ "$(grep -c "out$i.flac" "$dir/vibed.log" || true)" -le 1 ] || fail "out$i.flac was warned about more than once"
done

# A wrong password (MPD has none, so any is wrong): reported, vibed keeps going.
sed -i 's|^timeout_seconds = 5|timeout_seconds = 5\npassword = "wrong"|' "$dir/config.toml"
kill -HUP "$daemon_pid"
wait_until 20 "the wrong password to show in vibectl status" problem_shown "mpd: MPD at $dir/mpd.sock: password: incorrect password"
sleep 1
kill -0 "$daemon_pid" || fail "vibed exited at a wrong password"
echo "ok: $(status | grep 'PROBLEM:   mpd')"
echo PASS
