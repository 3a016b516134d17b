#!/usr/bin/env bash
# Radios and MPD's queue, against a real MPD started here (issue 18, item 7):
# `play --append radio SEED` queues neither the seed nor any track already in
# the queue; `radio --current` and `play radio --current` start at the song
# MPD plays now (blissify's main use): the song plays on undisturbed and the
# rest of the queue becomes tracks like it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_test_dir
require_mpd
trap 'status=$?; stop_mpd; stop_test_dir $status' EXIT

write_config_with_similarity "$dir"
L="$dir/library"
make_track() {  # make_track FILE ARTIST SOX-SYNTH-ARGS...
  local file=$1 artist=$2
  shift 2
  sox -D -R -q -n -r 22050 -c 1 --comment "ARTIST=$artist" --comment "TITLE=$(basename "$file" .flac)" "$file" "$@"
}
make_track "$L/soft-a.flac" Quiet synth 8 sine 220 gain -30
make_track "$L/soft-b.flac" Hush synth 8 sine 330 gain -28
make_track "$L/soft-c.flac" Calm synth 8 sine 262 sine 330 gain -26
make_track "$L/soft-d.flac" Still synth 8 sine 196 gain -27
make_track "$L/noise-a.flac" Noisy synth 8 pinknoise gain -6
make_track "$L/noise-b.flac" Static synth 8 whitenoise gain -8
make_track "$L/pulse-a.flac" Beat synth 0.05 sine 523.25 pad 0 0.45 repeat 15 gain -3
make_track "$L/pulse-b.flac" Drums synth 0.05 square 300 pad 0 0.30 repeat 24 gain -5
cat >> "$dir/config.toml" <<TOML
[mpd]
host = "$dir/mpd.sock"
timeout_seconds = 5
TOML
"$vibed" --once -c "$dir/config.toml" > "$dir/vibed.log" 2>&1 || fail "vibed --once failed: $(tail -5 "$dir/vibed.log")"

write_mpd_config "$L"
start_test_mpd
mpc_() { MPD_HOST="$dir/mpd.sock" mpc "$@"; }
mpc_ -q update --wait

vibectl() { "$vibectl" -c "$dir/config.toml" "$@"; }
queue() { mpc_ -f '%file%' playlist; }
no_track_twice() {  # no_track_twice WHAT
  [ -z "$(queue | sort | uniq -d)" ] || fail "$1 queued a track twice:
$(queue)"
}

# 1. play radio, then play --append radio from the same seed: only new tracks.
vibectl play radio "$L/soft-a.flac" --limit 3 --artist-gap 0 > "$dir/first.out" 2> "$dir/first.err" ||
  fail "play radio failed: $(cat "$dir/first.err")"
[ "$(queue | wc -l)" = 3 ] || fail "play radio --limit 3 queued: $(queue)"
first=$(queue)
vibectl play --append radio "$L/soft-a.flac" --limit 3 --artist-gap 0 > "$dir/append.out" 2> "$dir/append.err" ||
  fail "play --append radio failed: $(cat "$dir/append.err")"
[ "$(queue | head -n 3)" = "$first" ] || fail "--append changed what was queued: $(queue)"
no_track_twice "play --append radio"
[ "$(queue | grep -c '^soft-a.flac$')" = 1 ] || fail "the seed was queued again: $(queue)"
[ "$(queue | wc -l)" = 6 ] || fail "--append radio --limit 3 should add 3 new tracks (the seed is queued already): $(queue)"
grep -qF "appended 3 tracks of the radio from soft-a" "$dir/append.out" || fail "append said: $(cat "$dir/append.out")"
echo "ok: play --append radio queued 3 new tracks, not the seed nor the radio already queued"

# 2. vibectl radio --current: the radio from the song MPD is at.
mpc_ -q play 5
mpc_ -q pause
current=$(mpc_ -f '%file%' current)
vibectl radio --current --limit 3 --artist-gap 0 -f csv > "$dir/radio.csv" 2> "$dir/radio.err" ||
  fail "radio --current failed: $(cat "$dir/radio.err")"
python3 - "$dir/radio.csv" "$L/$current" <<'PY' || fail "radio --current: $(cat "$dir/radio.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3, rows
assert rows[0]["path"] == sys.argv[2], (rows[0]["path"], sys.argv[2])
PY
echo "ok: radio --current starts at $current"

# 3. play radio --current: the current song stays (still paused, still current),
#    the rest of the queue becomes tracks like it.
vibectl play radio --current --limit 3 --artist-gap 0 > "$dir/current.out" 2> "$dir/current.err" ||
  fail "play radio --current failed: $(cat "$dir/current.err")"
[ "$(queue | head -n 1)" = "$current" ] || fail "the current song is not first: $(queue)"
[ "$(mpc_ -f '%file%' current)" = "$current" ] || fail "the current song changed: $(mpc_ status)"
mpc_ status | grep -q '^\[paused\]' || fail "play radio --current disturbed playback: $(mpc_ status)"
[ "$(queue | wc -l)" = 4 ] || fail "expected the current song and 3 like it: $(queue)"
no_track_twice "play radio --current"
grep -qF "kept the current song, then queued 3 tracks of the radio from" "$dir/current.out" ||
  fail "play radio --current said: $(cat "$dir/current.out")"
echo "ok: play radio --current kept $current and queued 3 like it"

# 4. --append with --current: more like it, nothing twice.
vibectl play --append radio --current --limit 2 --artist-gap 0 > /dev/null 2> "$dir/more.err" ||
  fail "play --append radio --current failed: $(cat "$dir/more.err")"
[ "$(queue | wc -l)" = 6 ] || fail "expected 2 more: $(queue)"
no_track_twice "play --append radio --current"
echo "ok: play --append radio --current added 2 more"

# 5. Nothing current: one clear line.
mpc_ -q clear
vibectl play radio --current > /dev/null 2> "$dir/none.err" && fail "play radio --current with an empty queue worked"
grep -qF "has no current song" "$dir/none.err" || fail "no current song: $(cat "$dir/none.err")"
vibectl play --current "soft" > /dev/null 2> "$dir/misplaced.err" && fail "--current outside a radio was accepted"
grep -qF "are for \`vibectl play radio" "$dir/misplaced.err" || fail "misplaced --current: $(cat "$dir/misplaced.err")"
echo PASS
